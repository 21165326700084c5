/**
 * The API key check, run once when the layer is built. The rule (the key itself never appears in
 * a message, a log or an error; only its length and the kind of character at fault):
 *
 * - whitespace around the key (spaces, tabs, line breaks, a BOM — what `String.prototype.trim`
 *   removes) is trimmed, and the trim logged once at Warning;
 * - then the key is refused when it is empty, wrapped in quotes, starts with `Bearer `, holds any
 *   character outside printable ASCII (`!` to `~`: inner whitespace, a control character, a
 *   typographic quote or dash), or is shorter than 8 or longer than 1024 characters.
 *
 * Nothing else is required: no `sk-ant-` prefix, no length of Anthropic's own keys, so keys of an
 * API-compatible gateway (any printable token) pass.
 */
import type { ClaudeError } from "@claude-resilience/errors"
import { preflightError } from "./fail.js"

export const MIN_LENGTH = 8
export const MAX_LENGTH = 1024

const ADVICE =
  "Check the key's format and trim the environment variable (ANTHROPIC_API_KEY): one line, no quotes, no \"Bearer \" prefix, no spaces inside. To send a key of another shape, set preflight's apiKey to false."

const refuse = (message: string): ClaudeError.PreflightError =>
  preflightError("api_key", "apiKey", `the API key ${message}`, ADVICE)

/** The kind of the first character outside printable ASCII, or `undefined` when there is none. */
const unprintable = (key: string): string | undefined => {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c >= 0x21 && c <= 0x7e) continue
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || /\s/.test(key[i]!)) {
      return "whitespace (a space, tab or line break) inside it"
    }
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) return "a control character"
    return "a non-ASCII character (a typographic quote or dash copied from a document?)"
  }
  return undefined
}

/** The key to send (trimmed) and how many characters the trim removed, or why it is refused. */
export const checkApiKey = (
  raw: string
): { readonly key: string; readonly trimmed: number } | ClaudeError.PreflightError => {
  const key = raw.trim()
  if (key.length === 0) return refuse(raw.length === 0 ? "is empty" : "is only whitespace")
  const first = key[0]
  if (key.length >= 2 && (first === '"' || first === "'" || first === "`") && key[key.length - 1] === first) {
    return refuse("is wrapped in quotes")
  }
  if (/^bearer\s/i.test(key)) return refuse('starts with "Bearer "; pass the key alone')
  const bad = unprintable(key)
  if (bad !== undefined) return refuse(`contains ${bad}`)
  if (key.length < MIN_LENGTH) return refuse(`is only ${key.length} characters long`)
  if (key.length > MAX_LENGTH) return refuse(`is ${key.length} characters long, more than ${MAX_LENGTH}`)
  return { key, trimmed: raw.length - key.length }
}
