/**
 * Every failure a Claude API call can produce, as one tagged union.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as internal from "./internal/decode.js"
import { RateLimitSnapshot } from "./ResponseHeaders.js"

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
export const TypeId: unique symbol = Symbol.for("@claude-resilience/errors/ClaudeError")

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

/**
 * Where the failure happened: before any response body was consumed (`"request"`)
 * or after a stream had started (`"stream"`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const midStream = (e: ClaudeError.ConnectionError) => e.phase === "stream"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const Phase = Schema.Literal("request", "stream")

/**
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const midStream = (e: ClaudeError.ConnectionError) => e.phase === "stream"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Phase = typeof Phase.Type

const phase = Schema.optionalWith(Phase, { default: () => "request" as const })

/**
 * The fields every error that came from an HTTP response (or an SSE `error` event) carries.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * class ProxyError extends Schema.TaggedError<ProxyError>()("ProxyError", ClaudeError.ApiErrorFields) {}
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const ApiErrorFields = {
  /** The API's own message (or a summary of a non-JSON body). Never contains the API key. */
  message: Schema.String,
  /** The HTTP status, absent for an SSE `error` event that arrived mid-stream. */
  status: Schema.optional(Schema.Number),
  /** `error.type` from the body, e.g. `"overloaded_error"`. */
  errorType: Schema.optional(Schema.String),
  /** `error.details.error_code` from the body, a stable code naming the cause. */
  errorCode: Schema.optional(Schema.String),
  /** `request-id` header or `request_id` in the body. */
  requestId: Schema.optional(Schema.String),
  /** The server's wait instruction (`retry-after-ms` / `retry-after`), sanitised and capped. */
  retryAfter: Schema.optional(Schema.DurationFromSelf),
  /** The `anthropic-ratelimit-*` headers of the response. */
  rateLimit: Schema.optional(RateLimitSnapshot),
  /** `x-should-retry`: when present it overrides the default retry decision. */
  shouldRetry: Schema.optional(Schema.Boolean),
  /** Before or during a stream. */
  phase,
  /** At most 1 KB of a body that was not the API's error JSON (an HTML page from a proxy, say). */
  bodySnippet: Schema.optional(Schema.String)
}

