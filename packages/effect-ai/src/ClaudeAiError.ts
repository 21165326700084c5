/**
 * How our failures reach `@effect/ai` users: as an `AiError` member, the original `ClaudeError`
 * (or a resumed stream's `ResumeExhaustedError`) kept as its `cause`.
 *
 * | our failure                                                          | `AiError` member                                                               |
 * | -------------------------------------------------------------------- | ------------------------------------------------------------------------------ |
 * | an API error (429, 529, a 502 page, 400, 401 …, an SSE `error` event) | `HttpResponseError` (`reason: "StatusCode"`, `response.status`, `retry-after`) |
 * | `ConnectionError`, `TimeoutError`                                    | `HttpRequestError` (`reason: "Transport"`)                                     |
 * | `CircuitOpenError`, any failure without a status                     | `UnknownError` (`description` starts with the tag)                             |
 * | `ResumeExhaustedError`                                               | decided by its last failure, the `ResumeExhaustedError` as `cause`             |
 *
 * An SSE `error` event mid-stream has the status of its type (529 for `overloaded_error`), as its
 * `ClaudeError` does.
 *
 * `Effect.catchTag("HttpResponseError", …)` works as with `@effect/ai-anthropic`; {@link unwrap}
 * puts the originals back into the error channel so `Effect.catchTag("RateLimitError", …)` works too.
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import type { ResumableStream } from "@claude-resilience/stream"
import * as AiError from "@effect/ai/AiError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as internal from "./internal/aiError.js"

/**
 * What an `AiError` built here carries as its `cause`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ClaudeAiError } from "@claude-resilience/effect-ai"
 *
 * const tagOf = (original: ClaudeAiError.Original): string => original._tag
 * ```
 */
export type Original = ClaudeError.ClaudeError | ResumableStream.ResumeExhaustedError

/**
 * Our failure as the `AiError` a `LanguageModel` call fails with (see the table above); `method`
 * names the call (`generateText`, `streamText` …), `url` the endpoint.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { ClaudeAiError } from "@claude-resilience/effect-ai"
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const error = ClaudeAiError.fromClaudeError(
 *   new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 }),
 *   { method: "generateText", url: "https://api.anthropic.com/v1/messages" }
 * )
 * error._tag // "HttpResponseError"
 * ```
 */
export const fromClaudeError: (
  error: Original,
  info: { readonly method: string; readonly url: string }
) => AiError.AiError = internal.fromOriginal

/**
 * The original failure an `AiError` from this package carries, or `None` for any other `AiError`.
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { ClaudeAiError } from "@claude-resilience/effect-ai"
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Option } from "effect"
 *
 * const aiError = ClaudeAiError.fromClaudeError(
 *   new ClaudeError.RateLimitError({ message: "Slow down", status: 429 }),
 *   { method: "generateText", url: "https://api.anthropic.com/v1/messages" }
 * )
 * Option.map(ClaudeAiError.getOriginal(aiError), (e) => e._tag) // Some("RateLimitError")
 * ```
 */
export const getOriginal: (error: AiError.AiError) => Option.Option<Original> = internal.originalOf

/**
 * Whether a value is one of our originals (a `ClaudeError` member or a `ResumeExhaustedError`).
 *
 * @since 0.1.0
 * @category Guards
 * @example
 * ```ts
 * import { ClaudeAiError } from "@claude-resilience/effect-ai"
 *
 * ClaudeAiError.isOriginal(new Error("boom")) // false
 * ```
 */
export const isOriginal: (u: unknown) => u is Original = internal.isOriginal

const replace = <E>(error: E): E | Original => {
  if (!AiError.isAiError(error)) return error
  return Option.getOrElse(internal.originalOf(error), () => error as E | Original)
}

/**
 * Replaces each `AiError` that carries one of our originals by that original in the error channel,
 * so `Effect.catchTag` on a `ClaudeError` tag works; other errors pass unchanged.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { ClaudeAiError } from "@claude-resilience/effect-ai"
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Effect } from "effect"
 *
 * const call = Effect.fail(
 *   ClaudeAiError.fromClaudeError(new ClaudeError.RateLimitError({ message: "Slow down", status: 429 }), {
 *     method: "generateText",
 *     url: "https://api.anthropic.com/v1/messages"
 *   })
 * )
 *
 * const handled = call.pipe(
 *   ClaudeAiError.unwrap,
 *   Effect.catchTag("RateLimitError", (e) => Effect.succeed(`rate limited: ${e.message}`))
 * )
 * ```
 */
export const unwrap = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | Original, R> =>
  Effect.mapError(self, replace)

/**
 * {@link unwrap} for a stream (`streamText`).
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { ClaudeAiError } from "@claude-resilience/effect-ai"
 * import { Effect, Stream } from "effect"
 *
 * // a `streamText` stream fails with an `AiError`
 * declare const parts: Stream.Stream<string, ReturnType<typeof ClaudeAiError.fromClaudeError>>
 *
 * const handled = parts.pipe(
 *   ClaudeAiError.unwrapStream,
 *   Stream.catchTag("ResumeExhaustedError", (e) => Stream.make(e.partialText))
 * )
 * ```
 */
export const unwrapStream = <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E | Original, R> =>
  Stream.mapError(self, replace)
