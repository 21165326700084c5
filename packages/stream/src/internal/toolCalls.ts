/**
 * Whole tool calls across cuts: a tool call is held back until its block is complete, and one
 * delivered by an earlier attempt (same id, or same name and input) is not delivered again when a
 * resumed attempt regenerates it.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import type { Claude } from "@claude-resilience/client"

type RawEvent = Claude.MessageStreamEvent

const keyOf = (name: unknown, json: string): string => {
  try {
    return `${String(name)}:${JSON.stringify(JSON.parse(json.length > 0 ? json : "{}"))}`
  } catch {
    return `${String(name)}:${json}`
  }
}

/** The input JSON of a held-back tool call: its `input_json_delta`s joined. */
const inputOf = (deltas: ReadonlyArray<RawEvent>): string =>
  deltas
    .map((e) => (e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? e.delta.partial_json : ""))
    .join("")

/** The tool calls delivered so far, by id and by name + input, with the attempt that delivered them. */
export class DeliveredTools {
  private readonly by = new Map<string, number>()

  /**
   * Whether the complete call (`start` and its `deltas`) was delivered by an attempt before
   * `attempt`; if not, records it as delivered by `attempt`.
   */
  deliveredBefore(start: RawEvent, deltas: ReadonlyArray<RawEvent>, attempt: number): boolean {
    const block = start.type === "content_block_start" ? start.content_block : undefined
    const id = `id:${Content.isAnyToolUse(block) ? block.id : ""}`
    const key = keyOf(block !== undefined && "name" in block ? block.name : "", inputOf(deltas))
    if (Math.min(this.by.get(id) ?? attempt, this.by.get(key) ?? attempt) < attempt) return true
    this.by.set(id, attempt)
    this.by.set(key, attempt)
    return false
  }
}
