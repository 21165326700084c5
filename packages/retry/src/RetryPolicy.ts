/**
 * Retries for Claude API calls as Effect `Schedule`s: per-error-class backoff with
 * decorrelated jitter, Retry-After as a floor, the article's 502 ladder, attempt and
 * time budgets, a `RetryPolicy` service and a per-call override.
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as observed from "./internal/observe.js"
import * as override from "./internal/override.js"
import * as policy from "./internal/policy.js"
import type { Jitter } from "./RetrySchedules.js"

export * from "./RetrySchedules.js"

/**
 * The retry numbers of one error class. `maxAttempts` counts every attempt that failed with
 * this class, the first included; `ladder`, when set, replaces the backoff with fixed delays.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * const slowOverload: Partial<RetryPolicy.TagPolicy> = { base: "10 seconds", cap: "2 minutes", maxAttempts: 5 }
 * RetryPolicy.claude({ tags: { OverloadedError: slowOverload } })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface TagPolicy {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
  readonly factor: number
  readonly maxAttempts: number
  readonly ladder?: ReadonlyArray<Duration.DurationInput> | undefined
  readonly jitter?: Jitter | undefined
}

/**
 * Options of {@link claude}. Every field is optional; `tags` overrides the numbers of one
 * error class (`false` never retries it), `fallback` is used for an error the server marked
 * `x-should-retry: true` although its class is not retried by default.
 *
 * - `maxAttempts`: attempts in all, the first included, whatever the errors (default 8).
 * - `budget`: the longest time from the first failure to the start of the last retry; a retry
 *   whose wait would end beyond it is not made (default: none).
 * - `jitter`: see {@link Jitter} (default `"decorrelated"`).
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * const options: RetryPolicy.Options = {
 *   budget: "90 seconds",
 *   maxAttempts: 6,
 *   tags: { RateLimitError: { maxAttempts: 10 }, ConflictError: false }
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly maxAttempts?: number | undefined
  readonly budget?: Duration.DurationInput | undefined
  readonly jitter?: Jitter | undefined
  readonly tags?: { readonly [K in ClaudeError.Tag]?: Partial<TagPolicy> | false } | undefined
  readonly fallback?: Partial<TagPolicy> | false | undefined
}

/**
 * What the policy decided after one failure: the output of {@link claude}. `attempt` is the
 * attempt that failed (1 for the first call), `delay` the wait before the next one, and
 * `budgetLeft` what remains of the budget once that wait is over.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Duration, Effect, Schedule } from "effect"
 *
 * const policy = RetryPolicy.claude().pipe(
 *   Schedule.tapOutput((d: RetryPolicy.Decision) => Effect.log(`retry ${d.attempt} in ${Duration.format(d.delay)}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Decision {
  readonly attempt: number
  readonly tag: string
  readonly delay: Duration.Duration
  readonly retryAfter: Duration.Duration | undefined
  readonly requestId: string | undefined
  readonly elapsed: Duration.Duration
  readonly budgetLeft: Duration.Duration | undefined
}

/**
 * Why the policy did not retry a failure: the `reason` tag of `claude_retry_give_ups_total`.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Metric } from "effect"
 *
 * const reason: RetryPolicy.GiveUpReason = "budget"
 * Metric.tagged(RetryPolicy.metrics.giveUps, "reason", reason)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type GiveUpReason = "not-retryable" | "max-attempts" | "exhausted" | "budget"

/**
 * The default numbers per error class (tags without an entry are not retried). Read by the
 * docs and by tests; pass `tags` in {@link Options} to change them.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * RetryPolicy.defaults.ApiError?.maxAttempts // 3
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const defaults: { readonly [K in ClaudeError.Tag]?: TagPolicy } = policy.defaults

/**
 * Total attempts allowed by default, across all error classes.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * RetryPolicy.DEFAULT_MAX_ATTEMPTS // 8
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const DEFAULT_MAX_ATTEMPTS: number = policy.DEFAULT_MAX_ATTEMPTS

/**
 * Turns a schedule into one that outputs a {@link Decision} per failure, logs it (`Effect.logDebug`
 * with `tag`, `attempt`, `delayMs`, `requestId`, `budgetLeftMs`), counts it in Metrics
 * (`claude_retries_total`, `claude_retry_delay_ms`, `claude_retry_give_ups_total`), and stops when
 * `while` rejects the failure, after `maxAttempts` attempts, or when the next wait would end
 * beyond `budget` (measured from the first failure).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Schedule } from "effect"
 *
 * RetryPolicy.observe(RetryPolicy.withRetryAfter(Schedule.exponential("200 millis")), {
 *   budget: "30 seconds",
 *   maxAttempts: 5,
 *   while: ClaudeError.isRetryable
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const observe: <E, R>(
  self: Schedule.Schedule<unknown, E, R>,
  options?: {
    readonly budget?: Duration.DurationInput | undefined
    readonly maxAttempts?: number | undefined
    readonly while?: ((error: E) => boolean) | undefined
  }
) => Schedule.Schedule<Decision, E, R> = observed.observe

/**
 * The time budget of a schedule built by {@link claude} or {@link observe} (also through
 * {@link layer} and {@link withPolicy}); `undefined` when it has none or is another schedule
 * (a combinator applied on top builds a new schedule, which has none either). The client reads it
 * to bound how long an attempt may wait for the rate limiter.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * RetryPolicy.budgetOf(RetryPolicy.claude({ budget: "2 minutes" })) // Duration.minutes(2)
 * RetryPolicy.budgetOf(RetryPolicy.claude()) // undefined
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const budgetOf: (schedule: Schedule.Schedule<unknown, never, unknown>) => Duration.Duration | undefined =
  observed.budgetOf

/**
 * The Claude retry policy: only retryable errors (`x-should-retry` wins), per-class backoff
 * with decorrelated jitter and a cap, Retry-After as a floor, the 502 ladder, a longer base for
 * 529, 3 attempts for 5xx, an open circuit retried only when its `retryAfter` fits the budget.
 * Every number can be overridden per tag. A schedule holds no state of its own: share it freely.
 *
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * declare const call: Effect.Effect<string, ClaudeError.ClaudeError>
 * call.pipe(Effect.retry(RetryPolicy.claude({ budget: "2 minutes", tags: { OverloadedError: { base: "10 seconds" } } })))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const claude: (options?: Options) => Schedule.Schedule<Decision, ClaudeError.ClaudeError> = policy.claude

/**
 * The metrics every {@link observe}d schedule (so every {@link claude} policy) updates:
 * `claude_retries_total` (counter, tag `tag`), `claude_retry_delay_ms` (histogram, tag `tag`)
 * and `claude_retry_give_ups_total` (counter, tags `tag` and `reason`: `not-retryable`,
 * `max-attempts`, `exhausted`, `budget`).
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Metric } from "effect"
 *
 * const overloadedRetries = Metric.value(Metric.tagged(RetryPolicy.metrics.retries, "tag", "OverloadedError"))
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics = {
  retries: observed.retriesTotal,
  delay: observed.retryDelay,
  giveUps: observed.giveUpsTotal
} as const

/**
 * The retry policy service: the schedule the client retries with.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Schedule } from "effect"
 *
 * const service: RetryPolicy.Service = { schedule: Schedule.recurs(2) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
}

/**
 * The retry policy the client reads from context.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const { schedule } = yield* RetryPolicy.RetryPolicy
 *   return schedule
 * })
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class RetryPolicy extends Context.Tag("@claude-resilience/retry/RetryPolicy")<RetryPolicy, Service>() {}

/**
 * Builds the service from {@link Options} (the Claude policy) or from any schedule of your own.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * const service = Effect.runSync(RetryPolicy.make({ maxAttempts: 4 }))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options?: Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError>): Effect.Effect<Service> =>
  Effect.sync(() => ({ schedule: override.toSchedule(options) }))

/**
 * A layer providing {@link RetryPolicy}, from {@link Options} or from a schedule.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 *
 * const RetryLive = RetryPolicy.layer({ budget: "1 minute" })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options?: Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError>
): Layer.Layer<RetryPolicy> => Layer.effect(RetryPolicy, make(options))

/**
 * The per-call override set by {@link withPolicy}.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect, FiberRef, Option } from "effect"
 *
 * const overridden = Effect.map(FiberRef.get(RetryPolicy.currentOverride), Option.isSome)
 * ```
 *
 * @since 0.1.0
 * @category FiberRefs
 */
