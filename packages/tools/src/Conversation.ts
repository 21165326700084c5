/**
 * Checks a conversation against the API's rules before it is sent (a `tool_use` without its `tool_result`
 * in the next user turn, a `tool_result` for an unknown or duplicate id, bad role order, a prefill ending in
 * whitespace), and repairs what can be repaired without guessing.
 *
 * @since 0.1.0
 */
import { Content } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as internalRepair from "./internal/repair.js"
import * as shape from "./internal/shape.js"

/**
 * A message as sent in a request: `@claude-resilience/api`'s `Content.MessageParam`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Conversation } from "@claude-resilience/tools"
 *
 * const message: Conversation.Message = { role: "user", content: "Hi" }
 * ```
 */
export type Message = Content.MessageParam

/**
 * An assistant message has `tool_use` blocks the next user message does not answer (or there is no next
 * user message).
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.MissingToolResult({ messageIndex: 1, toolUseIds: ["toolu_1"] })
 * ```
 */
export class MissingToolResult extends Schema.TaggedClass<MissingToolResult>()("MissingToolResult", {
  messageIndex: Schema.Number,
  toolUseIds: Schema.Array(Schema.String)
}) {}

/**
 * A `tool_result` answers no `tool_use` of the previous (assistant) message.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.UnknownToolResult({ messageIndex: 2, blockIndex: 0, toolUseId: "toolu_9" })
 * ```
 */
export class UnknownToolResult extends Schema.TaggedClass<UnknownToolResult>()("UnknownToolResult", {
  messageIndex: Schema.Number,
  blockIndex: Schema.Number,
  toolUseId: Schema.String
}) {}

/**
 * A second `tool_result` for the same id in one message.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.DuplicateToolResult({ messageIndex: 2, blockIndex: 1, toolUseId: "toolu_1" })
 * ```
 */
export class DuplicateToolResult extends Schema.TaggedClass<DuplicateToolResult>()("DuplicateToolResult", {
  messageIndex: Schema.Number,
  blockIndex: Schema.Number,
  toolUseId: Schema.String
}) {}

/**
 * A `tool_use` id used twice in the conversation.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.DuplicateToolUse({ messageIndex: 3, blockIndex: 0, toolUseId: "toolu_1" })
 * ```
 */
export class DuplicateToolUse extends Schema.TaggedClass<DuplicateToolUse>()("DuplicateToolUse", {
  messageIndex: Schema.Number,
  blockIndex: Schema.Number,
  toolUseId: Schema.String
}) {}

/**
 * The conversation does not start with a user message, two messages in a row share a role, or a role is
 * neither `user` nor `assistant`.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.RoleOrder({ messageIndex: 0, expected: "user", found: "assistant" })
 * ```
 */
export class RoleOrder extends Schema.TaggedClass<RoleOrder>()("RoleOrder", {
  messageIndex: Schema.Number,
  expected: Schema.String,
  found: Schema.String
}) {}

/**
 * A message other than a final assistant message has empty content.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.EmptyContent({ messageIndex: 2 })
 * ```
 */
export class EmptyContent extends Schema.TaggedClass<EmptyContent>()("EmptyContent", {
  messageIndex: Schema.Number
}) {}

/**
 * The final assistant message (a prefill) ends in whitespace, which the API rejects.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.TrailingWhitespace({ messageIndex: 3 })
 * ```
 */
export class TrailingWhitespace extends Schema.TaggedClass<TrailingWhitespace>()("TrailingWhitespace", {
  messageIndex: Schema.Number
}) {}

/**
 * A value of the wrong shape where the API expects a message or a content block: the list is not an
 * array, a message is not an object, its `role` is not a string, its `content` is neither a string nor
 * an array, or a block lacks a field the API requires (`type`; `text` of a text block; `id`, `name`
 * and an object `input` of a `tool_use`; `tool_use_id` of a `tool_result`, …). `path` locates it
 * (`messages.3.content.1.id`); `reason` says what was expected and what kind of value was found (never
 * the value itself).
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problem = new Conversation.Malformed({
 *   messageIndex: 3,
 *   path: "messages.3",
 *   reason: "expected a message (an object), found null"
 * })
 * ```
 */
export class Malformed extends Schema.TaggedClass<Malformed>()("Malformed", {
  /** the message concerned; absent when the list itself is not an array */
  messageIndex: Schema.optional(Schema.Number),
  path: Schema.String,
  reason: Schema.String
}) {}

/**
 * Everything {@link validate} reports.
 *
 * @since 0.1.0
 * @category Problems
 * @example
 * ```ts
 * import type { Conversation } from "@claude-resilience/tools"
 *
 * const isPairing = (p: Conversation.Problem) => p._tag === "MissingToolResult" || p._tag === "UnknownToolResult"
 * ```
 */
export type Problem =
  | MissingToolResult
  | UnknownToolResult
  | DuplicateToolResult
  | DuplicateToolUse
  | RoleOrder
  | EmptyContent
  | TrailingWhitespace
  | Malformed

