/**
 * Pure conversation surgery: where a conversation may be cut, a local token estimate, and how a
 * replacement (a summary) is spliced in.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"

type Block = Content.BlockParam

/**
 * The cut points of a conversation. Keeping `messages[0, pinned) ++ messages[c, n)` for any `c` in
 * `cuts` gives a valid conversation; `cuts[0] === pinned` keeps everything, and the cuts increase.
 *
 * @internal
 */
export interface CutPoints {
  /** pinned prefix length, extended so that no tool pair straddles it */
  readonly pinned: number
  readonly cuts: ReadonlyArray<number>
}

/**
 * Valid cuts: the kept tail starts with a user turn (or, after a pinned prefix ending in a user turn,
 * with an assistant turn) so roles keep alternating; no tool_use is kept without its tool_result or
 * the reverse; the last user turn is kept.
 *
 * @internal
 */
export const cutPoints = (input: ReadonlyArray<Content.MessageParam>, pin: number): CutPoints => {
  // read defensively (this is public): a list that is not an array has no messages, a message that
  // is not one has no role (it never starts a kept tail) and no tool blocks, a pin that is no number is 0
  const messages: ReadonlyArray<unknown> = Array.isArray(input) ? input : []
  const roleOf = (i: number): unknown => {
    const message = messages[i]
    return Predicate.isRecord(message) ? message.role : undefined
  }
  const n = messages.length
  const useAt = new Map<string, number>()
  const pairs: Array<readonly [number, number]> = []
  messages.forEach((message, j) => {
    const content = Content.contentOf(message)
    for (const id of Content.toolUseIds(content)) useAt.set(id, j)
    for (const id of Content.toolResultIds(content)) {
      const i = useAt.get(id)
      if (i !== undefined && i < j) pairs.push([i, j])
    }
  })
  // A pinned prefix must not end between a tool_use and its tool_result.
  let pinned = Math.max(0, Math.min(typeof pin === "number" && !Number.isNaN(pin) ? Math.floor(pin) : 0, n))
  let extended = true
  while (extended) {
    extended = false
    for (const [i, j] of pairs) {
      if (i < pinned && j >= pinned) {
        pinned = j + 1
        extended = true
      }
    }
  }
  let lastUser = -1
  for (let i = n - 1; i >= 0; i--) {
    if (roleOf(i) === "user") {
      lastUser = i
      break
    }
  }
  // broken[c] > 0: a pair (i, j) with pinned <= i < c <= j would be split by cutting at c.
  const delta = new Array<number>(n + 2).fill(0)
  for (const [i, j] of pairs) {
    if (i >= pinned) {
      delta[i + 1]! += 1
      delta[j + 1]! -= 1
    }
  }
  const firstRole = pinned === 0 ? "user" : roleOf(pinned - 1) === "user" ? "assistant" : "user"
  const cuts: Array<number> = [pinned]
  let broken = 0
  for (let c = 0; c <= lastUser; c++) {
    broken += delta[c]!
    if (c <= pinned) continue
    if (broken === 0 && roleOf(c) === firstRole) cuts.push(c)
  }
  return { pinned, cuts }
}

const textTokens = (text: string) => Math.ceil(text.length / 4)

/** `JSON.stringify`, or `fallback` for what it rejects or turns into nothing (the API judges such a block). */
const json = (value: unknown, fallback: string): string => {
  try {
    return JSON.stringify(value) ?? fallback
  } catch {
    return fallback
  }
}

const blockEstimate = (block: Block): number => {
  switch (block.type) {
    case "text":
      return textTokens(block.text)
    case "image":
    case "document":
      return 1_500
    default:
      return textTokens(json(block, ""))
  }
}

/**
 * A rough local estimate of a message's tokens (about 4 characters a token). It only steers the
 * search; every decision is confirmed by the count endpoint.
 *
 * @internal
 */
export const estimateMessage = (message: Content.MessageParam): number =>
  4 +
  (typeof message.content === "string"
    ? textTokens(message.content)
    : message.content.reduce((sum, block) => sum + blockEstimate(block), 0))

/**
 * The conversation kept by cut `c`, with an optional replacement text for the dropped messages put
 * into the user turn next to the gap: prepended to `messages[c]` when it is a user turn, otherwise
 * appended to the last pinned message (a user turn, by construction of the cuts).
 *
 * @internal
 */
export const keep = (
  messages: ReadonlyArray<Content.MessageParam>,
  pinned: number,
  c: number,
  replacement?: string
): Array<Content.MessageParam> => {
  const head = messages.slice(0, pinned)
  const tail = messages.slice(c)
  if (replacement === undefined || c === pinned) return [...head, ...tail]
  const block: Block = { type: "text", text: replacement }
  const first = tail[0]
  if (first !== undefined && first.role === "user") {
    const content: Array<Block> =
      typeof first.content === "string" ? [{ type: "text", text: first.content }] : first.content
    return [...head, { ...first, content: [block, ...content] }, ...tail.slice(1)]
  }
  const last = head[head.length - 1]
  if (last !== undefined && last.role === "user") {
    const content: Array<Block> =
      typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content
    return [...head.slice(0, -1), { ...last, content: [...content, block] }, ...tail]
  }
  return [...head, ...tail]
}

/**
 * A dropped conversation as plain text for a summarizer.
 *
 * @internal
 */
export const transcript = (messages: ReadonlyArray<Content.MessageParam>): string =>
  messages
    .map((message) => {
      const parts =
        typeof message.content === "string"
          ? [message.content]
          : message.content.map((block) => {
              switch (block.type) {
                case "text":
                  return block.text
                case "tool_use":
                  return `[tool call ${typeof block.name === "string" ? block.name : "?"} ${json(block.input, "")}]`
                case "tool_result":
                  return `[tool result${block.is_error === true ? " (error)" : ""}: ${
                    typeof block.content === "string"
                      ? block.content
                      : Content.blocksOf(block.content)
                          .map((b) =>
                            Content.isText(b)
                              ? b.text
                              : `[${Predicate.hasProperty(b, "type") && typeof b.type === "string" ? b.type : "block"}]`
                          )
                          .join(" ")
                  }]`
                case "thinking":
                case "redacted_thinking":
                  return ""
                default:
                  return `[${block.type}]`
              }
            })
      return `${message.role}: ${parts.filter((p) => p.length > 0).join("\n")}`
    })
    .join("\n\n")
