/**
 * A keyed circuit breaker as an Effect service: Closed → Open → HalfOpen → Closed, with
 * state kept behind a small store interface (memory now, a shared store later).
 *
 * @since 0.1.0
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as memory from "./internal/memory.js"
import * as internal from "./internal/state.js"

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
export const TypeId: unique symbol = Symbol.for("@claude-resilience/circuit-breaker/CircuitBreaker")

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

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * The state of one circuit as callers see it.
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
  Closed: {}
  Open: { readonly openedAt: number; readonly until: number }
  HalfOpen: {}
  Isolated: {}
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
export const State = Data.taggedEnum<State>()

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
 * The stored record of one circuit: plain data (a `Schema`, so a shared store can encode
 * it), read and replaced only through {@link Store.modify}.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Schema } from "effect"
 *
 * const json = Schema.encodeSync(Schema.parseJson(CircuitBreaker.Entry))(CircuitBreaker.initialEntry)
 * ```
 *
 * @since 0.1.0
 * @category Store
 */
export const Entry = Schema.Struct({
  status: Schema.Literal("Closed", "Open", "HalfOpen", "Isolated"),
  /** Bumped on every transition; outcomes of calls admitted under an older generation are ignored. */
  generation: Schema.Number,
  consecutiveFailures: Schema.Number,
  /** Count-based sliding window, oldest first; `true` is a failure. */
  outcomes: Schema.Array(Schema.Boolean),
  /** Time-based sliding window as buckets of `duration / buckets` millis. */
  buckets: Schema.Array(Schema.Struct({ id: Schema.Number, calls: Schema.Number, failures: Schema.Number })),
  openedAt: Schema.Number,
  until: Schema.Number,
  /** Consecutive openings without a close: selects the open duration from the schedule. */
  openings: Schema.Number,
  /** Probe calls in flight while half-open. */
  probes: Schema.Number
})

/**
 * The type of {@link Entry}.
 *
 * @example
 * ```ts
 * import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const isOpen = (entry: CircuitBreaker.Entry) => entry.status === "Open"
 * ```
 *
 * @since 0.1.0
 * @category Store
 */
export type Entry = typeof Entry.Type

/**
 * The record of a circuit never used: closed, no history.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreaker.initialEntry.status // "Closed"
 * ```
 *
 * @since 0.1.0
 * @category Store
 */
export const initialEntry: Entry = internal.initial

/**
 * Where circuits live. `modify` must apply `f` atomically per key; `f` is pure and may be
 * called more than once (a shared store retries it after losing a compare-and-set). A key
 * never seen starts as {@link initialEntry}. A store decides itself what to do when its
 * backend fails, so that callers' error types do not depend on the store.
 *
 * @example
 * ```ts
 * import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 *
 * const status = (store: CircuitBreaker.Store, key: string) =>
 *   store.modify(key, (entry) => [entry.status, entry] as const)
 * ```
 *
 * @since 0.1.0
 * @category Store
 */
export interface Store {
  readonly modify: <A>(key: string, f: (entry: Entry) => readonly [A, Entry]) => Effect.Effect<A>
  readonly keys: Effect.Effect<ReadonlyArray<string>>
}

/**
 * The store the breaker keeps its circuits in. `CircuitBreakerMemory.layer` provides one in
 * memory; {@link layer} includes it.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerMemory } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(Layer.provide(CircuitBreakerMemory.layer))
 * ```
 *
 * @since 0.1.0
 * @category Store
 */
export class CircuitBreakerStore extends Context.Tag("@claude-resilience/circuit-breaker/CircuitBreakerStore")<
  CircuitBreakerStore,
  Store
