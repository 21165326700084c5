import * as Redacted from "effect/Redacted"

export const MARK = "[REDACTED]"

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")

/** A hex digit string as a case-insensitive pattern: `2d` → `2[dD]`. */
const hexPattern = (hex: string): string =>
  [...hex].map((h) => (/[a-f]/.test(h) ? `[${h}${h.toUpperCase()}]` : h)).join("")

/**
 * One ASCII character as it may appear in a text: itself, percent-encoded (once or twice:
 * `%2D`, `%252D`), JSON-escaped (`\u002d`) or as an HTML character reference (`&#45;`, `&#x2d;`).
 * Every form is at most {@link MAX_CHAR_FORM} characters long.
 */
const charForms = (c: string): string => {
  const code = c.charCodeAt(0)
  if (code > 0x7f) return escapeRegExp(c)
  const hex = hexPattern(code.toString(16).padStart(2, "0"))
  return `(?:${escapeRegExp(c)}|%(?:25)?${hex}|\\\\u00${hex}|&#${code};|&#[xX]${hex};)`
}

/** The longest form {@link charForms} accepts for one character (`%2573`, `\u0073`, `&#115;`). */
const MAX_CHAR_FORM = 6

/**
 * Base64 of `text` as it appears inside a longer base64 string: the text may start at any of
 * the three byte offsets of a 3-byte group, and the characters that mix its bits with its
 * neighbours' are left out. Standard and URL-safe alphabets.
 */
const base64Forms = (text: string): ReadonlyArray<string> => {
  const bytes = new TextEncoder().encode(text)
  const forms: Array<string> = []
  for (const offset of [0, 1, 2]) {
    const padded = new Uint8Array(offset + bytes.length)
    padded.set(bytes, offset)
    const encoded = btoa(String.fromCharCode(...padded))
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor((padded.length * 8) / 6))
    forms.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"))
  }
  return forms
}

const hexForms = (text: string): ReadonlyArray<string> => {
  const hex = [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("")
  return [hex, hex.toUpperCase()]
}

/** A secret's own forms shorter than this are left to the literal and generic patterns. */
const MIN_ENCODED = 8

interface Compiled {
  readonly pattern: RegExp
  /** the longest text one match of a secret's own forms can span */
  readonly longest: number
}

const compile = (secret: string): Compiled | undefined => {
  if (secret.length === 0) return undefined
  const literal = [...secret].map(charForms).join("")
  const encoded = [...new Set([...base64Forms(secret), ...hexForms(secret)])].filter((f) => f.length >= MIN_ENCODED)
  return {
    pattern: new RegExp([literal, ...encoded.map(escapeRegExp)].join("|"), "g"),
    longest: Math.max(secret.length * MAX_CHAR_FORM, ...encoded.map((f) => f.length))
  }
}

// Built once per secret: a client passes the same `Redacted` for every call.
const cache = new WeakMap<Redacted.Redacted<string>, Compiled | undefined>()

const compiled = (secret: Redacted.Redacted<string>): Compiled | undefined => {
  if (cache.has(secret)) return cache.get(secret)
  const value = Redacted.value(secret)
  const result = typeof value === "string" ? compile(value) : undefined
  cache.set(secret, result)
  return result
}

const KEY_CHAR = String.raw`(?:[A-Za-z0-9_-]|%(?:25)?[0-9A-Fa-f]{2}|\\u00[0-9A-Fa-f]{2}|&#\d{1,3};|&#[xX][0-9A-Fa-f]{1,2};)`
/** `sk-ant-…` keys in every form {@link charForms} knows. */
const KEY_PATTERN = new RegExp(`${[..."sk-ant-"].map(charForms).join("")}${KEY_CHAR}+`, "g")
/** Base64 (at any byte offset, either alphabet) and hex of a text starting with `sk-ant-`. */
const ENCODED_KEY_PATTERN = /(?:c2stYW50L|NrLWFudC|zay1hbnQt)[A-Za-z0-9+/_-]*=*|736[bB]2[dD]616[eE]742[dD][0-9A-Fa-f]*/g
const BEARER_PATTERN = /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi

/** What a match of the generic patterns may keep: none of them needs more than this. */
const GENERIC_TAIL = 64

/**
 * Removes the given secrets — raw, percent-encoded, JSON-escaped, as HTML character references,
 * in base64 or hex — and, whatever the secrets, anything shaped like an Anthropic key (`sk-ant-…`
 * in the same encodings) or a bearer token.
 */
export const redact = (text: string, secrets?: ReadonlyArray<Redacted.Redacted<string>>): string => {
  let out = text
  if (secrets !== undefined) {
    for (const secret of secrets) {
      const c = compiled(secret)
      if (c !== undefined) out = out.replace(c.pattern, MARK)
    }
  }
  return out
    .replace(KEY_PATTERN, `sk-ant-${MARK}`)
    .replace(ENCODED_KEY_PATTERN, MARK)
    .replace(BEARER_PATTERN, `$1${MARK}`)
}

/** Texts longer than this are cut before they are redacted. */
const REDACT_LIMIT = 64 * 1024

/**
 * {@link redact} for a text that is cut afterwards (a message, a snippet): a text longer than
 * 64 KB is cut first, and then loses the tail where a secret cut in two could start, so no
 * prefix of the result holds a piece of a secret.
 */
export const redactHead = (text: string, secrets?: ReadonlyArray<Redacted.Redacted<string>>): string => {
  if (text.length <= REDACT_LIMIT) return redact(text, secrets)
  let longest = GENERIC_TAIL
  if (secrets !== undefined) for (const s of secrets) longest = Math.max(longest, compiled(s)?.longest ?? 0)
  const head = redact(text.slice(0, REDACT_LIMIT), secrets)
  return head.slice(0, Math.max(0, head.length - longest))
}
