/**
 * Every failure a Claude API call can produce, as one tagged union.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  InvalidRequestError,
  AuthenticationError,
  BillingError,
  PermissionError,
  NotFoundError,
  RequestTimeoutError,
  ConflictError,
  RequestTooLargeError,
  UnprocessableEntityError,
  RateLimitError,
  ApiError,
  BadGatewayError,
  ServiceUnavailableError,
  GatewayTimeoutError,
  OverloadedError,
  UnknownApiError
} from "./ResponseErrors.js"
import {
  ConnectionError,
  TimeoutError,
  CircuitOpenError,
  QuotaExceededError,
  PreflightError,
  RefusalError,
  ContextWindowExceededError,
  BulkheadRejectedError
} from "./LocalErrors.js"
import * as classify from "./internal/classify.js"
import * as internal from "./internal/decode.js"
import * as member from "./internal/member.js"
import type { Phase } from "./ResponseErrors.js"
import type { Secrets } from "./Redaction.js"
import type { HeadersInput } from "./ResponseHeaders.js"

/**
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const branded = (u: object) => ClaudeError.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export const TypeId: unique symbol = member.TypeId

/**
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const branded = (u: object) => ClaudeError.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export type TypeId = typeof TypeId

export * from "./LocalErrors.js"
export * from "./ResponseErrors.js"

/**
 * Every failure a Claude API call can produce.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Effect } from "effect"
 *
 * declare const call: Effect.Effect<string, ClaudeError.ClaudeError>
 * call.pipe(Effect.catchTags({ AuthenticationError: () => Effect.succeed("check your key") }))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ClaudeError =
  | InvalidRequestError
  | AuthenticationError
  | BillingError
  | PermissionError
  | NotFoundError
  | RequestTimeoutError
  | ConflictError
  | RequestTooLargeError
  | UnprocessableEntityError
  | RateLimitError
  | ApiError
  | BadGatewayError
  | ServiceUnavailableError
  | GatewayTimeoutError
  | OverloadedError
  | UnknownApiError
  | ConnectionError
  | TimeoutError
  | CircuitOpenError
  | QuotaExceededError
  | PreflightError
  | RefusalError
  | ContextWindowExceededError
  | BulkheadRejectedError

/**
 * The members that come from an HTTP status or an error body.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const status = (e: ClaudeError.ApiResponseError) => e.status
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ApiResponseError = Exclude<
  ClaudeError,
  | ConnectionError
  | TimeoutError
  | CircuitOpenError
  | QuotaExceededError
  | PreflightError
  | RefusalError
  | ContextWindowExceededError
  | BulkheadRejectedError
>

/**
 * The tag of every member.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const retried: ReadonlyArray<ClaudeError.Tag> = ["RateLimitError", "OverloadedError"]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Tag = ClaudeError["_tag"]

/**
 * The schema of the whole union: decode errors sent over the wire or stored (a shared
 * circuit store, an RPC), or encode them.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const encode = Schema.encodeSync(ClaudeError.ClaudeError)
 * encode(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 }))
 * ```
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ClaudeError = Schema.Union(
  InvalidRequestError,
  AuthenticationError,
  BillingError,
  PermissionError,
  NotFoundError,
  RequestTimeoutError,
  ConflictError,
  RequestTooLargeError,
  UnprocessableEntityError,
  RateLimitError,
  ApiError,
  BadGatewayError,
  ServiceUnavailableError,
  GatewayTimeoutError,
  OverloadedError,
  UnknownApiError,
  ConnectionError,
  TimeoutError,
  CircuitOpenError,
  QuotaExceededError,
  PreflightError,
  RefusalError,
  ContextWindowExceededError,
  BulkheadRejectedError
)

const constructors = Object.fromEntries(ClaudeError.members.map((m) => [m._tag, m])) as unknown as {
  readonly [K in Tag]: new (
    props: Record<string, unknown>,
    disableValidation?: boolean
  ) => ClaudeError
}

// The decoders describe a member (tag and sanitised fields); the classes are built here, so the
// internal modules need no value from this one.
const construct = (decoded: ClaudeError | internal.Decoded): ClaudeError =>
  member.isClaudeError(decoded) ? decoded : new constructors[decoded._tag](decoded.fields, true)

/**
 * Builds a member without running its constructor: no validation, no defaults (give every field
 * a default would fill), and no stack trace. Capturing an `Error`'s stack costs tens of
 * microseconds on a deep fiber stack; code that fails often with fields it knows are valid (a
 * circuit breaker's or a limiter's rejections) uses this instead of `new`.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const rejected = ClaudeError.unsafeMake(ClaudeError.CircuitOpenError, {
 *   message: "circuit claude-haiku-4-5 is isolated until reset",
 *   key: "claude-haiku-4-5",
 *   state: "Isolated"
 * })
 * rejected instanceof ClaudeError.CircuitOpenError // true
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const unsafeMake = <C extends (new (props: never, options?: never) => ClaudeError) & { readonly _tag: string }>(
  memberClass: C,
  props: ConstructorParameters<C>[0]
): InstanceType<C> => member.unsafeMake(memberClass, props as object)

/**
 * Every tag, in the order of the error table.
 *
 * @since 0.1.0
 * @category Models
 */
