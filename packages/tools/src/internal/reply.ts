/**
 * The tool loop's check of a reply before it reads it. The `Claude` service is typed, but a fake, a
 * user's own service or an API-compatible server may answer anything; the loop reads `content` (to run
 * tools and append the assistant turn), `stop_reason` and `usage`, so those are checked, with the
 * `tool_use` ids the conversation already holds (a repeated id would break the conversation).
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import * as shape from "./shape.js"

const usageProblem = (usage: unknown): string | undefined => {
  if (!Predicate.isRecord(usage)) return `usage: expected an object, found ${shape.kindOf(usage)}`
  for (const field of ["input_tokens", "output_tokens"] as const) {
    if (!shape.isCount(usage[field])) {
      return `usage.${field}: expected a non-negative integer, found ${shape.kindOf(usage[field])}`
    }
  }
  for (const field of ["cache_creation_input_tokens", "cache_read_input_tokens"] as const) {
    const value = usage[field]
    if (value !== undefined && value !== null && !shape.isCount(value)) {
      return `usage.${field}: expected a non-negative integer or null, found ${shape.kindOf(value)}`
    }
  }
  return undefined
}

/**
 * What is wrong with a reply, or `undefined`: it must be an object whose `content` is an array of
 * well-formed blocks (a `tool_use` with a non-empty `id` and `name`, an object `input`, and an id not
 * used before), whose `stop_reason` is a string or null, and whose `usage` holds non-negative integers.
 *
 * @internal
 */
export const problem = (reply: unknown, usedToolUseIds: ReadonlySet<string>): string | undefined => {
  if (!Predicate.isRecord(reply)) return `expected a message (an object), found ${shape.kindOf(reply)}`
  const content = reply.content
  if (!Array.isArray(content)) return `content: expected an array of content blocks, found ${shape.kindOf(content)}`
  const ids = new Map<string, number>()
  for (let k = 0; k < content.length; k++) {
    const block: unknown = content[k]
    const blockProblem = shape.blockProblem(block)
    if (blockProblem !== undefined) return `${shape.join(`content.${k}`, blockProblem.field)}: ${blockProblem.reason}`
    if (Predicate.isRecord(block) && block.type === "tool_use" && typeof block.id === "string") {
      const before = ids.get(block.id)
      if (before !== undefined) return `content.${k}: the tool_use id of content.${before} again`
      if (usedToolUseIds.has(block.id)) return `content.${k}: a tool_use id the conversation already holds`
      ids.set(block.id, k)
    }
  }
  const stopReason = reply.stop_reason
  if (stopReason !== null && typeof stopReason !== "string") {
    return `stop_reason: expected a string or null, found ${shape.kindOf(stopReason)}`
  }
  return usageProblem(reply.usage)
}