/**
 * The typed failure of {@link check}: the conversation would be rejected by the API.
 *
 * @since 0.1.0
 * @category Errors
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 * import { Effect } from "effect"
 *
 * const program = Conversation.check([{ role: "assistant", content: "Hi" }]).pipe(
 *   Effect.catchTag("InvalidConversation", (e) => Effect.succeed(e.problems.length))
 * )
 * ```
 */
export class InvalidConversation extends Schema.TaggedError<InvalidConversation>()("InvalidConversation", {
  problems: Schema.Array(
    Schema.Union(
      MissingToolResult,
      UnknownToolResult,
      DuplicateToolResult,
      DuplicateToolUse,
      RoleOrder,
      EmptyContent,
      TrailingWhitespace,
      Malformed
    )
  )
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `invalid conversation: ${this.problems.map(describe).join("; ")}`
  }
}

/**
 * A one-line description of a problem.
 *
 * @since 0.1.0
 * @category Formatting
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * Conversation.describe(new Conversation.EmptyContent({ messageIndex: 2 })) // "messages.2: empty content"
 * ```
 */
export const describe = (problem: Problem): string => {
  switch (problem._tag) {
    case "MissingToolResult":
      return `messages.${problem.messageIndex}: tool_use without tool_result: ${problem.toolUseIds.join(", ")}`
    case "UnknownToolResult":
      return `messages.${problem.messageIndex}.content.${problem.blockIndex}: tool_result for unknown id ${problem.toolUseId}`
    case "DuplicateToolResult":
      return `messages.${problem.messageIndex}.content.${problem.blockIndex}: duplicate tool_result for ${problem.toolUseId}`
    case "DuplicateToolUse":
      return `messages.${problem.messageIndex}.content.${problem.blockIndex}: duplicate tool_use id ${problem.toolUseId}`
    case "RoleOrder":
      return `messages.${problem.messageIndex}: expected role ${problem.expected}, found ${problem.found}`
    case "EmptyContent":
      return `messages.${problem.messageIndex}: empty content`
    case "TrailingWhitespace":
      return `messages.${problem.messageIndex}: final assistant content ends with whitespace`
    case "Malformed":
      return `${problem.path}: ${problem.reason}`
  }
}

const isEmpty = (content: string | ReadonlyArray<unknown>): boolean => content.length === 0

const endsWithWhitespace = (content: string | ReadonlyArray<unknown>): boolean => {
  if (typeof content === "string") return /\s$/.test(content)
  const last = content.at(-1)
  return Content.isText(last) && /\s$/.test(last.text)
}

const roleOf = (message: unknown): string | undefined =>
  Predicate.isRecord(message) && typeof message.role === "string" ? message.role : undefined

/** The ids of an assistant message's (client) `tool_use` blocks. */
const toolUseIds = (message: unknown): ReadonlyArray<string> =>
  roleOf(message) === "assistant" ? Content.toolUsesOf(Content.contentOf(message)).map((b) => b.id) : []

/**
 * Every problem of a conversation, in message order (empty when the API would accept it). Takes a value of
 * any shape and never throws: what is not a message, or a block of the wrong shape, is reported as
 * {@link Malformed}.
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const problems = Conversation.validate([
 *   { role: "user", content: "Weather in Paris?" },
 *   { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] }
 * ])
 * // [MissingToolResult { messageIndex: 1, toolUseIds: ["toolu_1"] }]
 * ```
 */