export const tags: ReadonlyArray<Tag> = ClaudeError.members.map((m) => m._tag as Tag)

/**
 * Whether a value is a {@link ClaudeError}.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.isClaudeError(new Error("x")) // false
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isClaudeError: (u: unknown) => u is ClaudeError = member.isClaudeError

/**
 * Whether an error came from an HTTP response or an SSE `error` event (rather than
 * the transport or our circuit breaker).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.isApiResponseError(new ClaudeError.ApiError({ message: "x", status: 500 })) // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isApiResponseError: (e: ClaudeError) => e is ApiResponseError = classify.isApiResponseError

/**
 * What to do about one kind of failure (a row of the source article's "Action" column).
 *
 * - `retry`: `"never"`, `"backoff"` (exponential with jitter), `"retry-after"` (at
 *   least the server's wait), `"longer-backoff"` (529), `"ladder"` (502: 3, 10, 30, 60,
 *   120 s), `"after-circuit"` (wait for the circuit's `retryAfter`).
 * - `action`: what a human should do about it.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.advice.RateLimitError.retry // "retry-after"
 * ```
 *
 * @since 0.1.0
 * @category Classification
 */
export interface Advice {
  readonly retryable: boolean
  readonly retry: "never" | "backoff" | "retry-after" | "longer-backoff" | "ladder" | "after-circuit"
  readonly action: string
}

/**
 * What to do about each kind of failure: the source article's "Action" column as data.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.advice.RateLimitError.retry // "retry-after"
 * ```
 *
 * @since 0.1.0
 * @category Classification
 */
export const advice: { readonly [K in Tag]: Advice } = classify.advice

/**
 * Whether retrying may succeed. `x-should-retry` from the server overrides the
 * default; a 5xx without a member of its own is retryable; an aborted request is not.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.isRetryable(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })) // true
 * ClaudeError.isRetryable(new ClaudeError.InvalidRequestError({ message: "bad", status: 400 })) // false
 * ```
 *
 * @since 0.1.0
 * @category Classification
 */
export const isRetryable: (error: ClaudeError) => boolean = classify.isRetryable

/**
 * Whether the failure says the server side is unhealthy (5xx, 529, transport,
 * timeout), as opposed to our request or our rate. Circuit breakers count these.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.isServerFailure(new ClaudeError.RateLimitError({ message: "slow", status: 429 })) // false
 * ```
 *
 * @since 0.1.0
 * @category Classification
 */
export const isServerFailure: (error: ClaudeError) => boolean = classify.isServerFailure

/**
 * The member for an HTTP status alone (no body): the first column of the error table.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.tagForStatus(529) // "OverloadedError"
 * ClaudeError.tagForStatus(507) // "ApiError"
 * ClaudeError.tagForStatus(418) // "UnknownApiError"
 * ```
 *
 * @since 0.1.0
 * @category Classification
 */
export const tagForStatus: (status: number) => Tag = internal.tagForStatus

/**
 * The input of {@link fromResponse}: an HTTP status, its headers and its raw body.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ResponseInput {
  readonly status?: number | undefined
  readonly headers?: HeadersInput
  /** Raw text or bytes, or an already parsed JSON value (as the SDK keeps it). */
  readonly body?: string | Uint8Array | unknown
  readonly phase?: Phase | undefined
  /** Secrets (the API key) removed from every string field, in every encoding `Redaction` knows. */
  readonly secrets?: Secrets | undefined
}

