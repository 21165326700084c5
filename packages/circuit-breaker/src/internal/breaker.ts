import { ClaudeError } from "@claude-resilience/errors"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as CB from "../CircuitBreaker.js"
import { CircuitBreakerStore, type Entry, type Store } from "../CircuitBreakerStore.js"
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

const rejectionMessage = (
  key: string,
  state: ClaudeError.CircuitRejectingState,
  retryAfter: Duration.Duration | undefined
): string =>
  state === "Open"
    ? `circuit ${key} is open; next probe in ${Duration.format(retryAfter ?? Duration.zero)}`
    : state === "HalfOpen"
      ? `circuit ${key} is half-open and its probe slots are taken`
      : `circuit ${key} is isolated until reset`

const ownMessage = (error: object, value: string): void => {
  Object.defineProperty(error, "message", { value, writable: true, enumerable: false, configurable: true })
}

// Rejections inherit from this: a `CircuitOpenError` whose message is formatted when first read
// (and then kept as the error's own), since formatting the wait is most of the cost of building one.
const rejectionPrototype: object = Object.create(ClaudeError.CircuitOpenError.prototype, {
  message: {
    get(this: ClaudeError.CircuitOpenError): string {
      const message = rejectionMessage(this.key, this.state, this.retryAfter)
      ownMessage(this, message)
      return message
    },
    set(this: ClaudeError.CircuitOpenError, value: string) {
      ownMessage(this, value)
    },
    enumerable: false,
    configurable: true
  }
})