/**
 * `promptTokens > maxTokens` parsed from "prompt is too long: N tokens > M maximum".
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const over = Schema.decodeUnknownSync(ClaudeError.PromptTooLong)({ promptTokens: 205432, maxTokens: 200000 })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const PromptTooLong = Schema.Struct({ promptTokens: Schema.Number, maxTokens: Schema.Number })

/**
 * A `max_tokens` that the model cannot give: either above the model's output limit
 * (`contextLimit` absent) or input + max_tokens above the context window.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const clamp = (e: ClaudeError.InvalidRequestError) => e.maxTokensTooLarge?.maximum
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const MaxTokensTooLarge = Schema.Struct({
  maxTokens: Schema.Number,
  maximum: Schema.Number,
  inputTokens: Schema.optional(Schema.Number)
})

/**
 * 400 `invalid_request_error`: the request is malformed. Carries parsed token counts
 * when the context window or `max_tokens` was exceeded.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Effect } from "effect"
 *
 * declare const call: Effect.Effect<string, ClaudeError.ClaudeError>
 * call.pipe(
 *   Effect.catchTag("InvalidRequestError", (e) =>
 *     e.promptTooLong ? Effect.succeed(`over by ${e.promptTooLong.promptTokens - e.promptTooLong.maxTokens}`) : Effect.fail(e)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>()("InvalidRequestError", {
  ...ApiErrorFields,
  promptTooLong: Schema.optional(PromptTooLong),
  maxTokensTooLarge: Schema.optional(MaxTokensTooLarge)
}) {}

/**
 * 401 `authentication_error`: the API key is missing or invalid.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.AuthenticationError({ message: "invalid x-api-key", status: 401 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>()(
  "AuthenticationError",
  ApiErrorFields
) {}

/**
 * 402 `billing_error`: the account cannot pay for the request.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.BillingError({ message: "credit balance too low", status: 402 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class BillingError extends Schema.TaggedError<BillingError>()("BillingError", ApiErrorFields) {}

/**
 * 403 `permission_error`: the key may not use this resource (a model not enabled, say).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.PermissionError({ message: "model not enabled", status: 403 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class PermissionError extends Schema.TaggedError<PermissionError>()("PermissionError", ApiErrorFields) {}

/**
 * 404 `not_found_error`: unknown model or endpoint.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.NotFoundError({ message: "model: claude-nope", status: 404 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFoundError", ApiErrorFields) {}

/**
 * 408: the server timed out waiting for the request. Retryable.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.RequestTimeoutError({ message: "request timeout", status: 408 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RequestTimeoutError extends Schema.TaggedError<RequestTimeoutError>()(
  "RequestTimeoutError",
  ApiErrorFields
) {}

/**
 * 409: a conflicting concurrent operation. Retryable.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.ConflictError({ message: "conflict", status: 409 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ConflictError extends Schema.TaggedError<ConflictError>()("ConflictError", ApiErrorFields) {}

/**
 * 413 `request_too_large`: the body exceeds the API's size limit (use the Files API).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.RequestTooLargeError({ message: "request exceeds 32 MB", status: 413 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RequestTooLargeError extends Schema.TaggedError<RequestTooLargeError>()(
  "RequestTooLargeError",
  ApiErrorFields
) {}

/**
 * 422: the request is well-formed but semantically wrong (an invalid tool schema, say).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.UnprocessableEntityError({ message: "invalid tool schema", status: 422 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class UnprocessableEntityError extends Schema.TaggedError<UnprocessableEntityError>()(
  "UnprocessableEntityError",
  ApiErrorFields
) {}

/**
 * 429 `rate_limit_error`: too many requests or tokens per minute. `limit` names the
 * exhausted bucket when the rate-limit headers tell.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * new ClaudeError.RateLimitError({ message: "slow down", status: 429, retryAfter: Duration.seconds(3) })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>()("RateLimitError", {
  ...ApiErrorFields,
  limit: Schema.optional(Schema.Literal("requests", "tokens", "inputTokens", "outputTokens"))
}) {}

/**
 * 500 `api_error` and any 5xx without a member of its own: an internal server error.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.ApiError({ message: "internal error", status: 500 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", ApiErrorFields) {}

/**
 * 502: a proxy in front of the API failed, often with an HTML page.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.BadGatewayError({ message: "HTTP 502: Bad Gateway", status: 502 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class BadGatewayError extends Schema.TaggedError<BadGatewayError>()("BadGatewayError", ApiErrorFields) {}

/**
 * 503: the service is temporarily unavailable.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.ServiceUnavailableError({ message: "unavailable", status: 503 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ServiceUnavailableError extends Schema.TaggedError<ServiceUnavailableError>()(
  "ServiceUnavailableError",
  ApiErrorFields
) {}

/**
 * 504 (or `timeout_error`): the API timed out producing the response; streaming helps
 * for long outputs.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.GatewayTimeoutError({ message: "timeout", status: 504 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class GatewayTimeoutError extends Schema.TaggedError<GatewayTimeoutError>()(
  "GatewayTimeoutError",
  ApiErrorFields
) {}

/**
 * 529 `overloaded_error`, also sent as an SSE `error` event mid-stream: the API is
 * overloaded. Retry with a longer backoff.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class OverloadedError extends Schema.TaggedError<OverloadedError>()("OverloadedError", ApiErrorFields) {}

/**
 * A status the API does not document (a 418 from a proxy, say). Retryable only when
 * it is a 5xx or `x-should-retry: true`.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.UnknownApiError({ message: "I'm a teapot", status: 418 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>()("UnknownApiError", ApiErrorFields) {}

/**
 * Why a connection failed.
 *
 * - `reset`: the socket was closed or reset (`ECONNRESET`, "other side closed").
 * - `refused`: nothing listens there (`ECONNREFUSED`).
 * - `dns`: the host name did not resolve.
 * - `protocol`: the response could not be read (malformed SSE or JSON).
 * - `aborted`: the caller aborted the request (not retryable).
 * - `unknown`: anything else the transport threw.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const reason: ClaudeError.ConnectionReason = "reset"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const ConnectionReason = Schema.Literal("reset", "refused", "dns", "protocol", "aborted", "unknown")

/**
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const reason: ClaudeError.ConnectionReason = "reset"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ConnectionReason = typeof ConnectionReason.Type

/**
 * The transport failed: no response, or the response (or stream) broke off.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.ConnectionError({ message: "socket hang up", reason: "reset", phase: "stream" })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  message: Schema.String,
  reason: Schema.optionalWith(ConnectionReason, { default: () => "unknown" as const }),
  phase,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * The attempt took longer than its timeout (the SDK's or ours), or a stream stalled.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * new ClaudeError.TimeoutError({ message: "attempt timed out", timeout: Duration.seconds(60) })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  message: Schema.String,
  timeout: Schema.optional(Schema.DurationFromSelf),
  phase,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * The states in which a circuit rejects calls.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const isState = Schema.is(ClaudeError.CircuitRejectingState)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const CircuitRejectingState = Schema.Literal("Open", "HalfOpen", "Isolated")

/**
 * A circuit breaker rejected the call without touching the network. `retryAfter`
 * says when the circuit will let a probe through (absent while isolated by hand).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * new ClaudeError.CircuitOpenError({
 *   message: "circuit claude-sonnet-4-5 is open",
 *   key: "claude-sonnet-4-5",
 *   state: "Open",
 *   retryAfter: Duration.seconds(42)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class CircuitOpenError extends Schema.TaggedError<CircuitOpenError>()("CircuitOpenError", {
  message: Schema.String,
  key: Schema.String,
  state: CircuitRejectingState,
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}) {}

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
export type ApiResponseError = Exclude<ClaudeError, ConnectionError | TimeoutError | CircuitOpenError>

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
  CircuitOpenError
)

const members = ClaudeError.members

for (const member of members) {
  Object.defineProperty(member.prototype, TypeId, { value: TypeId })
  Object.defineProperty(member.prototype, "toString", {
    value(this: ClaudeError) {
      return internal.describe(this)
    },
    writable: true,
    configurable: true
  })
}

/**
 * Every tag, in the order of the error table.
 *
 * @since 0.1.0
 * @category Models
 */