/**
 * Options of {@link fromUnknown}: the phase the failure happened in, and the secrets to remove
 * from every string field (see {@link ResponseInput}).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Redacted } from "effect"
 *
 * const options: ClaudeError.DecodeOptions = { phase: "stream", secrets: [Redacted.make("sk-ant-api03-...")] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface DecodeOptions {
  readonly phase?: Phase | undefined
  readonly secrets?: Secrets | undefined
}

/**
 * Builds the member for an HTTP response, given the current time in epoch
 * milliseconds (used to resolve an HTTP-date `retry-after`). Pure and total.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const e = ClaudeError.fromResponseAt(
 *   { status: 429, headers: { "retry-after": "3" }, body: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' },
 *   Date.now()
 * )
 * e._tag // "RateLimitError"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromResponseAt = (input: ResponseInput, now: number): ApiResponseError =>
  construct(internal.fromResponse(input, now)) as ApiResponseError

/**
 * Builds the member for an HTTP response, reading the time from the Effect `Clock`
 * (so `TestClock` controls how an HTTP-date `retry-after` resolves).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Effect } from "effect"
 *
 * const program = ClaudeError.fromResponse({ status: 502, body: "<html><title>502 Bad Gateway</title></html>" })
 * // Effect<ApiResponseError>: a BadGatewayError with a bodySnippet
 * Effect.runSync(program)._tag // "BadGatewayError"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromResponse = (input: ResponseInput): Effect.Effect<ApiResponseError> =>
  Effect.map(
    Effect.clockWith((clock) => clock.currentTimeMillis),
    (now) => fromResponseAt(input, now)
  )

/**
 * Builds the member for anything the official `@anthropic-ai/sdk` throws or rejects
 * with — its `APIError` family, connection and timeout errors, user aborts — and for
 * the plain errors `fetch` raises when a socket dies. Never throws; an unrecognised
 * value becomes an `UnknownApiError`. Pure, given `now`. `options.secrets` (the API key) are
 * removed from every string field, in every encoding `Redaction` knows.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.fromUnknownAt(new TypeError("fetch failed"), Date.now())._tag // "ConnectionError"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromUnknownAt = (u: unknown, now: number, options?: DecodeOptions): ClaudeError =>
  construct(internal.fromUnknown(u, now, options))

/**
 * {@link fromUnknownAt} with the time from the Effect `Clock`. Use it in
 * `Effect.tryPromise({ try, catch })` style code, or after `Effect.either`.
 *
 * @example
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk"
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Effect } from "effect"
 *
 * const client = new Anthropic({ maxRetries: 0 })
 * const call = Effect.tryPromise(() =>
 *   client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
 * ).pipe(Effect.catchAll((e) => Effect.flip(ClaudeError.fromUnknown(e.error))))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromUnknown = (u: unknown, options?: DecodeOptions): Effect.Effect<ClaudeError> =>
  Effect.map(
    Effect.clockWith((clock) => clock.currentTimeMillis),
    (now) => fromUnknownAt(u, now, options)
  )

/**
 * Builds the member for the payload of an SSE `event: error` that arrived mid-stream,
 * e.g. `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`.
 * The phase is `"stream"`; the status comes from the error type.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * ClaudeError.fromStreamEvent({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })._tag
 * // "OverloadedError"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromStreamEvent = (
  payload: unknown,
  headers?: HeadersInput,
  options?: { readonly secrets?: Secrets | undefined }
): ApiResponseError =>
  construct(
    internal.fromResponse({ body: payload, headers, phase: "stream", secrets: options?.secrets }, 0)
  ) as ApiResponseError

/**
 * The `retryAfter` of any error that has one — a {@link ClaudeError} or any other
 * value with a `retryAfter: Duration` field.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * ClaudeError.retryAfterOf(new ClaudeError.RateLimitError({ message: "x", retryAfter: Duration.seconds(2) }))
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retryAfterOf: (error: unknown) => Duration.Duration | undefined = internal.retryAfterOf