>() {}

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

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
export const consecutiveFailures = (threshold: number): Trip => ({
  _tag: "ConsecutiveFailures",
  threshold: Math.max(1, Math.floor(threshold))
})

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
export const failureRate = (
  options:
    | { readonly threshold?: number; readonly minimumCalls?: number; readonly calls: number }
    | {
        readonly threshold?: number
        readonly minimumCalls?: number
        readonly duration: Duration.DurationInput
        readonly buckets?: number
      }
): Trip => {
  const threshold = Math.min(1, Math.max(Number.EPSILON, options.threshold ?? 0.5))
  const minimumCalls = Math.max(1, Math.floor(options.minimumCalls ?? 10))
  if ("calls" in options) {
    const size = Math.max(1, Math.floor(options.calls))
    return {
      _tag: "FailureRate",
      threshold,
      minimumCalls: Math.min(minimumCalls, size),
      window: { _tag: "Count", size }
    }
  }
  return {
    _tag: "FailureRate",
    threshold,
    minimumCalls,
    window: {
      _tag: "Time",
      duration: Duration.decode(options.duration),
      buckets: Math.max(1, Math.floor(options.buckets ?? 10))
    }
  }
}

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
export const serverFailures =
  (options?: { readonly rateLimits?: boolean }): Classifier =>
  (exit) => {
    if (Exit.isSuccess(exit)) return false
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure) || !ClaudeError.isClaudeError(failure.value)) return false
    const error = failure.value
    return ClaudeError.isServerFailure(error) || (options?.rateLimits === true && error._tag === "RateLimitError")
  }

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

// -----------------------------------------------------------------------------
// Service
// -----------------------------------------------------------------------------

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
 *   breaker.state("claude-opus-4-1")
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
 *   return yield* breaker.execute("claude-sonnet-4-5", Effect.succeed("hi"))
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

// -----------------------------------------------------------------------------
// Metrics
// -----------------------------------------------------------------------------

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
 * const rejected = Metric.value(Metric.tagged(CircuitBreaker.metrics.rejections, "key", "claude-sonnet-4-5"))
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics = {
  state: Metric.gauge("claude_circuit_state", {
    description: "Circuit state per key: 0 closed, 1 open, 2 half-open, 3 isolated"
  }),
  rejections: Metric.counter("claude_circuit_rejections_total", {
    description: "Calls rejected by an open, half-open or isolated circuit"
  }),
  transitions: Metric.counter("claude_circuit_transitions_total", { description: "Circuit state transitions" })
}

const stateValue: Record<Entry["status"], number> = { Closed: 0, Open: 1, HalfOpen: 2, Isolated: 3 }

// -----------------------------------------------------------------------------
// Constructors
// -----------------------------------------------------------------------------

const toState = (entry: Entry): State => {
  switch (entry.status) {
    case "Closed":
      return State.Closed()
    case "Open":
      return State.Open({ openedAt: entry.openedAt, until: entry.until })
    case "HalfOpen":
      return State.HalfOpen()
    case "Isolated":
      return State.Isolated()
  }
}

const rejection = (
  key: string,
  state: "Open" | "HalfOpen" | "Isolated",
  retryAfter: number | undefined
): ClaudeError.CircuitOpenError => {
  // A rejection's stack would point into the breaker, not at the caller, and capturing it is
  // most of the cost of a rejection; the fields are known-good, so Schema validation is skipped too.
  const stackTraceLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new ClaudeError.CircuitOpenError(
      {
        message:
          state === "Open"
            ? `circuit ${key} is open; next probe in ${Duration.format(Duration.millis(retryAfter ?? 0))}`
            : state === "HalfOpen"
              ? `circuit ${key} is half-open and its probe slots are taken`
              : `circuit ${key} is isolated until reset`,
        key,
        state,
        ...(retryAfter === undefined ? {} : { retryAfter: Duration.millis(Math.max(0, retryAfter)) })
      },
      { disableValidation: true }
    )
  } finally {
    Error.stackTraceLimit = stackTraceLimit
  }
}

const maxScheduleSteps = 32

