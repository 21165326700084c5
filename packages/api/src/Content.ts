/**
 * Message-content helpers: the shapes of messages and blocks, read defensively (a message may come
 * from a user, a store or a server, and may not be what its type says), in one place for every
 * package.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import * as Predicate from "effect/Predicate"

/**
 * A message of a request (`user` or `assistant`), as the SDK types it.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 *
 * const hello: Content.MessageParam = { role: "user", content: "Hello" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageParam = Anthropic.Messages.MessageParam

/**
 * A content block of a request message.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 *
 * const block: Content.BlockParam = { type: "text", text: "Hello" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BlockParam = Anthropic.Messages.ContentBlockParam

/**
 * A content block of a response message.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 *
 * const isText = (block: Content.Block) => block.type === "text"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Block = Anthropic.Messages.ContentBlock

/**
 * A `tool_result` block.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 *
 * const ok: Content.ToolResultBlockParam = { type: "tool_result", tool_use_id: "toolu_1", content: "42" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ToolResultBlockParam = Anthropic.Messages.ToolResultBlockParam

/**
 * What every `tool_use` block has, in a request or a response.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 *
 * const name = (use: Content.ToolUse) => use.name
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface ToolUse {
  readonly type: "tool_use"
  readonly id: string
  readonly name: string
  readonly input: unknown
}

/**
 * What kind of value `u` is, in a few words, for messages of the form "expected …, found <kind>".
 * It names the kind, never the value (a string may be a secret a server echoed back); a number is
 * named with its value, which is not a secret.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.kindOf(null) // "null"
 * Content.kindOf("sk-ant-…") // "a string"
 * Content.kindOf(-3) // "the number -3"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const kindOf = (u: unknown): string => {
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  switch (typeof u) {
    case "undefined":
      return "nothing"
    case "string":
      return "a string"
    case "number":
      return Number.isFinite(u) ? `the number ${u}` : String(u)
    case "bigint":
      return "a bigint"
    case "boolean":
      return String(u)
    case "symbol":
      return "a symbol"
    case "function":
      return "a function"
    default:
      return "an object"
  }
}

/**
 * The blocks of some content: an array as it is, anything else (a string, which is one text block
 * and holds no tools, or a value of the wrong shape) as no blocks.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.blocksOf("Hello") // []
 * Content.blocksOf([{ type: "text", text: "Hello" }]).length // 1
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const blocksOf = (content: unknown): ReadonlyArray<unknown> => (Array.isArray(content) ? content : [])

/**
 * The blocks nested one level inside a block: a `tool_result`'s content or a `document`'s
 * `content` source; `undefined` for any other block (or a value of the wrong shape).
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.nestedBlocksOf({ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "42" }] })?.length // 1
 * Content.nestedBlocksOf({ type: "text", text: "Hi" }) // undefined
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const nestedBlocksOf = (block: unknown): ReadonlyArray<unknown> | undefined => {
  if (!Predicate.isRecord(block)) return undefined
  const nested =
    block.type === "tool_result"
      ? block.content
      : block.type === "document" && Predicate.isRecord(block.source) && block.source.type === "content"
        ? block.source.content
        : undefined
  return Array.isArray(nested) ? nested : undefined
}

/**
 * The content of a message-like value, `undefined` when the value is not an object.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.contentOf({ role: "user", content: "Hi" }) // "Hi"
 * Content.contentOf(null) // undefined
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const contentOf = (message: unknown): unknown =>
  Predicate.hasProperty(message, "content") ? message.content : undefined

/**
 * Whether a value is a `tool_use` block (client tools; `server_tool_use` blocks are not).
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.isToolUse({ type: "tool_use", id: "toolu_1", name: "add", input: {} }) // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isToolUse = (block: unknown): block is ToolUse =>
  Predicate.isRecord(block) &&
  block.type === "tool_use" &&
  typeof block.id === "string" &&
  typeof block.name === "string"

/**
 * Whether a value is a `tool_use` or a `server_tool_use` block: both need their result in the
 * conversation (a `tool_result`, or the server's own result block).
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.isAnyToolUse({ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} }) // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isAnyToolUse = (block: unknown): block is { readonly type: string; readonly id: string } =>
  Predicate.isRecord(block) &&
  (block.type === "tool_use" || block.type === "server_tool_use") &&
  typeof block.id === "string"

/**
 * Whether a value is a `tool_result` block.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.isToolResult({ type: "tool_result", tool_use_id: "toolu_1", content: "42" }) // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isToolResult = (block: unknown): block is ToolResultBlockParam =>
  Predicate.isRecord(block) && block.type === "tool_result" && typeof block.tool_use_id === "string"

/**
 * Whether a value is a `text` block.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.isText({ type: "text", text: "Hi" }) // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isText = (block: unknown): block is { readonly type: "text"; readonly text: string } =>
  Predicate.isRecord(block) && block.type === "text" && typeof block.text === "string"

/**
 * The `tool_use` blocks of some content, in order.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.toolUsesOf([{ type: "text", text: "Let me add" }, { type: "tool_use", id: "t1", name: "add", input: {} }]).length // 1
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const toolUsesOf = (content: unknown): ReadonlyArray<ToolUse> => blocksOf(content).filter(isToolUse)

/**
 * The ids of the `tool_use` and `server_tool_use` blocks of some content.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.toolUseIds([{ type: "tool_use", id: "t1", name: "add", input: {} }]) // ["t1"]
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const toolUseIds = (content: unknown): ReadonlyArray<string> =>
  blocksOf(content).flatMap((block) => (isAnyToolUse(block) ? [block.id] : []))

/**
 * The `tool_use_id`s of the `tool_result` blocks of some content.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.toolResultIds([{ type: "tool_result", tool_use_id: "t1", content: "3" }]) // ["t1"]
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const toolResultIds = (content: unknown): ReadonlyArray<string> =>
  blocksOf(content).flatMap((block) => (isToolResult(block) ? [block.tool_use_id] : []))

/**
 * The text of some content: a string as it is, else its `text` blocks joined.
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.textOf([{ type: "text", text: "Hello, " }, { type: "text", text: "world" }]) // "Hello, world"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  let text = ""
  for (const block of blocksOf(content)) if (isText(block)) text += block.text
  return text
}

/**
 * A response block as a request block. The API accepts its own blocks back, but the SDK's response
 * types carry fields (`citations`, `caller`) its request types do not, so the common ones are
 * rebuilt; server-tool blocks are sent back as received.
 *
 * @example
 * ```ts
 * import type Anthropic from "@anthropic-ai/sdk"
 * import { Content } from "@claude-resilience/api"
 *
 * declare const message: Anthropic.Messages.Message
 * const blocks = message.content.map(Content.toParam)
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const toParam = (block: Block): BlockParam => {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text }
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input }
    case "thinking":
      return { type: "thinking", thinking: block.thinking, signature: block.signature }
    case "redacted_thinking":
      return { type: "redacted_thinking", data: block.data }
    default:
      return block as unknown as BlockParam
  }
}

/**
 * A response as the next request's assistant message.
 *
 * @example
 * ```ts
 * import type Anthropic from "@anthropic-ai/sdk"
 * import { Content } from "@claude-resilience/api"
 *
 * declare const reply: Anthropic.Messages.Message
 * const next = [{ role: "user" as const, content: "Hi" }, Content.assistantMessage(reply)]
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const assistantMessage = (message: { readonly content: ReadonlyArray<Block> }): MessageParam => ({
  role: "assistant",
  content: message.content.map(toParam)
})

/**
 * A `tool_result` that reports a failure to the model (`is_error: true`).
 *
 * @example
 * ```ts
 * import { Content } from "@claude-resilience/api"
 *
 * Content.errorResult("toolu_1", "Error: division by zero")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const errorResult = (toolUseId: string, text: string): ToolResultBlockParam => ({
  type: "tool_result",
  tool_use_id: toolUseId,
  content: text,
  is_error: true
})
