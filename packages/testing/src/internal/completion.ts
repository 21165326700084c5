/**
 * Deterministic text, token estimates and request helpers shared by the fake server.
 *
 * @internal
 */
import { Content, Tokens } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"

/** @internal */
export interface CompletionMessage {
  readonly role: string
  readonly content: string | ReadonlyArray<unknown>
}

/** @internal */
export interface CompletionRequest {
  readonly messages: ReadonlyArray<CompletionMessage>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<unknown> | undefined
}

/** @internal */
export const DEFAULT_COMPLETION_CHARS = 900

/** @internal */
export const CONTINUE_PATTERN = /\bcontinue\b/i

/** FNV-1a over UTF-16 code units, mixed with the seed. @internal */
export const hash = (text: string, seed: number): number => {
  let h = (0x811c9dc5 ^ (seed * 0x9e3779b1)) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** A small, fast PRNG (mulberry32) for text generation only. @internal */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = [
  "resilience",
  "request",
  "stream",
  "token",
  "window",
  "retry",
  "budget",
  "circuit",
  "breaker",
  "latency",
  "careful",
  "simple",
  "steady",
  "quiet",
  "model",
  "answer",
  "question",
  "context",
  "effect",
  "schedule",
  "layer",
  "server",
  "client",
  "socket",
  "header",
  "signal",
  "the",
  "a",
  "of",
  "and",
  "to",
  "in",
  "with",
  "for",
  "every",
  "each",
  "after",
  "before",
  "while",
  "because",
  "naïve",
  "café",
  "façade",
  "über",
  "déjà",
  "—",
  "rate",
  "limit",
  "minute",
  "second",
  "gentle",
  "backoff",
  "jitter",
  "overload",
  "recovery",
  "partial",
  "complete",
  "message",
  "assistant",
  "user",
  "delta",
  "event",
  "ordered",
  "exactly",
  "once",
  "again",
  "clock",
  "scaled",
  "honest",
  "record",
  "count",
  "outage",
  "fallback",
  "graceful",
  "timeout",
  "patient",
  "bounded",
  "queue",
  "seed",
  "reproducible"
] as const

/** Concatenated text of a message's content: strings, text blocks and tool results. @internal */
export const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  const parts: Array<string> = []
  for (const block of Content.blocksOf(content)) {
    if (Content.isText(block)) parts.push(block.text)
    else if (Predicate.isRecord(block) && block.type === "tool_result") parts.push(contentText(block.content))
  }
  return parts.join("\n")
}

/**
 * The prompt a completion is derived from, and the prefix already produced (an assistant prefill, or the
 * partial assistant turn before a "continue" user message).
 *
 * @internal
 */
export const promptOf = (request: CompletionRequest): { readonly prompt: string; readonly prefix: string } => {
  const messages = request.messages
  const last = messages[messages.length - 1]
  if (last === undefined) return { prompt: "", prefix: "" }
  if (last.role === "assistant") {
    const before = messages.slice(0, -1)
    const inner = promptOf({ ...request, messages: before })
    return { prompt: inner.prompt, prefix: inner.prefix + contentText(last.content) }
  }
  const lastText = contentText(last.content)
  const partial = messages[messages.length - 2]
  const original = messages[messages.length - 3]
  if (
    CONTINUE_PATTERN.test(lastText) &&
    partial !== undefined &&
    partial.role === "assistant" &&
    original !== undefined &&
    original.role === "user"
  ) {
    return { prompt: contentText(original.content), prefix: contentText(partial.content) }
  }
  return { prompt: lastText, prefix: "" }
}

/** The deterministic full text for a prompt. @internal */
export const textForPrompt = (prompt: string, seed: number, chars: number = DEFAULT_COMPLETION_CHARS): string => {
  const next = mulberry32(hash(prompt, seed))
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]!
  const topic = prompt.trim().split(/\s+/).slice(0, 4).join(" ")
  let text = topic.length > 0 ? `On "${topic}": ` : ""
  let sentences = 0
  while (text.length < chars) {
    const length = 6 + Math.floor(next() * 9)
    const words: Array<string> = []
    for (let i = 0; i < length; i++) {
      let word: string = pick()
      if (i > 1 && i < length - 1 && next() < 0.08) word += ","
      words.push(word)
    }
    const first = words[0]!
    words[0] = first.charAt(0).toUpperCase() + first.slice(1)
    text += `${words.join(" ")}.`
    sentences++
    text += sentences % 4 === 0 ? "\n\n" : " "
  }
  return text.trimEnd()
}

/** @internal */
export const completionText = (request: CompletionRequest, seed: number, chars?: number): string =>
  textForPrompt(promptOf(request).prompt, seed, chars)

/** FakeClaude charges what the client estimates: the one formula of `@claude-resilience/api`'s `Tokens`. @internal */
export const estimateTextTokens = (text: string): number => Tokens.estimateText(text)

/** @internal */
export const estimateTokens = (request: CompletionRequest): number => Tokens.estimate(request)

/** Split text into deltas of a few words each, keeping every character. @internal */
export const chunkText = (text: string, wordsPerChunk: number): ReadonlyArray<string> => {
  const tokens = text.match(/\s*\S+/g) ?? []
  const chunks: Array<string> = []
  for (let i = 0; i < tokens.length; i += wordsPerChunk) {
    chunks.push(tokens.slice(i, i + wordsPerChunk).join(""))
  }
  const joined = chunks.join("")
  if (joined.length < text.length) {
    const rest = text.slice(joined.length)
    if (chunks.length === 0) chunks.push(rest)
    else chunks[chunks.length - 1] += rest
  }
  return chunks
}

/** Split a string into fixed-size pieces. @internal */
export const chunkChars = (text: string, size: number): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** A deterministic tool input derived from a JSON schema's properties. @internal */
export const toolInputFor = (schema: unknown, seed: number): Record<string, unknown> => {
  const input: Record<string, unknown> = {}
  if (!Predicate.isRecord(schema) || !Predicate.isRecord(schema.properties)) return input
  let n = 0
  for (const [key, prop] of Object.entries(schema.properties)) {
    n++
    const type = Predicate.isRecord(prop) ? prop.type : undefined
    if (Predicate.isRecord(prop) && Array.isArray(prop.enum) && prop.enum.length > 0) input[key] = prop.enum[0]
    else if (type === "number" || type === "integer") input[key] = (hash(key, seed) % 100) + n
    else if (type === "boolean") input[key] = true
    else if (type === "array") input[key] = []
    else if (type === "object") input[key] = {}
    else input[key] = `${key}-${hash(key, seed) % 1000}`
  }
  return input
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** A deterministic id like the API's (`msg_01...`, `req_01...`, `toolu_01...`). @internal */
export const makeId = (prefix: string, n: number, seed: number): string => {
  const next = mulberry32(hash(`${prefix}:${n}`, seed))
  let id = `${prefix}_01`
  for (let i = 0; i < 22; i++) id += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return id
}