const openDurations = (
  openDuration: Options["openDuration"],
  maxOpenDuration: Duration.DurationInput
): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function* () {
    const cap = Duration.toMillis(Duration.decode(maxOpenDuration))
    if (openDuration === undefined) return [Math.min(60_000, cap)]
    if (!Schedule.isSchedule(openDuration)) {
      return [Math.min(Duration.toMillis(Duration.decode(openDuration)), cap)]
    }
    const schedule = openDuration as Schedule.Schedule<unknown, unknown>
    const durations: Array<number> = []
    let now = yield* Clock.currentTimeMillis
    let state = schedule.initial
    for (let i = 0; i < maxScheduleSteps; i++) {
      const [next, , decision] = yield* schedule.step(now, undefined, state)
      if (ScheduleDecision.isDone(decision)) break
      const delay = Math.min(Math.max(0, Intervals.start(decision.intervals) - now), cap)
      durations.push(delay)
      now += delay
      state = next
      if (delay >= cap) break
    }
    return durations.length > 0 ? durations : [Math.min(60_000, cap)]
  })

/**
 * Builds a breaker over the {@link CircuitBreakerStore} in context. Its transitions hub is
 * closed with the scope.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerMemory } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const breaker = yield* CircuitBreaker.make({ halfOpenMaxProbes: 2 })
 *   yield* breaker.execute("claude-haiku-4-5", Effect.succeed(1))
 * }).pipe(Effect.scoped, Effect.provide(CircuitBreakerMemory.layer))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope | CircuitBreakerStore> =>
  Effect.gen(function* () {
    const store = yield* CircuitBreakerStore
    const config: internal.Config = {
      trip: toTripConfig(options.trip ?? consecutiveFailures(5)),
      openDurations: yield* openDurations(options.openDuration, options.maxOpenDuration ?? Duration.minutes(10)),
      halfOpenMaxProbes: Math.max(1, Math.floor(options.halfOpenMaxProbes ?? 1))
    }
    const isFailure = options.isFailure ?? serverFailures()
    const hub = yield* Effect.acquireRelease(PubSub.sliding<Transition>(1024), PubSub.shutdown)

    const announce = (key: string, change: internal.Change | undefined, at: number): Effect.Effect<void> => {
      if (change === undefined) return Effect.void
      const transition: Transition = {
        key,
        from: toState(change.from),
        to: toState(change.to),
        at,
        reason: change.reason
      }
      const message = `circuit ${key}: ${change.from.status} -> ${change.to.status} (${change.reason})`
      const log = change.to.status === "Closed" ? Effect.logInfo(message) : Effect.logWarning(message)
      return Effect.all(
        [
          PubSub.publish(hub, transition),
          Metric.set(Metric.tagged(metrics.state, "key", key), stateValue[change.to.status]),
          Metric.increment(
            Metric.taggedWithLabels(metrics.transitions, [
              MetricLabel.make("key", key),
              MetricLabel.make("from", change.from.status),
              MetricLabel.make("to", change.to.status)
            ])
          ),
          log.pipe(
            Effect.annotateLogs({ circuit: key, from: change.from.status, to: change.to.status, reason: change.reason })
          )
        ],
        { discard: true }
      )
    }

    // Tagged metrics are looked up in the registry by their labels; keep one per key and state.
    const rejectionCounters = new Map<string, Metric.Metric.Counter<number>>()
    const rejectionCounter = (key: string, state: string): Metric.Metric.Counter<number> => {
      const id = `${state}:${key}`
      let counter = rejectionCounters.get(id)
      if (counter === undefined) {
        counter = Metric.taggedWithLabels(metrics.rejections, [
          MetricLabel.make("key", key),
          MetricLabel.make("state", state)
        ])
        rejectionCounters.set(id, counter)
      }
      return counter
    }

    const reject = (
      key: string,
      state: "Open" | "HalfOpen" | "Isolated",
      retryAfter: number | undefined
    ): Effect.Effect<never, ClaudeError.CircuitOpenError> =>
      Effect.zipRight(
        Metric.increment(rejectionCounter(key, state)),
        Effect.failSync(() => rejection(key, state, retryAfter))
      )

    const acquire = (key: string): Effect.Effect<internal.Permit, ClaudeError.CircuitOpenError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          store.modify(key, (entry) => internal.admit(entry, now, config)),
          ({ result, change }) => {
            const announced = announce(key, change, now)
            return result._tag === "Permitted"
              ? Effect.as(announced, result.permit)
              : Effect.zipRight(announced, reject(key, result.state, result.retryAfter))
          }
        )
      )

    const release = (key: string, permit: internal.Permit, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
      const outcome: internal.Outcome =
        Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
          ? "ignored"
          : isFailure(exit)
            ? "failure"
            : "success"
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          store.modify(key, (entry) => internal.record(entry, permit, outcome, now, config)),
          ({ change }) => announce(key, change, now)
        )
      )
    }

    const update =
      (f: (entry: Entry, now: number) => readonly [internal.Step<void>, Entry]) =>
      (key: string): Effect.Effect<void> =>
        Effect.uninterruptible(
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.flatMap(
              store.modify(key, (entry) => f(entry, now)),
              ({ change }) => announce(key, change, now)
            )
          )
        )

    const state = (key: string): Effect.Effect<State> =>
      Effect.uninterruptible(
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(
            store.modify(key, (entry) => {
              const [change, next] = internal.tick(entry, now)
              return [[change, next] as const, next] as const
            }),
            ([change, entry]) => Effect.as(announce(key, change, now), toState(entry))
          )
        )
      )

    const service: Service = {
      [TypeId]: TypeId,
      execute: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(acquire(key), (permit) => Effect.onExit(restore(effect), (exit) => release(key, permit, exit)))
        ),
      state,
      states: Effect.flatMap(store.keys, (keys) =>
        Effect.map(
          Effect.forEach(keys, (key) => Effect.map(state(key), (s) => [key, s] as const)),
          (pairs): ReadonlyMap<string, State> => new Map(pairs)
        )
      ),
      transitions: Stream.fromPubSub(hub),
      subscribe: PubSub.subscribe(hub),
      isolate: update((entry) => internal.isolate(entry)),
      reset: update((entry) => internal.reset(entry))
    }
    return service
  })

const toTripConfig = (trip: Trip): internal.TripConfig =>
  trip._tag === "ConsecutiveFailures"
    ? trip
    : {
        _tag: "FailureRate",
        threshold: trip.threshold,
        minimumCalls: trip.minimumCalls,
        window:
          trip.window._tag === "Count"
            ? trip.window
            : {
                _tag: "Time",
                millis: Math.max(1, Duration.toMillis(trip.window.duration)),
                buckets: trip.window.buckets
              }
      }

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * The breaker over a store provided separately (a shared store, say).
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerMemory } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore({ halfOpenMaxProbes: 3 }).pipe(Layer.provide(CircuitBreakerMemory.layer))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutStore = (options?: Options): Layer.Layer<CircuitBreaker, never, CircuitBreakerStore> =>
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
  layerWithoutStore(options).pipe(Layer.provide(Layer.effect(CircuitBreakerStore, memory.make)))

// -----------------------------------------------------------------------------
// Accessors
// -----------------------------------------------------------------------------

/**
 * Runs an effect through the circuit named `key` of the breaker in context.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const call = Effect.succeed("reply").pipe(CircuitBreaker.withCircuit("claude-sonnet-4-5"))
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
 * const state = CircuitBreaker.state("claude-sonnet-4-5") // Effect<State, never, CircuitBreaker>
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
 * const maintenance = CircuitBreaker.isolate("claude-opus-4-1")
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
 * const resume = CircuitBreaker.reset("claude-opus-4-1")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const reset = (key: string): Effect.Effect<void, never, CircuitBreaker> =>
  Effect.flatMap(CircuitBreaker, (breaker) => breaker.reset(key))