export const currentOverride: FiberRef.FiberRef<Option.Option<Schedule.Schedule<unknown, ClaudeError.ClaudeError>>> =
  override.currentOverride

/**
 * Runs an effect with another retry policy for the calls it makes: Options (a Claude policy) or
 * any schedule. Works through a `FiberRef`, so a client built earlier with the layer's policy
 * still picks it up, as long as it reads the policy per call with {@link resolve}.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect, Schedule } from "effect"
 *
 * declare const summarise: Effect.Effect<string>
 * summarise.pipe(RetryPolicy.withPolicy({ maxAttempts: 1 }))
 * summarise.pipe(RetryPolicy.withPolicy(Schedule.stop))
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const withPolicy: {
  (
    policy: Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    policy: Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  ): Effect.Effect<A, E, R>
} = dual(2, override.withPolicy)

/**
 * The schedule to use for one call: the {@link withPolicy} override if any, else `fallback`.
 * A client that captured the layer's policy at construction calls this per request.
 *
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * const makeClient = Effect.gen(function* () {
 *   const layerPolicy = yield* RetryPolicy.RetryPolicy
 *   return <A>(call: Effect.Effect<A, ClaudeError.ClaudeError>) =>
 *     Effect.flatMap(RetryPolicy.resolve(layerPolicy.schedule), (schedule) => Effect.retry(call, schedule))
 * })
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const resolve: (
  fallback: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
) => Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> = override.resolve

/**
 * The schedule in force here: the {@link withPolicy} override, else the {@link RetryPolicy}
 * service if provided, else `claude()` with its defaults.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * const schedule = Effect.runSync(RetryPolicy.current)
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const current: Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> = Effect.flatMap(
  Effect.serviceOption(RetryPolicy),
  (service) => resolve(Option.match(service, { onNone: () => override.defaultSchedule, onSome: (s) => s.schedule }))
)

/**
 * Retries an effect failing with a `ClaudeError`: with `claude(options)` when options are
 * given, else with {@link current} (override, then service, then defaults).
 *
 * @example
 * ```ts
 * import type { ClaudeError } from "@claude-resilience/errors"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Effect } from "effect"
 *
 * declare const call: Effect.Effect<string, ClaudeError.ClaudeError>
 * call.pipe(RetryPolicy.retry())
 * RetryPolicy.retry(call, { budget: "30 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const retry: {
  (options?: Options): <A, E extends ClaudeError.ClaudeError, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E extends ClaudeError.ClaudeError, R>(self: Effect.Effect<A, E, R>, options?: Options): Effect.Effect<A, E, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E extends ClaudeError.ClaudeError, R>(self: Effect.Effect<A, E, R>, options?: Options): Effect.Effect<A, E, R> =>
    Effect.flatMap(options === undefined ? current : Effect.succeed(policy.claude(options)), (schedule) =>
      Effect.retry(self, schedule)
    )
)