export const tags: ReadonlyArray<Tag> = members.map((member) => member._tag as Tag)

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
export const isClaudeError = (u: unknown): u is ClaudeError => Predicate.hasProperty(u, TypeId)

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
export const isApiResponseError = (e: ClaudeError): e is ApiResponseError =>
  e._tag !== "ConnectionError" && e._tag !== "TimeoutError" && e._tag !== "CircuitOpenError"

/**
 * What to do about each kind of failure: the source article's "Action" column as data.
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
export const advice: {
  readonly [K in Tag]: {
    readonly retryable: boolean
    readonly retry: "never" | "backoff" | "retry-after" | "longer-backoff" | "ladder" | "after-circuit"
    readonly action: string
  }
} = {
  InvalidRequestError: {
    retryable: false,
    retry: "never",
    action: "Fix the request (shape, parameters, context window); retrying gives the same 400."
  },
  AuthenticationError: {
    retryable: false,
    retry: "never",
    action: "Check the API key: present, trimmed, not revoked."
  },
  BillingError: { retryable: false, retry: "never", action: "Check billing and credit balance." },
  PermissionError: {
    retryable: false,
    retry: "never",
    action: "Check account permissions (is the model enabled for this key?)."
  },
  NotFoundError: { retryable: false, retry: "never", action: "Fix the model name or endpoint." },
  RequestTimeoutError: { retryable: true, retry: "backoff", action: "Retry with backoff." },
  ConflictError: { retryable: true, retry: "backoff", action: "Retry with backoff." },
  RequestTooLargeError: {
    retryable: false,
    retry: "never",
    action: "Shrink the request (32 MB limit); use the Files API for large attachments."
  },
  UnprocessableEntityError: {
    retryable: false,
    retry: "never",
    action: "Fix the schema (a tool's input schema, say)."
  },
  RateLimitError: {
    retryable: true,
    retry: "retry-after",
    action: "Back off: wait at least Retry-After, then retry; reduce request or token rate."
  },
  ApiError: { retryable: true, retry: "backoff", action: "Retry with backoff, few attempts (3)." },
  BadGatewayError: { retryable: true, retry: "ladder", action: "Retry on the ladder 3, 10, 30, 60, 120 s." },
  ServiceUnavailableError: {
    retryable: true,
    retry: "backoff",
    action: "Back off; check the status page."
  },
  GatewayTimeoutError: {
    retryable: true,
    retry: "backoff",
    action: "Retry; switch to streaming for long outputs."
  },
  OverloadedError: { retryable: true, retry: "longer-backoff", action: "Retry with a longer backoff." },
  UnknownApiError: {
    retryable: false,
    retry: "never",
    action: "Undocumented status: retried only when 5xx or x-should-retry says so."
  },
  ConnectionError: { retryable: true, retry: "backoff", action: "Retry; check the network path." },
  TimeoutError: { retryable: true, retry: "backoff", action: "Retry; consider streaming or a longer timeout." },
  CircuitOpenError: {
    retryable: true,
    retry: "after-circuit",
    action: "The circuit is open: wait for its retryAfter, or fail fast."
  }
}

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
export const isRetryable = (error: ClaudeError): boolean => {
  switch (error._tag) {
    case "ConnectionError":
      return error.reason !== "aborted"
    case "TimeoutError":
    case "CircuitOpenError":
      return true
    default: {
      if (error.shouldRetry !== undefined) return error.shouldRetry
      if (error._tag === "UnknownApiError") return error.status !== undefined && error.status >= 500
      return advice[error._tag].retryable
    }
  }
}

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
export const isServerFailure = (error: ClaudeError): boolean => {
  switch (error._tag) {
    case "ApiError":
    case "BadGatewayError":
    case "ServiceUnavailableError":
    case "GatewayTimeoutError":
    case "OverloadedError":
    case "TimeoutError":
      return true
    case "ConnectionError":
      return error.reason !== "aborted"
    case "UnknownApiError":
      return error.status !== undefined && error.status >= 500
    default:
      return false
  }
}

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
export const tagForStatus = (status: number): Tag => internal.tagForStatus(status)

/**
 * The input of {@link fromResponse}: an HTTP status, its headers and its raw body.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ResponseInput {
  readonly status?: number | undefined
  readonly headers?: internal.HeadersInput
  /** Raw text or bytes, or an already parsed JSON value (as the SDK keeps it). */
  readonly body?: string | Uint8Array | unknown
  readonly phase?: Phase | undefined
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
export const fromResponseAt = (input: ResponseInput, now: number): ApiResponseError => internal.fromResponse(input, now)

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
 * value becomes an `UnknownApiError`. Pure, given `now`.
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
export const fromUnknownAt = (u: unknown, now: number, options?: { readonly phase?: Phase }): ClaudeError =>
  internal.fromUnknown(u, now, options)

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
 *   client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
 * ).pipe(Effect.catchAll((e) => Effect.flip(ClaudeError.fromUnknown(e.error))))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromUnknown = (u: unknown, options?: { readonly phase?: Phase }): Effect.Effect<ClaudeError> =>
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
export const fromStreamEvent = (payload: unknown, headers?: internal.HeadersInput): ApiResponseError =>
  internal.fromResponse({ body: payload, headers, phase: "stream" }, 0)

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
export const retryAfterOf = (error: unknown): Duration.Duration | undefined => internal.retryAfterOf(error)
