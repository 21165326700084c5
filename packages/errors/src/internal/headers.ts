import * as Duration from "effect/Duration"
import type * as RH from "../ResponseHeaders.js"

export const MAX_RETRY_AFTER: Duration.Duration = Duration.hours(1)

export const get = (headers: RH.HeadersInput, name: string): string | undefined => getLower(headers, name.toLowerCase())

/** {@link get} of a name already in lower case. */
const getLower = (headers: RH.HeadersInput, lower: string): string | undefined => {
  if (headers === undefined || headers === null) return undefined
  if (typeof (headers as { get?: unknown }).get === "function") {
    try {
      const value = (headers as { get: (name: string) => string | null | undefined }).get(lower)
      return value === null || value === undefined ? undefined : String(value)
    } catch {
      return undefined
    }
  }
  const record = headers as Readonly<Record<string, unknown>>
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== lower) continue
    const value = record[key]
    if (value === undefined || value === null) return undefined
    if (Array.isArray(value)) return value.map(String).join(", ")
    return String(value)
  }
  return undefined
}

// A non-negative decimal number: integer, fraction, or with an exponent (`1e3`, `2.5E-1`).
const DELTA = /^\s*\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/
// IMF-fixdate, RFC 850 and asctime all contain a letter and a colon; Date.parse reads them.
const LOOKS_LIKE_DATE = /[A-Za-z]{3}.*\d{1,2}:\d{2}:\d{2}/

const MAX_MILLIS = Duration.toMillis(MAX_RETRY_AFTER)

/**
 * A wait in milliseconds, capped at `MAX_RETRY_AFTER`. A number too large to represent
 * (`1e400`, or `1e308` seconds in milliseconds) is still a number a server sent to say "wait
 * long": it is capped too, not ignored.
 */
const capped = (millis: number): Duration.Duration | undefined => {
  if (Number.isNaN(millis) || millis < 0) return undefined
  return millis >= MAX_MILLIS ? MAX_RETRY_AFTER : Duration.millis(Math.ceil(millis))
}

export const parseRetryAfterMs = (value: string | undefined): Duration.Duration | undefined => {
  if (value === undefined || !DELTA.test(value)) return undefined
  return capped(Number(value))
}

export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  if (DELTA.test(value)) return capped(Number(value) * 1000)
  if (!LOOKS_LIKE_DATE.test(value)) return undefined
  const at = Date.parse(value)
  if (Number.isNaN(at)) return undefined
  return capped(Math.max(0, at - now))
}

export const retryAfter = (headers: RH.HeadersInput, now: number): Duration.Duration | undefined =>
  parseRetryAfterMs(get(headers, "retry-after-ms")) ?? parseRetryAfter(get(headers, "retry-after"), now)

export const shouldRetry = (headers: RH.HeadersInput): boolean | undefined => {
  const value = get(headers, "x-should-retry")?.trim().toLowerCase()
  return value === "true" ? true : value === "false" ? false : undefined
}

/** A request id as found in a header or a body: dropped when absurdly long or with control characters. */
export const sanitizeId = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const trimmed = value.trim()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (trimmed.length === 0 || trimmed.length > 256 || /[\u0000-\u001f\u007f]/.test(trimmed)) return undefined
  return trimmed
}

export const requestId = (headers: RH.HeadersInput): string | undefined =>
  sanitizeId(get(headers, "request-id") ?? get(headers, "x-request-id"))

// Per bucket: its kind and its three header names (built once: the parse runs on every reply).
const BUCKETS: ReadonlyArray<readonly [RH.RateLimitKind, string, string, string]> = (
  [
    ["requests", "requests"],
    ["tokens", "tokens"],
    ["inputTokens", "input-tokens"],
    ["outputTokens", "output-tokens"]
  ] as const
).map(([kind, name]) => [
  kind,
  `anthropic-ratelimit-${name}-limit`,
  `anthropic-ratelimit-${name}-remaining`,
  `anthropic-ratelimit-${name}-reset`
])

const NON_NEGATIVE_INT = /^\s*\d{1,15}\s*$/
// RFC 3339: date, "T" or space, time, optional fraction, Z or offset.
const RFC3339 = /^\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\s*$/

const parseCount = (value: string | undefined): number | undefined =>
  value !== undefined && NON_NEGATIVE_INT.test(value) ? Number(value) : undefined

export const parseRfc3339 = (value: string | undefined): Date | undefined => {
  if (value === undefined || !RFC3339.test(value)) return undefined
  const date = new Date(value.trim())
  return Number.isNaN(date.getTime()) ? undefined : date
}

export const rateLimit = (headers: RH.HeadersInput): RH.RateLimitSnapshot | undefined => {
  if (headers === undefined || headers === null) return undefined
  let snapshot: { -readonly [K in RH.RateLimitKind]?: RH.RateLimitBucket } | undefined
  for (const [kind, limitName, remainingName, resetName] of BUCKETS) {
    const limit = parseCount(getLower(headers, limitName))
    const remaining = parseCount(getLower(headers, remainingName))
    const reset = parseRfc3339(getLower(headers, resetName))
    if (limit === undefined && remaining === undefined && reset === undefined) continue
    const bucket: { -readonly [K in keyof RH.RateLimitBucket]: RH.RateLimitBucket[K] } = {}
    if (limit !== undefined) bucket.limit = limit
    if (remaining !== undefined) bucket.remaining = remaining
    if (reset !== undefined) bucket.reset = reset
    snapshot ??= {}
    snapshot[kind] = bucket
  }
  return snapshot
}

export const exhausted = (snapshot: RH.RateLimitSnapshot | undefined): RH.RateLimitKind | undefined => {
  if (snapshot === undefined) return undefined
  for (const kind of ["requests", "inputTokens", "outputTokens", "tokens"] as const) {
    if (snapshot[kind]?.remaining === 0) return kind
  }
  return undefined
}
