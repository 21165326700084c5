/**
 * Replies this package reads, checked before it reads them: a `count_tokens` reply's `input_tokens`
 * and a summary's text blocks and usage. The `Claude` service is typed, but a fake, a user's own
 * service or an API-compatible server may answer anything; a reply that is not what the API sends
 * fails like any response that cannot be read: a `ClaudeError.ConnectionError` with reason
 * `"protocol"` whose message names what was wrong.
 *
 * @internal
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { isCount, kindOf } from "./request.js"

const malformed = (what: string, reason: string) =>
  new ClaudeError.ConnectionError({ message: `malformed ${what} reply: ${reason}`, reason: "protocol" })

/** The `input_tokens` of a `count_tokens` reply: a non-negative integer. @internal */
export const inputTokens = (reply: unknown): Effect.Effect<number, ClaudeError.ConnectionError> => {
  if (!Predicate.isRecord(reply)) {
    return Effect.fail(malformed("count_tokens", `expected an object, found ${kindOf(reply)}`))
  }
  const tokens = reply.input_tokens
  return isCount(tokens)
    ? Effect.succeed(tokens)
    : Effect.fail(malformed("count_tokens", `input_tokens: expected a non-negative integer, found ${kindOf(tokens)}`))
}

/** What a summary reply is read for. @internal */
export interface Summary {
  readonly text: string
  readonly inputTokens: number
  readonly outputTokens: number
}

/** The text (its text blocks joined) and usage of a summary reply. @internal */
export const summary = (reply: unknown): Effect.Effect<Summary, ClaudeError.ConnectionError> => {
  const fail = (reason: string) => Effect.fail(malformed("summary", reason))
  if (!Predicate.isRecord(reply)) return fail(`expected a message (an object), found ${kindOf(reply)}`)
  const content = reply.content
  if (!Array.isArray(content)) return fail(`content: expected an array of content blocks, found ${kindOf(content)}`)
  let text = ""
  for (let k = 0; k < content.length; k++) {
    const block: unknown = content[k]
    if (!Predicate.isRecord(block)) return fail(`content.${k}: expected a content block, found ${kindOf(block)}`)
    if (block.type !== "text") continue
    if (typeof block.text !== "string") return fail(`content.${k}.text: expected a string, found ${kindOf(block.text)}`)
    text += block.text
  }
  const usage = reply.usage
  if (!Predicate.isRecord(usage)) return fail(`usage: expected an object, found ${kindOf(usage)}`)
  for (const field of ["input_tokens", "output_tokens"] as const) {
    if (!isCount(usage[field])) {
      return fail(`usage.${field}: expected a non-negative integer, found ${kindOf(usage[field])}`)
    }
  }
  return Effect.succeed({
    text,
    inputTokens: usage.input_tokens as number,
    outputTokens: usage.output_tokens as number
  })
}
