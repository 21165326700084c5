/**
 * The cheap local token estimate: about four characters per token, a fixed overhead per request
 * and per message, images and documents at a flat rate, anything else by its JSON.
 */
import * as Predicate from "effect/Predicate"
import type * as Tokens from "../Tokens.js"
import { isText } from "../Content.js"

export const CHARS_PER_TOKEN = 4
export const MESSAGE_OVERHEAD = 4
export const REQUEST_OVERHEAD = 3
export const MEDIA_TOKENS = 1_500

export const estimateLength = (chars: number): number =>
  Number.isFinite(chars) && chars > 0 ? Math.ceil(chars / CHARS_PER_TOKEN) : 0

export const estimateText = (text: string): number => estimateLength(text.length)

const json = (value: unknown): number => {
  try {
    return estimateText(JSON.stringify(value) ?? "")
  } catch {
    // a cycle or a BigInt: not something the API would accept either
    return 0
  }
}

const blockTokens = (block: unknown): number => {
  if (isText(block)) return estimateText(block.text)
  // anything else that is not a primitive, arrays included, is measured by its JSON
  if (typeof block !== "object" || block === null) return 0
  if (Predicate.hasProperty(block, "type") && (block.type === "image" || block.type === "document")) {
    return MEDIA_TOKENS
  }
  return json(block)
}

const contentTokens = (content: unknown): number => {
  if (typeof content === "string") return estimateText(content)
  if (!Array.isArray(content)) return 0
  let total = 0
  for (const block of content) total += blockTokens(block)
  return total
}

export const estimate = (request: Tokens.Request): number => {
  let total = REQUEST_OVERHEAD + contentTokens(request.system)
  for (const message of request.messages) total += MESSAGE_OVERHEAD + contentTokens(message.content)
  const tools = request.tools
  if (tools !== undefined && tools !== null && tools.length > 0) total += json(tools)
  return total
}
