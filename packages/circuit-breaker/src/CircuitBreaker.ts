/**
 * A keyed circuit breaker as an Effect service: Closed → Open → HalfOpen → Closed, with
 * state kept behind a small store interface (memory now, a shared store later).
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Queue from "effect/Queue"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as CircuitBreakerStore from "./CircuitBreakerStore.js"
import * as internal from "./internal/breaker.js"
import * as options from "./internal/options.js"

/**
 * Brands every breaker service.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const isBreaker = (u: object) => CircuitBreaker.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The type of {@link TypeId}.
 *
 * @example
 * ```ts
 * import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * type Branded = { readonly [K in CircuitBreaker.TypeId]: CircuitBreaker.TypeId }
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export type TypeId = typeof TypeId

/**
 * The state of one circuit as callers see it; its tags are `ClaudeError.CircuitState`, the state
 * names defined once in `@claude-resilience/errors`.
 *
 * - `Closed`: calls run; outcomes are counted.
 * - `Open`: calls are rejected until `until` (epoch millis, from `Clock`).
 * - `HalfOpen`: up to `halfOpenMaxProbes` probe calls run at once; the others are rejected.
 * - `Isolated`: held open by hand until `reset`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const describe = CircuitBreaker.State.$match({
 *   Closed: () => "closed",
 *   Open: ({ until }) => `open until ${new Date(until).toISOString()}`,
 *   HalfOpen: () => "probing",
 *   Isolated: () => "isolated"
 * })
 * describe(CircuitBreaker.State.Closed()) // "closed"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type State = Data.TaggedEnum<{
  readonly [K in ClaudeError.CircuitState]: K extends "Open"
    ? { readonly openedAt: number; readonly until: number }
    : {}
}>

/**
 * Constructors, guards and a matcher for {@link State}.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreaker.State.$is("Open")(CircuitBreaker.State.Open({ openedAt: 0, until: 60_000 })) // true
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const State: Data.TaggedEnum.Constructor<State> = internal.State

/**
 * Why a circuit changed state.
 *
 * @example
 * ```ts
 * import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const opened = (reason: CircuitBreaker.Reason) => reason === "ConsecutiveFailures" || reason === "FailureRate"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Reason =
  | "ConsecutiveFailures"
  | "FailureRate"
  | "OpenDurationElapsed"
  | "ProbeSucceeded"
  | "ProbeFailed"
  | "Isolated"
  | "Reset"

/**
 * One state change of one circuit, as published on {@link Service.transitions}. `at` is
 * epoch millis from `Clock`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const line = (t: CircuitBreaker.Transition) => `${t.key}: ${t.from._tag} -> ${t.to._tag} (${t.reason})`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Transition {
  readonly key: string
  readonly from: State
  readonly to: State
  readonly at: number
  readonly reason: Reason
}

/**
 * When a closed circuit opens. Build one with {@link consecutiveFailures} or {@link failureRate}.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const trip: CircuitBreaker.Trip = CircuitBreaker.consecutiveFailures(3)
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export type Trip =
  | { readonly _tag: "ConsecutiveFailures"; readonly threshold: number }
  | {
      readonly _tag: "FailureRate"
      readonly threshold: number
      readonly minimumCalls: number
      readonly window:
        | { readonly _tag: "Count"; readonly size: number }
        | { readonly _tag: "Time"; readonly duration: Duration.Duration; readonly buckets: number }
    }

/**
 * Open after `threshold` failures in a row (the article's breaker; default 5). A success
 * resets the count. Values below 1 count as 1.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(3) })
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export const consecutiveFailures: (threshold: number) => Trip = options.consecutiveFailures

/**
 * Open when the share of failures in a sliding window reaches `threshold` (default 0.5),
 * once the window holds at least `minimumCalls` outcomes (default 10, at most the window
 * size). The window is the last `calls` outcomes, or the outcomes of the last `duration`,
 * kept in `buckets` buckets (default 10; the window slides one bucket at a time).
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreaker.failureRate({ threshold: 0.5, minimumCalls: 20, calls: 100 })
 * CircuitBreaker.failureRate({ threshold: 0.25, duration: "30 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export const failureRate: (
  options:
    | { readonly threshold?: number; readonly minimumCalls?: number; readonly calls: number }
    | {
        readonly threshold?: number
        readonly minimumCalls?: number
        readonly duration: Duration.DurationInput
        readonly buckets?: number
      }
) => Trip = options.failureRate

/**
 * Decides whether a finished call counts as a failure. Interrupted calls never reach it:
 * they are ignored. Every other outcome that is not a failure counts as a success.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Exit } from "effect"
 *
 * // count every failure, of any type
 * const anyFailure: CircuitBreaker.Classifier = Exit.isFailure
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export type Classifier = (exit: Exit.Exit<unknown, unknown>) => boolean

/**
 * The default classifier: a call fails when it fails with a `ClaudeError` that says the
 * server is unhealthy (`ClaudeError.isServerFailure`: 5xx, 529, connection, timeout).
 * 4xx never count; 429 counts only with `rateLimits: true`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreaker.layer({ isFailure: CircuitBreaker.serverFailures({ rateLimits: true }) })
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export const serverFailures: (options?: { readonly rateLimits?: boolean }) => Classifier = options.serverFailures

/**
 * How a breaker behaves. Every key gets its own circuit with these settings.
 *
 * - `trip`: when a closed circuit opens; default `consecutiveFailures(5)`.
 * - `openDuration`: how long it stays open before letting a probe through; default 60 s.
 *   A `Schedule` makes it grow with each consecutive opening (its n-th delay is the n-th
 *   open duration, the last one repeats; evaluated up to 32 steps when the breaker is built).
 * - `maxOpenDuration`: cap on any open duration; default 10 minutes.
 * - `halfOpenMaxProbes`: probe calls allowed at once while half-open; default 1.
 * - `isFailure`: what counts as a failure; default {@link serverFailures}`()`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const options: CircuitBreaker.Options = { openDuration: "30 seconds", halfOpenMaxProbes: 2 }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface Options {
  readonly trip?: Trip | undefined
  readonly openDuration?: Duration.DurationInput | Schedule.Schedule<unknown, unknown> | undefined
  readonly maxOpenDuration?: Duration.DurationInput | undefined
  readonly halfOpenMaxProbes?: number | undefined
  readonly isFailure?: Classifier | undefined
}

/**
 * The breaker's interface.
 *
 * - `execute(key, effect)`: runs `effect` through the circuit named `key`, as one outcome; a
 *   rejected call fails with `CircuitOpenError` without running `effect`.
 * - `state(key)` / `states`: the current state of one circuit / of every circuit used.
 * - `transitions`: every state change made by this breaker, from now on.
 * - `subscribe`: the same as a queue, subscribed at once (handy in tests).
 * - `isolate(key)` holds a circuit open; `reset(key)` closes it and forgets its history.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const opusState = Effect.flatMap(CircuitBreaker.CircuitBreaker, (breaker: CircuitBreaker.Service) =>
 *   breaker.state("claude-opus-5-5")
 * )
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly [TypeId]: TypeId
  readonly execute: <A, E, R>(
    key: string,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ClaudeError.CircuitOpenError, R>
  readonly state: (key: string) => Effect.Effect<State>
  readonly states: Effect.Effect<ReadonlyMap<string, State>>
  readonly transitions: Stream.Stream<Transition>
  readonly subscribe: Effect.Effect<Queue.Dequeue<Transition>, never, Scope.Scope>
  readonly isolate: (key: string) => Effect.Effect<void>
  readonly reset: (key: string) => Effect.Effect<void>
}

/**
 * The circuit breaker service.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const breaker = yield* CircuitBreaker.CircuitBreaker
 *   return yield* breaker.execute("claude-sonnet-5-5", Effect.succeed("hi"))
 * }).pipe(Effect.provide(CircuitBreaker.layer()))
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class CircuitBreaker extends Context.Tag("@claude-resilience/circuit-breaker/CircuitBreaker")<
  CircuitBreaker,
  Service
>() {}

/**
 * The breaker's metrics, tagged with `key` (and `state` / `from` / `to`):
 *
 * - `state`: gauge per key, 0 closed, 1 open, 2 half-open, 3 isolated.
 * - `rejections`: calls rejected without running, tagged with the rejecting state.
 * - `transitions`: state changes, tagged `from` and `to`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Metric } from "effect"
 *
 * const rejected = Metric.value(Metric.tagged(CircuitBreaker.metrics.rejections, "key", "claude-sonnet-5-5"))
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics: {
  readonly state: Metric.Metric.Gauge<number>
  readonly rejections: Metric.Metric.Counter<number>
  readonly transitions: Metric.Metric.Counter<number>
} = internal.metrics

/**
 * Builds a breaker over the {@link CircuitBreakerStore} in context. Its transitions hub is
 * closed with the scope.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const breaker = yield* CircuitBreaker.make({ halfOpenMaxProbes: 2 })
 *   yield* breaker.execute("claude-haiku-4-5", Effect.succeed(1))
 * }).pipe(Effect.scoped, Effect.provide(CircuitBreakerStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<Service, never, Scope.Scope | CircuitBreakerStore.CircuitBreakerStore> = internal.make

/**
 * The breaker over a store provided separately (a shared store, say).
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore({ halfOpenMaxProbes: 3 }).pipe(Layer.provide(CircuitBreakerStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutStore = (
  options?: Options
): Layer.Layer<CircuitBreaker, never, CircuitBreakerStore.CircuitBreakerStore> =>
  Layer.scoped(CircuitBreaker, make(options))

/**
 * The breaker with its circuits in memory (one process).
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Duration, Schedule } from "effect"
 *
 * const live = CircuitBreaker.layer({
 *   trip: CircuitBreaker.consecutiveFailures(5),
 *   openDuration: Schedule.exponential("30 seconds"),
 *   maxOpenDuration: Duration.minutes(5)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options?: Options): Layer.Layer<CircuitBreaker> =>
  layerWithoutStore(options).pipe(Layer.provide(CircuitBreakerStore.layerMemory))

/**
 * Runs an effect through the circuit named `key` of the breaker in context.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const call = Effect.succeed("reply").pipe(CircuitBreaker.withCircuit("claude-sonnet-5-5"))
 * // Effect<string, CircuitOpenError, CircuitBreaker>
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const withCircuit: {
  (
    key: string
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ClaudeError.CircuitOpenError, R | CircuitBreaker>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    key: string
  ): Effect.Effect<A, E | ClaudeError.CircuitOpenError, R | CircuitBreaker>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, key: string) =>
  Effect.flatMap(CircuitBreaker, (breaker) => breaker.execute(key, self))
)

/**
 * The current state of the circuit `key` of the breaker in context.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const state = CircuitBreaker.state("claude-sonnet-5-5") // Effect<State, never, CircuitBreaker>
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const state = (key: string): Effect.Effect<State, never, CircuitBreaker> =>
  Effect.flatMap(CircuitBreaker, (breaker) => breaker.state(key))

/**
 * Holds the circuit `key` of the breaker in context open until {@link reset}.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const maintenance = CircuitBreaker.isolate("claude-opus-5-5")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const isolate = (key: string): Effect.Effect<void, never, CircuitBreaker> =>
  Effect.flatMap(CircuitBreaker, (breaker) => breaker.isolate(key))

/**
 * Closes the circuit `key` of the breaker in context and forgets its history.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const resume = CircuitBreaker.reset("claude-opus-5-5")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const reset = (key: string): Effect.Effect<void, never, CircuitBreaker> =>
  Effect.flatMap(CircuitBreaker, (breaker) => breaker.reset(key))
