import { ClaudeError } from "@claude-resilience/errors"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as CB from "../CircuitBreaker.js"
import { CircuitBreakerStore, type Entry } from "../CircuitBreakerStore.js"
import { config as configOf, serverFailures } from "./options.js"
import * as machine from "./state.js"

export const TypeId: CB.TypeId = Symbol.for("@claude-resilience/circuit-breaker/CircuitBreaker") as CB.TypeId

export const State = Data.taggedEnum<CB.State>()

export const metrics = {
  state: Metric.gauge("claude_circuit_state", {
    description: "Circuit state per key: 0 closed, 1 open, 2 half-open, 3 isolated"
  }),
  rejections: Metric.counter("claude_circuit_rejections_total", {
    description: "Calls rejected by an open, half-open or isolated circuit"
  }),
  transitions: Metric.counter("claude_circuit_transitions_total", { description: "Circuit state transitions" })
}

/**
 * The `key` label of a circuit's metrics. Effect's metric registry keeps every label set it has
 * seen for the life of the process, so a breaker keyed per tenant or per request would grow it
 * without bound: a breaker gives the first {@link MAX_METRIC_KEYS} circuits it sees a label of
 * their own and reports any later one under {@link OTHER_KEY}. Logs and transitions keep the
 * real key.
 */
export const MAX_METRIC_KEYS = 1_000
export const OTHER_KEY = "_other"

const metricKeys = (): ((key: string) => string) => {
  const seen = new Set<string>()
  return (key) => {
    if (seen.has(key)) return key
    if (seen.size >= MAX_METRIC_KEYS) return OTHER_KEY
    seen.add(key)
    return key
  }
}

const stateValue: Record<ClaudeError.CircuitState, number> = { Closed: 0, Open: 1, HalfOpen: 2, Isolated: 3 }

const toState = (entry: Entry): CB.State => {
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

// A rejection's stack would point into the breaker, not at the caller, and capturing it is most of
// the cost of a rejection: the fields are known-good, so the error is built without a constructor.
const rejection = (
  key: string,
  state: ClaudeError.CircuitRejectingState,
  retryAfter: number | undefined
): ClaudeError.CircuitOpenError =>
  ClaudeError.unsafeMake(ClaudeError.CircuitOpenError, {
    message:
      state === "Open"
        ? `circuit ${key} is open; next probe in ${Duration.format(Duration.millis(retryAfter ?? 0))}`
        : state === "HalfOpen"
          ? `circuit ${key} is half-open and its probe slots are taken`
          : `circuit ${key} is isolated until reset`,
    key,
    state,
    ...(retryAfter === undefined ? {} : { retryAfter: Duration.millis(Math.max(0, retryAfter)) })
  })

export const make = (options: CB.Options = {}): Effect.Effect<CB.Service, never, Scope.Scope | CircuitBreakerStore> =>
  Effect.gen(function* () {
    const store = yield* CircuitBreakerStore
    const config = yield* configOf(options)
    const isFailure = options.isFailure ?? serverFailures()
    const hub = yield* Effect.acquireRelease(PubSub.sliding<CB.Transition>(1024), PubSub.shutdown)
    const metricKey = metricKeys()

    const announce = (key: string, change: machine.Change | undefined, at: number): Effect.Effect<void> => {
      if (change === undefined) return Effect.void
      const transition: CB.Transition = {
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
          Metric.set(Metric.tagged(metrics.state, "key", metricKey(key)), stateValue[change.to.status]),
          Metric.increment(
            Metric.taggedWithLabels(metrics.transitions, [
              MetricLabel.make("key", metricKey(key)),
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

    // Tagged metrics are looked up in the registry by their labels; keep one per metric key and
    // state (bounded with the metric keys: at most MAX_METRIC_KEYS + 1 of them, three states each).
    const rejectionCounters = new Map<string, Metric.Metric.Counter<number>>()
    const rejectionCounter = (key: string, state: string): Metric.Metric.Counter<number> => {
      const label = metricKey(key)
      const id = `${state}:${label}`
      let counter = rejectionCounters.get(id)
      if (counter === undefined) {
        counter = Metric.taggedWithLabels(metrics.rejections, [
          MetricLabel.make("key", label),
          MetricLabel.make("state", state)
        ])
        rejectionCounters.set(id, counter)
      }
      return counter
    }

    const reject = (
      key: string,
      state: ClaudeError.CircuitRejectingState,
      retryAfter: number | undefined
    ): Effect.Effect<never, ClaudeError.CircuitOpenError> =>
      Effect.zipRight(
        Metric.increment(rejectionCounter(key, state)),
        Effect.failSync(() => rejection(key, state, retryAfter))
      )

    const acquire = (key: string): Effect.Effect<machine.Permit, ClaudeError.CircuitOpenError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          store.modify(key, (entry) => machine.admit(entry, now, config)),
          ({ result, change }) => {
            const announced = announce(key, change, now)
            return result._tag === "Permitted"
              ? Effect.as(announced, result.permit)
              : Effect.zipRight(announced, reject(key, result.state, result.retryAfter))
          }
        )
      )

    const release = (key: string, permit: machine.Permit, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
      const outcome: machine.Outcome =
        Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
          ? "ignored"
          : isFailure(exit)
            ? "failure"
            : "success"
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          store.modify(key, (entry) => machine.record(entry, permit, outcome, now, config)),
          ({ change }) => announce(key, change, now)
        )
      )
    }

    const update =
      (f: (entry: Entry, now: number) => readonly [machine.Step<void>, Entry]) =>
      (key: string): Effect.Effect<void> =>
        Effect.uninterruptible(
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.flatMap(
              store.modify(key, (entry) => f(entry, now)),
              ({ change }) => announce(key, change, now)
            )
          )
        )

    const state = (key: string): Effect.Effect<CB.State> =>
      Effect.uninterruptible(
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(
            store.modify(key, (entry) => {
              const [change, next] = machine.tick(entry, now)
              return [[change, next] as const, next] as const
            }),
            ([change, entry]) => Effect.as(announce(key, change, now), toState(entry))
          )
        )
      )

    const service: CB.Service = {
      [TypeId]: TypeId,
      execute: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(acquire(key), (permit) => Effect.onExit(restore(effect), (exit) => release(key, permit, exit)))
        ),
      state,
      states: Effect.flatMap(store.keys, (keys) =>
        Effect.map(
          Effect.forEach(keys, (key) => Effect.map(state(key), (s) => [key, s] as const)),
          (pairs): ReadonlyMap<string, CB.State> => new Map(pairs)
        )
      ),
      transitions: Stream.fromPubSub(hub),
      subscribe: PubSub.subscribe(hub),
      isolate: update((entry) => machine.isolate(entry)),
      reset: update((entry) => machine.reset(entry))
    }
    return service
  })
