/**
 * The members of the {@link ClaudeError} union that the API answered with: an HTTP status (with
 * its error body) or an SSE `error` event. Import them through the `ClaudeError` namespace.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Member } from "./internal/member.js"
import { RateLimitSnapshot } from "./ResponseHeaders.js"

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
export class InvalidRequestError extends Member<InvalidRequestError>()("InvalidRequestError", {
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
export class AuthenticationError extends Member<AuthenticationError>()("AuthenticationError", ApiErrorFields) {}

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
export class BillingError extends Member<BillingError>()("BillingError", ApiErrorFields) {}

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
export class PermissionError extends Member<PermissionError>()("PermissionError", ApiErrorFields) {}

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
export class NotFoundError extends Member<NotFoundError>()("NotFoundError", ApiErrorFields) {}

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
export class RequestTimeoutError extends Member<RequestTimeoutError>()("RequestTimeoutError", ApiErrorFields) {}

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
export class ConflictError extends Member<ConflictError>()("ConflictError", ApiErrorFields) {}

/**
 * 413 `request_too_large`: the body exceeds the API's size limit (use the Files API). Raised
 * by the API, or by the client's preflight check before any byte was sent: then `preflight` is
 * `true`, `status` is absent, and `bytes` and `maxBytes` give the body's size and the limit.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.RequestTooLargeError({ message: "request exceeds 32 MB", status: 413 })
 * const local = (e: ClaudeError.RequestTooLargeError) => e.preflight === true
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RequestTooLargeError extends Member<RequestTooLargeError>()("RequestTooLargeError", {
  ...ApiErrorFields,
  /** `true`: raised by the client's preflight check, before anything was sent. */
  preflight: Schema.optional(Schema.Boolean),
  /** The size of the JSON body, in bytes (preflight). */
  bytes: Schema.optional(Schema.Number),
  /** The limit it exceeds, in bytes (preflight). */
  maxBytes: Schema.optional(Schema.Number)
}) {}

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
export class UnprocessableEntityError extends Member<UnprocessableEntityError>()(
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
export class RateLimitError extends Member<RateLimitError>()("RateLimitError", {
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
export class ApiError extends Member<ApiError>()("ApiError", ApiErrorFields) {}

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
export class BadGatewayError extends Member<BadGatewayError>()("BadGatewayError", ApiErrorFields) {}

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
export class ServiceUnavailableError extends Member<ServiceUnavailableError>()(
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
export class GatewayTimeoutError extends Member<GatewayTimeoutError>()("GatewayTimeoutError", ApiErrorFields) {}

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
export class OverloadedError extends Member<OverloadedError>()("OverloadedError", ApiErrorFields) {}

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
export class UnknownApiError extends Member<UnknownApiError>()("UnknownApiError", ApiErrorFields) {}
