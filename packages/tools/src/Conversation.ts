/**
 * Checks a conversation against the API's rules before it is sent (a `tool_use` without its `tool_result`
 * in the next user turn, a `tool_result` for an unknown or duplicate id, bad role order, a prefill ending in
 * whitespace), and repairs what can be repaired without guessing.
 *
 * @since 0.1.0
 */
import { Content } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

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
      TrailingWhitespace
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
  }
}

const isEmpty = (content: unknown): boolean =>
  typeof content === "string" ? content.length === 0 : !Array.isArray(content) || content.length === 0

const endsWithWhitespace = (content: unknown): boolean => {
  if (typeof content === "string") return /\s$/.test(content)
  const last = Content.blocksOf(content).at(-1)
  return Content.isText(last) && /\s$/.test(last.text)
}

/** The ids of an assistant message's (client) `tool_use` blocks. */
const toolUseIds = (message: Message | undefined): ReadonlyArray<string> =>
  message !== undefined && message.role === "assistant" ? Content.toolUsesOf(message.content).map((b) => b.id) : []

/**
 * Every problem of a conversation, in message order (empty when the API would accept it).
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
export const validate = (messages: ReadonlyArray<Message>): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  const seenUses = new Set<string>()
  messages.forEach((message, i) => {
    const role: string = message.role
    const expected = i === 0 ? "user" : messages[i - 1]!.role === "user" ? "assistant" : "user"
    if ((role !== "user" && role !== "assistant") || role !== expected) {
      problems.push(new RoleOrder({ messageIndex: i, expected, found: role }))
    }
    const isFinalAssistant = i === messages.length - 1 && role === "assistant"
    if (isEmpty(message.content) && !isFinalAssistant) problems.push(new EmptyContent({ messageIndex: i }))
    if (isFinalAssistant && endsWithWhitespace(message.content)) {
      problems.push(new TrailingWhitespace({ messageIndex: i }))
    }
    const blocks = Content.blocksOf(message.content)
    if (role === "assistant") {
      blocks.forEach((block, k) => {
        if (!Content.isToolUse(block)) return
        if (seenUses.has(block.id)) {
          problems.push(new DuplicateToolUse({ messageIndex: i, blockIndex: k, toolUseId: block.id }))
        }
        seenUses.add(block.id)
      })
      const ids = toolUseIds(message)
      const next = messages[i + 1]
      const answered = new Set(next !== undefined && next.role === "user" ? Content.toolResultIds(next.content) : [])
      const missing = ids.filter((id) => !answered.has(id))
      if (missing.length > 0) problems.push(new MissingToolResult({ messageIndex: i, toolUseIds: missing }))
    } else if (role === "user") {
      const uses = new Set(toolUseIds(messages[i - 1]))
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
  })
  return problems
}

/**
 * Whether the API would accept the conversation as far as {@link validate} can tell.
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * Conversation.isValid([{ role: "user", content: "Hi" }]) // true
 * ```
 */
export const isValid = (messages: ReadonlyArray<Message>): boolean => validate(messages).length === 0

/**
 * Succeeds with the conversation when it is valid, fails with {@link InvalidConversation} otherwise.
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
export const check = <M extends ReadonlyArray<Message>>(messages: M): Effect.Effect<M, InvalidConversation> =>
  Effect.suspend(() => {
    const problems = validate(messages)
    return problems.length === 0 ? Effect.succeed(messages) : Effect.fail(new InvalidConversation({ problems }))
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
  /** the text of the error result given to an orphaned `tool_use` */
  readonly orphanMessage?: ((toolUse: { readonly id: string; readonly name: string }) => string) | undefined
}

const defaultOrphanMessage = (toolUse: { readonly name: string }): string =>
  `Error: tool "${toolUse.name}" did not return a result (the call was interrupted or lost).`

/**
 * Repairs the tool pairing, the part of a conversation a crash or an interruption breaks:
 *
 * - an orphaned `tool_use` is answered with an error `tool_result` (`is_error: true`), put first in the next
 *   user message, or in a new user message right after the assistant's;
 * - a `tool_result` for an unknown id, and a second one for the same id, is dropped (a user message left
 *   empty gets a short text instead);
 * - a final assistant message's trailing whitespace is trimmed.
 *
 * Role order, empty messages and duplicate `tool_use` ids are not guessed at: {@link validate} still reports
 * them. Repairing a valid conversation returns it unchanged.
 *
 * @since 0.1.0
 * @category Validation
 * @example
 * ```ts
 * import { Conversation } from "@claude-resilience/tools"
 *
 * const repaired = Conversation.repair([
 *   { role: "user", content: "Weather in Paris?" },
 *   { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] }
 * ])
 * // [..., { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: "Error: …" }] }]
 * ```
 */
export const repair = (messages: ReadonlyArray<Message>, options: RepairOptions = {}): ReadonlyArray<Message> => {
  const orphanMessage = options.orphanMessage ?? defaultOrphanMessage
  const out: Array<Message> = []
  let source = messages
  for (let i = 0; i < source.length; i++) {
    const message = source[i]!
    if (message.role === "user") {
      const uses = new Set(toolUseIds(out.at(-1)))
      const blocks = Content.blocksOf(message.content)
      if (blocks.length === 0) {
        out.push(message)
        continue
      }
      const seen = new Set<string>()
      const kept = blocks.filter((block) => {
        if (!Content.isToolResult(block)) return true
        const ok = uses.has(block.tool_use_id) && !seen.has(block.tool_use_id)
        seen.add(block.tool_use_id)
        return ok
      }) as Array<Content.BlockParam>
      out.push(
        kept.length === blocks.length
          ? message
          : {
              role: "user",
              content: kept.length > 0 ? kept : [{ type: "text", text: "(tool results removed)" }]
            }
      )
      continue
    }
    out.push(message)
    if (message.role !== "assistant") continue
    const orphans = Content.toolUsesOf(message.content)
    if (orphans.length === 0) continue
    const next = source[i + 1]
    const answered = new Set(next !== undefined && next.role === "user" ? Content.toolResultIds(next.content) : [])
    const missing = orphans.filter((use) => !answered.has(use.id))
    if (missing.length === 0) continue
    const added = missing.map((use) => Content.errorResult(use.id, orphanMessage(use)))
    if (next !== undefined && next.role === "user") {
      const nextBlocks: ReadonlyArray<Content.BlockParam> =
        typeof next.content === "string"
          ? next.content.length > 0
            ? [{ type: "text", text: next.content }]
            : []
          : next.content
      const results = nextBlocks.filter((b) => b.type === "tool_result")
      const others = nextBlocks.filter((b) => b.type !== "tool_result")
      // tool_result blocks come first in a user message
      source = [
        ...source.slice(0, i + 1),
        { role: "user", content: [...results, ...added, ...others] },
        ...source.slice(i + 2)
      ]
    } else {
      out.push({ role: "user", content: added })
    }
  }
  const last = out.at(-1)
  if (last !== undefined && last.role === "assistant" && endsWithWhitespace(last.content)) {
    out[out.length - 1] = {
      role: "assistant",
      content:
        typeof last.content === "string"
          ? last.content.trimEnd()
          : last.content.map((block, k, all) =>
              k === all.length - 1 && block.type === "text" ? { ...block, text: block.text.trimEnd() } : block
            )
    }
  }
  return out
}
