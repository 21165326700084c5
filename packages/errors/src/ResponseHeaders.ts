/**
 * Parsers for the headers of a Claude API response: `retry-after`, `retry-after-ms`,
 * `x-should-retry`, `request-id` and the `anthropic-ratelimit-*` family.
 *
 * Every parser is total: any input, however absurd, yields a value or `undefined`,
 * never a throw and never a nonsense number.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as internal from "./internal/headers.js"

/**
 * Any shape of headers the toolkit meets: a fetch `Headers`, a Node header record,
 * or a plain record.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const headers: ResponseHeaders.HeadersInput = { "retry-after": "3" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type HeadersInput =
  | Headers
  | { readonly get: (name: string) => string | null | undefined }
  | Readonly<Record<string, string | ReadonlyArray<string> | number | undefined | null>>
  | undefined
  | null

/**
 * The longest `retry-after` the toolkit passes on. Larger values (including
 * absurd ones like `1e308`, or a number too large to represent) are capped to this, so a budgeted retry policy can still
 * decide to stop instead of sleeping for centuries.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * Duration.toSeconds(ResponseHeaders.MAX_RETRY_AFTER) // 3600
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const MAX_RETRY_AFTER: Duration.Duration = internal.MAX_RETRY_AFTER

/**
 * Reads one header, case-insensitively, from any {@link HeadersInput}. Arrays are
 * joined with `, ` as HTTP does.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.get({ "Retry-After": "3" }, "retry-after") // "3"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const get: (headers: HeadersInput, name: string) => string | undefined = internal.get

/**
 * Parses a `retry-after-ms` value: a non-negative decimal number of milliseconds (integer,
 * fraction or exponent form such as `1e3`). Negative, non-numeric (`NaN`, `Infinity`, hex,
 * units) and empty values give `undefined`; values above {@link MAX_RETRY_AFTER} are capped,
 * including numbers too large to represent (`1e400`).
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.parseRetryAfterMs("1500") // Duration of 1500 ms
 * ResponseHeaders.parseRetryAfterMs("1e308") // MAX_RETRY_AFTER (1 hour)
 * ResponseHeaders.parseRetryAfterMs("-1") // undefined
 * ```
 *
 * @since 0.1.0
 * @category Parsers
 */
export const parseRetryAfterMs: (value: string | undefined) => Duration.Duration | undefined =
  internal.parseRetryAfterMs

/**
 * Parses a `retry-after` value, either delta-seconds (integer or fractional) or an
 * HTTP-date, relative to `now` (epoch milliseconds, from the Effect `Clock`).
 *
 * Rules: delta-seconds is a non-negative decimal number (integer, fraction or exponent form
 * such as `1e12`); negative, `NaN`, `Infinity`, empty and garbage values give `undefined`; a
 * date in the past gives zero; anything above {@link MAX_RETRY_AFTER} is capped — an absurd
 * value still means "wait long", so it is capped rather than ignored, numbers too large to
 * represent included.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.parseRetryAfter("2.5", 0) // 2500 ms
 * ResponseHeaders.parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 0) // 10 s
 * ```
 *
 * @since 0.1.0
 * @category Parsers
 */
export const parseRetryAfter: (value: string | undefined, now: number) => Duration.Duration | undefined =
  internal.parseRetryAfter

/**
 * The server's wait instruction from a set of headers: `retry-after-ms` when valid
 * (it is more precise), else `retry-after`.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.retryAfter({ "retry-after": "7" }, Date.now()) // 7 s
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retryAfter: (headers: HeadersInput, now: number) => Duration.Duration | undefined = internal.retryAfter

/**
 * Reads `x-should-retry`: `true` / `false` (case-insensitive) or `undefined` for a
 * missing or garbage value.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.shouldRetry({ "x-should-retry": "false" }) // false
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const shouldRetry: (headers: HeadersInput) => boolean | undefined = internal.shouldRetry

/**
 * Reads the request id (`request-id`, or the older `x-request-id`). Values that are
 * absurdly long or contain control characters are dropped.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.requestId({ "request-id": "req_011CS" }) // "req_011CS"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const requestId: (headers: HeadersInput) => string | undefined = internal.requestId

/**
 * One rate-limit bucket as reported by `anthropic-ratelimit-<bucket>-{limit,remaining,reset}`.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const left = (b: ResponseHeaders.RateLimitBucket) => b.remaining ?? Number.POSITIVE_INFINITY
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const RateLimitBucket = Schema.Struct({
  limit: Schema.optional(Schema.Number),
  remaining: Schema.optional(Schema.Number),
  reset: Schema.optional(Schema.DateFromSelf)
})

/**
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const left = (b: ResponseHeaders.RateLimitBucket) => b.remaining ?? Number.POSITIVE_INFINITY
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type RateLimitBucket = typeof RateLimitBucket.Type

/**
 * The rate-limit snapshot of one response: one optional bucket per limit the API
 * reports.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const inputLeft = (s: ResponseHeaders.RateLimitSnapshot) => s.inputTokens?.remaining
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const RateLimitSnapshot = Schema.Struct({
  requests: Schema.optional(RateLimitBucket),
  tokens: Schema.optional(RateLimitBucket),
  inputTokens: Schema.optional(RateLimitBucket),
  outputTokens: Schema.optional(RateLimitBucket)
})

/**
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const inputLeft = (s: ResponseHeaders.RateLimitSnapshot) => s.inputTokens?.remaining
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type RateLimitSnapshot = typeof RateLimitSnapshot.Type

/**
 * The names of the rate-limit buckets.
 *
 * @example
 * ```ts
 * import type { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const kind: ResponseHeaders.RateLimitKind = "outputTokens"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type RateLimitKind = keyof RateLimitSnapshot

/**
 * Parses an RFC 3339 timestamp as the API sends in `anthropic-ratelimit-*-reset`.
 * Anything else gives `undefined`.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.parseRfc3339("2026-01-01T00:00:30Z")?.toISOString() // "2026-01-01T00:00:30.000Z"
 * ```
 *
 * @since 0.1.0
 * @category Parsers
 */
export const parseRfc3339: (value: string | undefined) => Date | undefined = internal.parseRfc3339

/**
 * Parses the `anthropic-ratelimit-*` headers. Returns `undefined` when none of them
 * is present; invalid numbers and timestamps are dropped one by one.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * const snapshot = ResponseHeaders.rateLimit({
 *   "anthropic-ratelimit-requests-limit": "50",
 *   "anthropic-ratelimit-requests-remaining": "0",
 *   "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:30Z"
 * })
 * snapshot?.requests?.remaining // 0
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const rateLimit: (headers: HeadersInput) => RateLimitSnapshot | undefined = internal.rateLimit

/**
 * Which bucket ran out, judged from a snapshot: the first with `remaining: 0`, in
 * the order requests, input tokens, output tokens, tokens.
 *
 * @example
 * ```ts
 * import { ResponseHeaders } from "@claude-resilience/errors"
 *
 * ResponseHeaders.exhausted({ inputTokens: { remaining: 0 } }) // "inputTokens"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const exhausted: (snapshot: RateLimitSnapshot | undefined) => RateLimitKind | undefined = internal.exhausted
