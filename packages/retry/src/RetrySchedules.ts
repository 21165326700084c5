/**
 * The schedule building blocks of a retry policy: backoffs with jitter, the 502 ladder, the
 * Retry-After floor, and dispatch by error tag. Re-exported by `RetryPolicy`: write
 * `RetryPolicy.ladder(...)`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/backoff.js"

/**
 * How a backoff delay is randomised.
 *
 * - `"decorrelated"` (default): `min(cap, random_between(base, previous * 3))`, from the AWS
 *   Architecture Blog's "Exponential Backoff And Jitter". Never below `base`, so a longer base
 *   (529) really waits longer, while spreading clients as well as full jitter does.
 * - `"full"`: `random_between(0, min(cap, base * factor ** n))`.
 * - `"none"`: `min(cap, base * factor ** n)`; deterministic, for tests and demos.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * const deterministic: RetryPolicy.Jitter = "none"
 * RetryPolicy.claude({ jitter: deterministic })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Jitter = "decorrelated" | "full" | "none"

/**
 * Makes a schedule honour the failure's retry-after: it waits the larger of its own delay and
 * the failure's `retryAfter` (read with `ClaudeError.retryAfterOf`, so any error with a
 * `retryAfter: Duration` field works). Jitter applied by `self` can never shorten the wait
 * below the server's.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { type Duration, Effect, Schedule } from "effect"
 *
 * interface Busy {
 *   readonly retryAfter?: Duration.Duration
 * }
 * declare const call: Effect.Effect<string, Busy>
 * const policy = Schedule.exponential("100 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5)))
 * call.pipe(Effect.retry(RetryPolicy.withRetryAfter(policy)))
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const withRetryAfter: <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R> =
  internal.withRetryAfter

/**
 * Decorrelated-jitter backoff (AWS): each delay is `min(cap, random_between(base, previous * 3))`,
 * randomness from Effect's `Random`. Runs forever; bound it with `Schedule.recurs`.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Schedule } from "effect"
 *
 * RetryPolicy.decorrelatedJitter({ base: "1 second", cap: "30 seconds" }).pipe(Schedule.intersect(Schedule.recurs(4)))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const decorrelatedJitter: (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
}) => Schedule.Schedule<Duration.Duration> = internal.decorrelatedJitter

/**
 * Exponential backoff capped at `cap`, with optional full jitter. Runs forever.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * RetryPolicy.exponentialBackoff({ base: "500 millis", cap: "8 seconds", jitter: "full" })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const exponentialBackoff: (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
  readonly factor?: number | undefined
  readonly jitter?: "full" | "none" | undefined
}) => Schedule.Schedule<Duration.Duration> = internal.exponentialBackoff

/**
 * Fixed delays, one per retry, then stop: the article's 502 ladder is
 * `ladder(["3 seconds", "10 seconds", "30 seconds", "60 seconds", "120 seconds"])`. With a
 * jitter other than `"none"` each rung is lengthened by up to 20%, never shortened.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * RetryPolicy.ladder(["3 seconds", "10 seconds", "30 seconds"])
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const ladder: (
  delays: ReadonlyArray<Duration.DurationInput>,
  jitter?: Jitter
) => Schedule.Schedule<Duration.Duration> = internal.ladder

/**
 * Dispatches each failure to the schedule of its `_tag`, each with its own state (so a 529
 * does not advance the backoff of a 429). A tag without a case uses `fallback`, or stops.
 * Outputs the failure.
 *
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Schedule } from "effect"
 *
 * const policy = RetryPolicy.byTag<ClaudeError.ClaudeError>({
 *   RateLimitError: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5))),
 *   OverloadedError: Schedule.exponential("5 seconds").pipe(Schedule.intersect(Schedule.recurs(3)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const byTag: <E extends { readonly _tag: string }>(
  cases: { readonly [K in E["_tag"]]?: Schedule.Schedule<unknown, Extract<E, { readonly _tag: K }>> },
  fallback?: Schedule.Schedule<unknown, E>
) => Schedule.Schedule<E, E> = internal.byTag
