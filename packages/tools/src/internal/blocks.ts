/**
 * Content-block helpers shared by the modules.
 *
 * @internal
 */
import type Anthropic from "@anthropic-ai/sdk"

/** @internal */
export type MessageParam = Anthropic.Messages.MessageParam

/** @internal */
export type ContentBlockParam = Anthropic.Messages.ContentBlockParam

/** @internal */
export type ToolResultBlockParam = Anthropic.Messages.ToolResultBlockParam

/** @internal */
export interface ToolUseLike {
  readonly type: "tool_use"
  readonly id: string
  readonly name: string
  readonly input: unknown
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** The blocks of a message's content (a string is one text block, which holds no tools). @internal */
export const blocksOf = (content: unknown): ReadonlyArray<unknown> => (Array.isArray(content) ? content : [])

/** @internal */
export const isToolUse = (block: unknown): block is ToolUseLike =>
  isRecord(block) && block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string"

/** @internal */
export const isToolResult = (block: unknown): block is ToolResultBlockParam =>
  isRecord(block) && block.type === "tool_result" && typeof block.tool_use_id === "string"

/** The `tool_use` blocks of some content, in order. @internal */
export const toolUsesOf = (content: unknown): ReadonlyArray<ToolUseLike> => blocksOf(content).filter(isToolUse)

/**
 * A response block as a request block: the API accepts its own blocks back, but the SDK's response types
 * carry fields (`citations`, `caller`) its param types do not, so the common ones are rebuilt.
 *
 * @internal
 */
export const toParam = (block: Anthropic.Messages.ContentBlock): ContentBlockParam => {
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
      // server-tool blocks are sent back as received
      return block as unknown as ContentBlockParam
  }
}

/** An assistant response as the next request's assistant message. @internal */
export const assistantParam = (message: Anthropic.Messages.Message): MessageParam => ({
  role: "assistant",
  content: message.content.map(toParam)
})

/** @internal */
export const errorResult = (toolUseId: string, text: string): ToolResultBlockParam => ({
  type: "tool_result",
  tool_use_id: toolUseId,
  content: text,
  is_error: true
})
