/**
 * Continuing a turn the API stopped before its end, with whole messages: the next request (after
 * `pause_turn`: the content so far sent back; after `max_tokens`: the text so far as a prefill, or
 * the continuation turn on models that refuse one) and the merge of the answers into one message.
 */
import { Content, Model, Stitch } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"
import type * as Claude from "../Claude.js"

type Params = Claude.MessageCreateParams
type Message = Claude.Message
type Block = Message["content"][number]

/** The user turn of a `max_tokens` continuation on a model that refuses prefill. */
export const DEFAULT_CONTINUE_PROMPT = "Continue from exactly where you left off."

/** How the next request continues the turn, and how its answer joins the message so far. */
export interface Next {
  readonly kind: "pause_turn" | "prefill" | "continuation"
  readonly params: Params
  readonly merge: (reply: Message) => Message
}

const isWhitespace = (c: string) => /\s/.test(c)

const trimEnd = (text: string): readonly [kept: string, trailing: string] => {
  let end = text.length
  while (end > 0 && isWhitespace(text.charAt(end - 1))) end--
  return [text.slice(0, end), text.slice(end)]
}

/** Usage of two answers summed: numbers added (nested ones too), anything else from the later one. */
const sumUsage = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...b }
  for (const [key, value] of Object.entries(a)) {
    const other = out[key]
    if (typeof value === "number" && typeof other === "number") out[key] = value + other
    else if (Predicate.isRecord(value) && Predicate.isRecord(other)) out[key] = sumUsage(value, other)
    else if (other === undefined || other === null) out[key] = value
  }
  return out
}

/** The later answer's id and stop fields, the given content, the usage of both summed. */
const merged = (previous: Message, reply: Message, content: ReadonlyArray<Block>): Message => ({
  ...reply,
  content: [...content],
  usage: sumUsage(
    previous.usage as unknown as Record<string, unknown>,
    reply.usage as unknown as Record<string, unknown>
  ) as unknown as Message["usage"]
})

/** Appends assistant content to the conversation, extending a trailing assistant turn if there is one. */
const appendAssistant = (
  messages: ReadonlyArray<Content.MessageParam>,
  content: string | ReadonlyArray<Content.BlockParam>
): Array<Content.MessageParam> => {
  const out = [...messages]
  const last = out.at(-1)
  if (last === undefined || last.role !== "assistant") {
    out.push({ role: "assistant", content: typeof content === "string" ? content : [...content] })
    return out
  }
  const before: Array<Content.BlockParam> =
    typeof last.content === "string" ? [{ type: "text", text: last.content }] : [...last.content]
  out[out.length - 1] =
    typeof content === "string" && typeof last.content === "string"
      ? { ...last, content: last.content + content }
      : {
          ...last,
          content: [...before, ...(typeof content === "string" ? [{ type: "text" as const, text: content }] : content)]
        }
  return out
}

/** The content sent back after `pause_turn`: as received, less the trailing whitespace the API rejects. */
const sendBack = (content: ReadonlyArray<Block>): Array<Content.BlockParam> => {
  const blocks = content.map(Content.toParam)
  const last = blocks.at(-1)
  if (last !== undefined && last.type === "text") {
    const [kept] = trimEnd(last.text)
    if (kept.length === 0) blocks.pop()
    else blocks[blocks.length - 1] = { ...last, text: kept }
  }
  return blocks
}

/** After `pause_turn`: the content so far sent back as the last assistant turn; the answers concatenated. */
export const pauseTurn = (original: Params, message: Message): Next => ({
  kind: "pause_turn",
  params: { ...original, messages: appendAssistant(original.messages, sendBack(message.content)) },
  merge: (reply) => merged(message, reply, [...message.content, ...reply.content])
})

const isThinking = (block: Block) => block.type === "thinking" || block.type === "redacted_thinking"

/**
 * After `max_tokens`: the text so far continued, when the answer is text (and thinking) ending in a
 * text block — a cut tool call or thinking block cannot be continued, and is returned as it is.
 * `undefined` when the answer cannot be continued.
 */
export const maxTokens = (original: Params, message: Message, continuePrompt: string): Next | undefined => {
  const last = message.content.at(-1)
  if (last === undefined || last.type !== "text") return undefined
  if (!message.content.every((block) => block.type === "text" || isThinking(block))) return undefined
  const text = Content.textOf(message.content)
  const [kept, trailing] = trimEnd(text)
  if (kept.length === 0) return undefined
  const thinking = original.thinking !== undefined && original.thinking.type !== "disabled"
  const prefill = Model.resumeMode(original.model) === "prefill" && !thinking
  const join = (head: string): string => {
    if (!prefill) return Stitch.join(text, head).slice(text.length)
    // the prefill left out the trailing whitespace: where the answer says it again, it is not doubled
    let i = 0
    while (i < trailing.length && i < head.length && head.charAt(i) === trailing.charAt(i)) i++
    return head.slice(i)
  }
  return {
    kind: prefill ? "prefill" : "continuation",
    params: prefill
      ? { ...original, messages: appendAssistant(original.messages, kept) }
      : {
          ...original,
          messages: [...appendAssistant(original.messages, text), { role: "user", content: continuePrompt }]
        },
    merge: (reply) => {
      const first = reply.content.findIndex((block) => block.type === "text")
      const head = first >= 0 ? reply.content[first] : undefined
      const extended =
        head !== undefined && head.type === "text"
          ? {
              ...last,
              text: last.text + join(head.text),
              ...(head.citations != null && head.citations.length > 0
                ? { citations: [...(last.citations ?? []), ...head.citations] }
                : {})
            }
          : last
      // the continuation's own thinking would split the answer in two: it is left out
      const rest = reply.content.filter((block, index) => index !== first && !isThinking(block))
      return merged(message, reply, [...message.content.slice(0, -1), extended, ...rest])
    }
  }
}
