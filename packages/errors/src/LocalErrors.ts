/**
 * The members of the {@link ClaudeError} union raised on this side of the wire: the transport
 * failed, an attempt timed out, a circuit breaker or the rate limiter turned the call away, a preflight check refused
 * the request before sending it, or a response arrived that
 * must not pass for a complete answer (a refusal, an answer cut by the context window). Import them
 * through the `ClaudeError` namespace.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Member } from "./internal/member.js"
import { Phase } from "./ResponseErrors.js"

const phase = Schema.optionalWith(Phase, { default: () => "request" as const })

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
export class ConnectionError extends Member<ConnectionError>()("ConnectionError", {
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
export class TimeoutError extends Member<TimeoutError>()("TimeoutError", {
  message: Schema.String,
  timeout: Schema.optional(Schema.DurationFromSelf),
  phase,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * The states of a circuit, defined once for the breaker and its errors.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const isState = Schema.is(ClaudeError.CircuitState)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const CircuitState = Schema.Literal("Closed", "Open", "HalfOpen", "Isolated")

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const label = (state: ClaudeError.CircuitState) => state.toLowerCase()
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type CircuitState = typeof CircuitState.Type

/**
 * The states in which a circuit rejects calls.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const isRejecting = Schema.is(ClaudeError.CircuitRejectingState)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const CircuitRejectingState = CircuitState.pipe(Schema.pickLiteral("Open", "HalfOpen", "Isolated"))

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const waitable = (state: ClaudeError.CircuitRejectingState) => state === "Open"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type CircuitRejectingState = typeof CircuitRejectingState.Type

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
 *   message: "circuit claude-sonnet-5-5 is open",
 *   key: "claude-sonnet-5-5",
 *   state: "Open",
 *   retryAfter: Duration.seconds(42)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class CircuitOpenError extends Member<CircuitOpenError>()("CircuitOpenError", {
  message: Schema.String,
  key: Schema.String,
  state: CircuitRejectingState,
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}) {}

/**
 * The rate-limit buckets a limiter admits against, plus `paused` (the whole key waits out a 429's
 * `retry-after`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const bucket: ClaudeError.QuotaBucket = "outputTokens"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const QuotaBucket = Schema.Literal("requests", "inputTokens", "outputTokens", "paused")

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const label = (bucket: ClaudeError.QuotaBucket) => (bucket === "paused" ? "paused after a 429" : bucket)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type QuotaBucket = typeof QuotaBucket.Type

/**
 * The client-side rate limiter could not admit the attempt within its wait budget, so the
 * request was not sent. `bucket` is the limit that ran short, `retryAfter` how long the attempt
 * would still have had to wait, `maxWait` the budget it had and `waited` the time it already
 * queued. `key` is the limit key: a fingerprint of the API key and the model's rate-limit class,
 * never the key itself.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * new ClaudeError.QuotaExceededError({
 *   message: "outputTokens would need 42 s, the budget is 10 s",
 *   key: "3f9c0a7d1b2e4c58:sonnet-4",
 *   bucket: "outputTokens",
 *   retryAfter: Duration.seconds(42),
 *   maxWait: Duration.seconds(10),
 *   waited: Duration.zero
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class QuotaExceededError extends Member<QuotaExceededError>()("QuotaExceededError", {
  message: Schema.String,
  key: Schema.String,
  bucket: QuotaBucket,
  retryAfter: Schema.DurationFromSelf,
  maxWait: Schema.DurationFromSelf,
  waited: Schema.DurationFromSelf
}) {}

/**
 * The checks of the client's preflight, one per kind of mistake the source article lists:
 * `api_key` (`invalid_api_key`), `max_tokens`, `model` (`model_not_found`), `image`
 * (`vision_error`), `cache_control` (`cache_error`) and `tools` (a tool definition the API
 * refuses). A request over the size limit fails with a `RequestTooLargeError` instead.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const check: ClaudeError.PreflightCheck = "max_tokens"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const PreflightCheck = Schema.Literal("api_key", "max_tokens", "model", "image", "cache_control", "tools")

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const label = (check: ClaudeError.PreflightCheck) => check.replace("_", " ")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type PreflightCheck = typeof PreflightCheck.Type

/**
 * A request (or the client's configuration) the API would refuse, caught before anything was
 * sent: never retried, never counted by a circuit breaker. `field` is the path of the value at
 * fault (`"max_tokens"`, `"messages[3].content[0].source.media_type"`, `"apiKey"`), `advice`
 * what to do about it, `suggestions` the nearest current model ids for an unknown or retired one.
 * Never contains the API key.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.PreflightError({
 *   message: "max_tokens must be an integer of at least 1, got 0",
 *   check: "max_tokens",
 *   field: "max_tokens",
 *   advice: "Set max_tokens to a whole number of at least 1."
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class PreflightError extends Member<PreflightError>()("PreflightError", {
  message: Schema.String,
  check: PreflightCheck,
  field: Schema.String,
  advice: Schema.String,
  suggestions: Schema.optional(Schema.Array(Schema.String))
}) {}

/**
 * A response as the errors of a stop reason carry it: the API's `Message`, with the fields every
 * message has typed and the rest kept as they came (read `content` with `Content.textOf` from
 * `@claude-resilience/api`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Schema } from "effect"
 *
 * const response = Schema.decodeUnknownSync(ClaudeError.StoppedMessage)({
 *   id: "msg_01",
 *   model: "claude-sonnet-4-6",
 *   content: [{ type: "text", text: "The answer so far" }],
 *   stop_reason: "model_context_window_exceeded",
 *   usage: { input_tokens: 199_000, output_tokens: 1_000 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const StoppedMessage = Schema.Struct(
  {
    id: Schema.String,
    model: Schema.String,
    content: Schema.Array(
      Schema.Struct({ type: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
    ),
    stop_reason: Schema.NullOr(Schema.String),
    usage: Schema.Struct(
      { input_tokens: Schema.Number, output_tokens: Schema.Number },
      Schema.Record({ key: Schema.String, value: Schema.Unknown })
    )
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const outputTokens = (response: ClaudeError.StoppedMessage) => response.usage.output_tokens
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type StoppedMessage = typeof StoppedMessage.Type

/**
 * The `stop_details` of a refusal: the policy `category` that triggered it (`cyber`, `bio`,
 * `frontier_llm`, `reasoning_extraction`, `general_harms`, or `null`) and a human-readable
 * `explanation` (not stable; may be `null`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const details: ClaudeError.RefusalDetails = { category: "cyber", explanation: null }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const RefusalDetails = Schema.Struct(
  { category: Schema.NullOr(Schema.String), explanation: Schema.NullOr(Schema.String) },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const category = (details: ClaudeError.RefusalDetails) => details.category ?? "unnamed"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type RefusalDetails = typeof RefusalDetails.Type

/**
 * The model declined to answer (`stop_reason: "refusal"`). Retrying the same request on the same
 * model gives the same answer, so it is not retried; the API's advice is to try another model — a
 * fallback plan matches this tag. `stopDetails` says why (the API's `stop_details`), `response` is
 * the message as received (with any content before the refusal), `model` the model that refused.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.RefusalError({
 *   message: "claude-sonnet-4-6 refused to answer (cyber)",
 *   model: "claude-sonnet-4-6",
 *   stopDetails: { category: "cyber", explanation: null },
 *   response: {
 *     id: "msg_01",
 *     model: "claude-sonnet-4-6",
 *     content: [],
 *     stop_reason: "refusal",
 *     usage: { input_tokens: 12, output_tokens: 0 }
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RefusalError extends Member<RefusalError>()("RefusalError", {
  message: Schema.String,
  model: Schema.String,
  stopDetails: Schema.optional(RefusalDetails),
  response: StoppedMessage,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * The answer was cut because the conversation reached the model's context window
 * (`stop_reason: "model_context_window_exceeded"`): `response` holds the partial answer, which must
 * not pass for a complete one. Not retried (the same request is cut the same way); shorten the
 * conversation (`@claude-resilience/context-window`) or use a model with a larger window.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * new ClaudeError.ContextWindowExceededError({
 *   message: "the answer of claude-haiku-4-5 was cut at its context window",
 *   model: "claude-haiku-4-5",
 *   response: {
 *     id: "msg_01",
 *     model: "claude-haiku-4-5",
 *     content: [{ type: "text", text: "The first half of" }],
 *     stop_reason: "model_context_window_exceeded",
 *     usage: { input_tokens: 199_000, output_tokens: 1_000 }
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ContextWindowExceededError extends Member<ContextWindowExceededError>()("ContextWindowExceededError", {
  message: Schema.String,
  model: Schema.String,
  response: StoppedMessage,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * Why a bulkhead turned a call away: every slot of its key was taken and the queue was `full`, or
 * the call waited in the queue for its `maxWait` (`timeout`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const reason: ClaudeError.BulkheadRejection = "full"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const BulkheadRejection = Schema.Literal("full", "timeout")

/**
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 *
 * const label = (reason: ClaudeError.BulkheadRejection) => (reason === "full" ? "queue full" : "waited too long")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BulkheadRejection = typeof BulkheadRejection.Type

/**
 * A bulkhead turned the call away without sending it: `maxConcurrent` calls of its `key` (the
 * model, by default) were in flight and `maxQueue` more were waiting (`reason: "full"`), or it
 * waited `maxWait` in the queue (`reason: "timeout"`, `waited`). Not retried: a bulkhead sheds
 * load, and a retry would put it back.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Duration } from "effect"
 *
 * new ClaudeError.BulkheadRejectedError({
 *   message: "bulkhead claude-haiku-4-5 is full: 16 in flight, 0 queued",
 *   key: "claude-haiku-4-5",
 *   reason: "full",
 *   maxConcurrent: 16,
 *   maxQueue: 0,
 *   waited: Duration.zero
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class BulkheadRejectedError extends Member<BulkheadRejectedError>()("BulkheadRejectedError", {
  message: Schema.String,
  key: Schema.String,
  reason: BulkheadRejection,
  maxConcurrent: Schema.Number,
  maxQueue: Schema.Number,
  waited: Schema.DurationFromSelf
}) {}