// A rejection's stack would point into the breaker, not at the caller, and capturing it is most of
// the cost of a rejection: the fields are known-good, so the error is built without a constructor
// (as `ClaudeError.unsafeMake` does), with the same own fields.
const rejection = (
  key: string,
  state: ClaudeError.CircuitRejectingState,
  retryAfter: number | undefined
): ClaudeError.CircuitOpenError => {
  const error = Object.create(rejectionPrototype) as {
    -readonly [K in keyof ClaudeError.CircuitOpenError]: ClaudeError.CircuitOpenError[K]
  }
  error._tag = "CircuitOpenError"
  error[ClaudeError.TypeId] = ClaudeError.TypeId
  error.key = key
  error.state = state
  if (retryAfter !== undefined) error.retryAfter = Duration.millis(Math.max(0, retryAfter))
  return error
}

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
    type RejectionCounters = Record<ClaudeError.CircuitRejectingState, Metric.Metric.Counter<number>>
    const rejectionCounters = new Map<string, RejectionCounters>()
    const countersOf = (label: string): RejectionCounters => {
      const counter = (state: ClaudeError.CircuitRejectingState) =>
        Metric.taggedWithLabels(metrics.rejections, [MetricLabel.make("key", label), MetricLabel.make("state", state)])
      return { Open: counter("Open"), HalfOpen: counter("HalfOpen"), Isolated: counter("Isolated") }
    }
    const rejectionCounter = (key: string, state: ClaudeError.CircuitRejectingState): Metric.Metric.Counter<number> => {
      let counters = rejectionCounters.get(key)
      if (counters === undefined) {
        const label = metricKey(key)
        counters = rejectionCounters.get(label)
        if (counters === undefined) {
          counters = countersOf(label)
          rejectionCounters.set(label, counters)
        }
      }
      return counters[state]
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

    const outcomeOf = (exit: Exit.Exit<unknown, unknown>): machine.Outcome =>
      Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? "ignored" : isFailure(exit) ? "failure" : "success"

    const release = (key: string, permit: machine.Permit, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
      const outcome = outcomeOf(exit)
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

    /** Through the store's `modify`: a store that needs I/O (Redis). */
    const executeAsync = <A, E, R>(
      key: string,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | ClaudeError.CircuitOpenError, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(acquire(key), (permit) => Effect.onExit(restore(effect), (exit) => release(key, permit, exit)))
      )

    // The fast path of a store that needs no I/O: admission and release are each one synchronous
    // step on the same state machine, and only a transition (rare) runs effects of its own.
    type Modify = NonNullable<Store["unsafeModify"]>
    const unsafeModify = store.unsafeModify

    /** Masked throughout, as `executeAsync`: for an admission that changes the circuit (a probe, a transition). */
    const executeMasked = <A, E, R>(
      modify: Modify,
      key: string,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | ClaudeError.CircuitOpenError, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.withFiberRuntime((fiber) => {
          const clock = Context.unsafeGet(fiber.currentDefaultServices, Clock.Clock)
          const now = clock.unsafeCurrentTimeMillis()
          const { change, result } = modify(key, now, (entry) => machine.admit(entry, now, config))
          if (result._tag === "Rejected") {
            rejectionCounter(key, result.state).unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))
            const rejected = Effect.fail(rejection(key, result.state, result.retryAfter))
            return change === undefined ? rejected : Effect.zipRight(announce(key, change, now), rejected)
          }
          const permit = result.permit
          // The outcome is recorded before the caller sees it, as `onExit` would.
          const settle = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> | undefined => {
            const at = clock.unsafeCurrentTimeMillis()
            const outcome = outcomeOf(exit)
            const step = modify(key, at, (entry) => machine.record(entry, permit, outcome, at, config))
            return step.change === undefined ? undefined : announce(key, step.change, at)
          }
          const run = Effect.matchCauseEffect(restore(effect), {
            onFailure: (cause) => {
              const announced = settle(Exit.failCause(cause))
              return announced === undefined
                ? Effect.failCause(cause)
                : Effect.zipRight(announced, Effect.failCause(cause))
            },
            onSuccess: (value) => {
              const announced = settle(Exit.succeed(value))
              return announced === undefined ? Effect.succeed(value) : Effect.as(announced, value)
            }
          })
          return change === undefined ? run : Effect.zipRight(announce(key, change, now), run)
        })
      )

    /**
     * Without a mask: for an admission that changes nothing — a rejection, or a closed circuit's
     * permit, which holds nothing that would need giving back. An interruption before the outcome
     * is recorded leaves it unrecorded, which is what an interrupted call's outcome is ("ignored").
     * An outcome that would make a transition is recorded (again, on the state of that moment)
     * together with its announcement in one uninterruptible step, so neither happens without the other.
     */
    const executeSync = <A, E, R>(
      modify: Modify,
      key: string,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | ClaudeError.CircuitOpenError, R> =>
      Effect.withFiberRuntime((fiber) => {
        const clock = Context.unsafeGet(fiber.currentDefaultServices, Clock.Clock)
        const now = clock.unsafeCurrentTimeMillis()
        const result = modify(key, now, (entry) => {
          const [step, next] = machine.admit(entry, now, config)
          return step.change === undefined && (step.result._tag === "Rejected" || !step.result.permit.probe)
            ? [step.result, next]
            : [undefined, entry]
        })
        if (result === undefined) return executeMasked(modify, key, effect)
        if (result._tag === "Rejected") {
          rejectionCounter(key, result.state).unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))
          const error = rejection(key, result.state, result.retryAfter)
          // `Effect.fail` would look for a span to attach: only worth its step when there is one.
          return fiber.currentSpan === undefined ? Effect.failCause(Cause.fail(error)) : Effect.fail(error)
        }
        const permit = result.permit
        /** Records an outcome that makes no transition; else tells the outcome to record with its announcement. */
        const settle = (exit: Exit.Exit<unknown, unknown>): machine.Outcome | undefined => {
          const at = clock.unsafeCurrentTimeMillis()
          const outcome = outcomeOf(exit)
          const transition = modify(key, at, (entry) => {
            const [step, next] = machine.record(entry, permit, outcome, at, config)
            return step.change === undefined ? [false, next] : [true, entry]
          })
          return transition ? outcome : undefined
        }
        const transition = (outcome: machine.Outcome): Effect.Effect<void> =>
          Effect.uninterruptible(
            Effect.suspend(() => {
              const at = clock.unsafeCurrentTimeMillis()
              const { change } = modify(key, at, (entry) => machine.record(entry, permit, outcome, at, config))
              return change === undefined ? Effect.void : announce(key, change, at)
            })
          )
        return Effect.matchCauseEffect(effect, {
          onFailure: (cause) => {
            const outcome = settle(Exit.failCause(cause))
            return outcome === undefined
              ? Effect.failCause(cause)
              : Effect.zipRight(transition(outcome), Effect.failCause(cause))
          },
          onSuccess: (value) => {
            const outcome = settle(Exit.succeed(value))
            return outcome === undefined ? Effect.succeed(value) : Effect.as(transition(outcome), value)
          }
        })
      })

    const service: CB.Service = {
      [TypeId]: TypeId,
      execute:
        unsafeModify === undefined
          ? executeAsync
          : <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => executeSync(unsafeModify, key, effect),
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
