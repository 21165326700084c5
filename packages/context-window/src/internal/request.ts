/**
 * What `fit` reads, checked before it reads it: the request's `model`, `max_tokens` and `messages`
 * (each an object with a `user` or `assistant` role and content that is a string or an array of
 * blocks, each block an object with a string `type`, a text block with a string `text`), and the
 * numbers of its options. The rest of the request (system prompt, tools, block fields fit does not
 * read) is the API's to judge, at the first count.
 *
 * A reason names the field and the kind of value found, never the value (a string may be a secret).
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"
import type { FitOptions } from "../ContextWindow.js"

/** What kind of value `u` is (`Content.kindOf`). @internal */
export const kindOf = Content.kindOf

/** Whether `u` is a non-negative safe integer: a token count. @internal */
export const isCount = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

const isNonNegative = (u: unknown): u is number => typeof u === "number" && !Number.isNaN(u) && u >= 0

const messageProblem = (message: unknown, path: string): string | undefined => {
  if (!Predicate.isRecord(message)) return `${path}: expected a message (an object), found ${kindOf(message)}`
  if (message.role !== "user" && message.role !== "assistant") {
    const found = typeof message.role === "string" ? "another string" : kindOf(message.role)
    return `${path}.role: expected "user" or "assistant", found ${found}`
  }
  const content = message.content
  if (typeof content === "string") return undefined
  if (!Array.isArray(content)) {
    return `${path}.content: expected a string or an array of content blocks, found ${kindOf(content)}`
  }
  for (let k = 0; k < content.length; k++) {
    const block: unknown = content[k]
    const at = `${path}.content.${k}`
    if (!Predicate.isRecord(block)) return `${at}: expected a content block (an object), found ${kindOf(block)}`
    if (typeof block.type !== "string") return `${at}.type: expected a string, found ${kindOf(block.type)}`
    if (block.type === "text" && typeof block.text !== "string") {
      return `${at}.text: expected a string, found ${kindOf(block.text)}`
    }
  }
  return undefined
}

/** What is wrong with a request to fit or with the options, or `undefined`. @internal */
export const problem = (request: unknown, options: FitOptions): string | undefined => {
  if (!Predicate.isRecord(request)) return `request: expected an object, found ${kindOf(request)}`
  if (typeof request.model !== "string") return `model: expected a string, found ${kindOf(request.model)}`
  if (!isCount(request.max_tokens)) {
    return `max_tokens: expected a non-negative integer, found ${kindOf(request.max_tokens)}`
  }
  const messages = request.messages
  if (!Array.isArray(messages)) return `messages: expected an array, found ${kindOf(messages)}`
  for (let i = 0; i < messages.length; i++) {
    const problem = messageProblem(messages[i], `messages.${i}`)
    if (problem !== undefined) return problem
  }
  if (!Predicate.isRecord(options)) return `options: expected an object, found ${kindOf(options)}`
  if (options.contextWindow !== undefined && !(isNonNegative(options.contextWindow) && options.contextWindow > 0)) {
    return `options.contextWindow: expected a positive number, found ${kindOf(options.contextWindow)}`
  }
  for (const field of ["headroom", "pin"] as const) {
    const value = options[field]
    if (value !== undefined && !isNonNegative(value)) {
      return `options.${field}: expected a non-negative number, found ${kindOf(value)}`
    }
  }
  if (options.inputTokens !== undefined && !isCount(options.inputTokens)) {
    return `options.inputTokens: expected a non-negative integer, found ${kindOf(options.inputTokens)}`
  }
  return undefined
}