export const validate = (messages: unknown): ReadonlyArray<Problem> => {
  if (!Array.isArray(messages)) {
    return [
      new Malformed({ path: "messages", reason: `expected an array of messages, found ${shape.kindOf(messages)}` })
    ]
  }
  const problems: Array<Problem> = []
  const malformed = (messageIndex: number, field: string, reason: string) =>
    problems.push(new Malformed({ messageIndex, path: shape.join(`messages.${messageIndex}`, field), reason }))
  const seenUses = new Set<string>()
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i]
    if (!Predicate.isRecord(message)) {
      malformed(i, "", `expected a message (an object), found ${shape.kindOf(message)}`)
      continue
    }
    const role = roleOf(message)
    if (role === undefined) {
      malformed(i, "role", `expected "user" or "assistant", found ${shape.kindOf(message.role)}`)
    } else {
      // after a message without a readable role, the expected role is unknown: that message is reported
      const previous = i === 0 ? "assistant" : roleOf(messages[i - 1])
      const expected = previous === undefined ? undefined : previous === "user" ? "assistant" : "user"
      if (expected !== undefined && ((role !== "user" && role !== "assistant") || role !== expected)) {
        problems.push(new RoleOrder({ messageIndex: i, expected, found: role }))
      }
    }
    const content = message.content
    if (typeof content !== "string" && !Array.isArray(content)) {
      malformed(i, "content", `expected a string or an array of content blocks, found ${shape.kindOf(content)}`)
      continue
    }
    const isFinalAssistant = i === messages.length - 1 && role === "assistant"
    if (isEmpty(content) && !isFinalAssistant) problems.push(new EmptyContent({ messageIndex: i }))
    if (isFinalAssistant && endsWithWhitespace(content)) problems.push(new TrailingWhitespace({ messageIndex: i }))
    const blocks: ReadonlyArray<unknown> = typeof content === "string" ? [] : content
    for (let k = 0; k < blocks.length; k++) {
      const problem = shape.blockProblem(blocks[k])
      if (problem !== undefined) malformed(i, shape.join(`content.${k}`, problem.field), problem.reason)
    }
    if (role === "assistant") {
      blocks.forEach((block, k) => {
        if (!Content.isToolUse(block)) return
        if (seenUses.has(block.id)) {
          problems.push(new DuplicateToolUse({ messageIndex: i, blockIndex: k, toolUseId: block.id }))
        }
        seenUses.add(block.id)
      })
      const ids = toolUseIds(message)
      const next: unknown = messages[i + 1]
      const answered = new Set(roleOf(next) === "user" ? Content.toolResultIds(Content.contentOf(next)) : [])
      const missing = ids.filter((id) => !answered.has(id))
      if (missing.length > 0) problems.push(new MissingToolResult({ messageIndex: i, toolUseIds: missing }))
    } else if (role === "user") {
      const uses = new Set(i > 0 ? toolUseIds(messages[i - 1]) : [])
      const results = new Set<string>()
      blocks.forEach((block, k) => {
        if (!Content.isToolResult(block)) return
        const id = block.tool_use_id
        if (!uses.has(id)) problems.push(new UnknownToolResult({ messageIndex: i, blockIndex: k, toolUseId: id }))
        else if (results.has(id)) {
          problems.push(new DuplicateToolResult({ messageIndex: i, blockIndex: k, toolUseId: id }))
        }
        results.add(id)
      })
    }
  }
  return problems
}

/**
 * Whether the API would accept the conversation as far as {@link validate} can tell; narrows a value of
 * unknown shape to messages.
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * Conversation.isValid([{ role: "user", content: "Hi" }]) // true
 * Conversation.isValid([null]) // false
 * ```
 */
export const isValid = (messages: unknown): messages is ReadonlyArray<Message> => validate(messages).length === 0

/**
 * Succeeds with the conversation when it is valid, fails with {@link InvalidConversation} otherwise (a value
 * of any shape is accepted: what is not a conversation fails with {@link Malformed} problems).
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const checked = Conversation.check([{ role: "user", content: "Hi" }])
 * ```
 */
export const check: {
  <M extends ReadonlyArray<Message>>(messages: M): Effect.Effect<M, InvalidConversation>
  (messages: unknown): Effect.Effect<ReadonlyArray<Message>, InvalidConversation>
} = (messages: unknown) =>
  Effect.suspend(() => {
    const problems = validate(messages)
    return problems.length === 0
      ? Effect.succeed(messages as ReadonlyArray<Message>)
      : Effect.fail(new InvalidConversation({ problems }))
  })

/**
 * Options of {@link repair}.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Conversation } from "@claude-resilience/tools"
 *
 * const options: Conversation.RepairOptions = { orphanMessage: (use) => `Error: ${use.name} never answered.` }
 * ```
 */
export interface RepairOptions {
  /** the text of the error result given to an orphaned `tool_use` (a result that is not a non-empty string: the default text) */
  readonly orphanMessage?: ((toolUse: { readonly id: string; readonly name: string }) => string) | undefined
}

/**
 * Repairs the tool pairing, the part of a conversation a crash or an interruption breaks, and returns the
 * repaired conversation when it is valid, or {@link InvalidConversation} with what is left:
 *
 * - an orphaned `tool_use` is answered with an error `tool_result` (`is_error: true`), put first in the next
 *   user message, or in a new user message right after the assistant's;
 * - a `tool_result` for an unknown id, a second one for the same id, and one without a `tool_use_id` are
 *   dropped (a user message left empty gets a short text instead);
 * - a final assistant message's trailing whitespace is trimmed.
 *
 * Role order, empty messages, duplicate `tool_use` ids and values of the wrong shape are not guessed at: they
 * are the problems of the `Left`. Repairing a valid conversation returns it unchanged. The result is an
 * `Either`, usable as is or with `yield*` in `Effect.gen`.
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 * import { Either } from "effect"
 *
 * const repaired = Conversation.repair([
 *   { role: "user", content: "Weather in Paris?" },
 *   { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] }
 * ])
 * // Right([..., { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: "Error: …" }] }])
 * const messages = Either.getOrElse(repaired, () => [])
 * ```
 */
export const repair = (
  messages: unknown,
  options: RepairOptions = {}
): Either.Either<ReadonlyArray<Message>, InvalidConversation> => {
  const repaired = Array.isArray(messages)
    ? internalRepair.repair(messages, options.orphanMessage ?? internalRepair.defaultOrphanMessage)
    : messages
  const problems = validate(repaired)
  return problems.length === 0
    ? Either.right(repaired as ReadonlyArray<Message>)
    : Either.left(new InvalidConversation({ problems }))
}
