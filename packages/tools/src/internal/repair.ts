/**
 * Repairing the tool pairing of a conversation, the part a crash or an interruption breaks. Reads
 * every message defensively: a message or block of the wrong shape is kept as it is (for
 * `Conversation.validate` to report), never read as if it were right.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"

/** The text of the error result given to an orphaned `tool_use`. @internal */
export type OrphanMessage = (toolUse: { readonly id: string; readonly name: string }) => string

/** @internal */
export const defaultOrphanMessage: OrphanMessage = (toolUse) =>
  `Error: tool "${toolUse.name}" did not return a result (the call was interrupted or lost).`

const roleOf = (message: unknown): unknown => (Predicate.isRecord(message) ? message.role : undefined)

/** The ids of an assistant message's (client) `tool_use` blocks. */
const toolUseIds = (message: unknown): ReadonlyArray<string> =>
  roleOf(message) === "assistant" ? Content.toolUsesOf(Content.contentOf(message)).map((b) => b.id) : []

const isToolResultLike = (block: unknown): boolean => Predicate.isRecord(block) && block.type === "tool_result"

/** A prefill's trailing whitespace is trimmed: the API rejects it. */
const trimmed = (message: unknown): unknown => {
  if (!Predicate.isRecord(message) || message.role !== "assistant") return message
  const content = message.content
  if (typeof content === "string") {
    const text = content.trimEnd()
    return text === content ? message : { role: "assistant", content: text }
  }
  const last = Content.blocksOf(content).at(-1)
  if (!Array.isArray(content) || !Content.isText(last) || last.text.trimEnd() === last.text) return message
  return { role: "assistant", content: [...content.slice(0, -1), { ...last, text: last.text.trimEnd() }] }
}

/**
 * The conversation with its pairing repaired: orphaned `tool_use` blocks answered with error
 * results (first in the next user message, or in a new one), `tool_result`s for unknown or repeated
 * ids (and ones without an id) dropped, a final assistant message's trailing whitespace trimmed.
 * Returns `messages` itself when nothing changed.
 *
 * @internal
 */
export const repair = (messages: ReadonlyArray<unknown>, orphanMessage: OrphanMessage): ReadonlyArray<unknown> => {
  const answer = (toolUse: Content.ToolUse): Content.ToolResultBlockParam => {
    const text = orphanMessage(toolUse)
    return Content.errorResult(
      toolUse.id,
      typeof text === "string" && text.length > 0 ? text : defaultOrphanMessage(toolUse)
    )
  }
  const source = [...messages]
  const out: Array<unknown> = []
  for (let i = 0; i < source.length; i++) {
    const message = source[i]
    const role = roleOf(message)
    if (role === "user") {
      const content = Content.contentOf(message)
      if (!Array.isArray(content) || content.length === 0) {
        out.push(message)
        continue
      }
      const uses = new Set(toolUseIds(out.at(-1)))
      const seen = new Set<string>()
      const kept = content.filter((block: unknown) => {
        if (!isToolResultLike(block)) return true
        if (!Content.isToolResult(block)) return false
        const ok = uses.has(block.tool_use_id) && !seen.has(block.tool_use_id)
        seen.add(block.tool_use_id)
        return ok
      })
      out.push(
        kept.length === content.length
          ? message
          : { role: "user", content: kept.length > 0 ? kept : [{ type: "text", text: "(tool results removed)" }] }
      )
      continue
    }
    out.push(message)
    if (role !== "assistant") continue
    const uses = Content.toolUsesOf(Content.contentOf(message))
    if (uses.length === 0) continue
    const next = source[i + 1]
    const nextIsUser = roleOf(next) === "user"
    const answered = new Set(nextIsUser ? Content.toolResultIds(Content.contentOf(next)) : [])
    const missing = uses.filter((use) => !answered.has(use.id))
    if (missing.length === 0) continue
    const added = missing.map(answer)
    const nextContent = Content.contentOf(next)
    if (nextIsUser && (typeof nextContent === "string" || Array.isArray(nextContent))) {
      const nextBlocks: ReadonlyArray<unknown> =
        typeof nextContent === "string"
          ? nextContent.length > 0
            ? [{ type: "text", text: nextContent }]
            : []
          : nextContent
      // tool_result blocks come first in a user message
      source[i + 1] = {
        role: "user",
        content: [
          ...nextBlocks.filter(isToolResultLike),
          ...added,
          ...nextBlocks.filter((block) => !isToolResultLike(block))
        ]
      }
    } else {
      out.push({ role: "user", content: added })
    }
  }
  if (out.length > 0) out[out.length - 1] = trimmed(out[out.length - 1])
  const unchanged = out.length === messages.length && out.every((message, i) => message === messages[i])
  return unchanged ? messages : out
}
