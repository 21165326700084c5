/**
 * The request of the next attempt after a failure: which way the stream resumes (an ordinary
 * retry, a prefill, the continuation turn or a restart) and the messages it sends.
 *
 * @internal
 */
import type { Content } from "@claude-resilience/api"
import type { Claude } from "@claude-resilience/client"
import type * as ResumableStream from "../ResumableStream.js"

type Params = Claude.MessageStreamParams

/** @internal */
export const DEFAULT_CONTINUE_PROMPT = "Continue from exactly where you left off."

const isWhitespace = (c: string) => /\s/.test(c)

/** Splits `text` into the part a prefill may end with and the trailing whitespace the API rejects. */
const splitTrailingWhitespace = (text: string): readonly [kept: string, trimmed: string] => {
  let end = text.length
  while (end > 0 && isWhitespace(text.charAt(end - 1))) end--
  return [text.slice(0, end), text.slice(end)]
}

/** Appends assistant text to the conversation, extending a caller's own prefill if there is one. */
const appendAssistant = (messages: ReadonlyArray<Content.MessageParam>, text: string): Array<Content.MessageParam> => {
  const out = [...messages]
  const last = out.at(-1)
  if (last !== undefined && last.role === "assistant") {
    const content =
      typeof last.content === "string" ? last.content + text : [...last.content, { type: "text" as const, text }]
    out[out.length - 1] = { ...last, content }
  } else {
    out.push({ role: "assistant", content: text })
  }
  return out
}

/** Extended thinking does not accept a prefill. */
const thinkingEnabled = (params: Params): boolean =>
  params.thinking !== undefined && params.thinking.type !== "disabled"

/** The original request with `kept` (no trailing whitespace) as the assistant's prefill. */
const prefill = (original: Params, kept: string): Params => ({
  ...original,
  messages: appendAssistant(original.messages, kept)
})

/** The article's pattern: the partial `text` as an assistant turn, then a user turn asking to continue. */
const continuation = (original: Params, text: string, prompt: string): Params => ({
  ...original,
  messages: [...appendAssistant(original.messages, text), { role: "user", content: prompt }]
})

/** @internal */
export interface Next {
  readonly kind: Exclude<ResumableStream.AttemptKind, "initial">
  readonly params: Params
  /** whitespace delivered but not sent back: dropped where the next attempt repeats it */
  readonly held: string
  /** why the strategy in force is not the one preferred, when the request decides it */
  readonly fallback: "thinking" | "prefill_unsupported" | undefined
}

/**
 * Plans the next attempt from what the consumer has: `text` delivered and standing, whether any
 * block stands (a restart supersedes them all), whether thinking blocks were delivered.
 *
 * @internal
 */
export const next = (input: {
  readonly original: Params
  readonly preferred: ResumableStream.ResumeStrategy
  readonly continuePrompt: string
  readonly text: string
  readonly standing: boolean
  readonly thinking: boolean
  readonly refusesPrefill: boolean
}): Next => {
  const { original, preferred, text } = input
  if (preferred === "restart" && input.standing) {
    return { kind: "restart", params: original, held: "", fallback: undefined }
  }
  const [kept, trimmed] = splitTrailingWhitespace(text)
  if (kept.length === 0) {
    // nothing worth a prefill: an ordinary retry, reconciling any whitespace already delivered
    return { kind: "retry", params: original, held: text, fallback: undefined }
  }
  const thinking = input.thinking || thinkingEnabled(original)
  const kind = preferred === "prefill" && (thinking || input.refusesPrefill) ? "continuation" : preferred
  const fallback = kind === preferred ? undefined : input.refusesPrefill ? "prefill_unsupported" : "thinking"
  return kind === "prefill"
    ? { kind, params: prefill(original, kept), held: trimmed, fallback }
    : { kind, params: continuation(original, text, input.continuePrompt), held: "", fallback }
}
