/**
 * The pure state machine of one circuit. Every function here is total and side-effect free
 * so that a store may run it inside an atomic update, and a shared store may run it again
 * after losing a compare-and-set race.
 */
import type { ClaudeError } from "@claude-resilience/errors"
import type { Reason } from "../CircuitBreaker.js"
import type { Entry } from "../CircuitBreakerStore.js"

/** @internal */
export type Window =
  | { readonly _tag: "Count"; readonly size: number }
  | { readonly _tag: "Time"; readonly millis: number; readonly buckets: number }

/** @internal */
export type TripConfig =
  | { readonly _tag: "ConsecutiveFailures"; readonly threshold: number }
  | {
      readonly _tag: "FailureRate"
      readonly threshold: number
      readonly minimumCalls: number
      readonly window: Window
    }

/** @internal */
export interface Config {
  readonly trip: TripConfig
  /** Open duration in millis after the 1st, 2nd, ... consecutive opening; the last one repeats. */
  readonly openDurations: ReadonlyArray<number>
  readonly halfOpenMaxProbes: number
}

/** @internal */
export interface Change {
  readonly from: Entry
  readonly to: Entry
  readonly reason: Reason
}

/** @internal */
export interface Permit {
  readonly generation: number
  readonly probe: boolean
}

/** @internal */
export type Admission =
  | { readonly _tag: "Permitted"; readonly permit: Permit }
  | {
      readonly _tag: "Rejected"
      readonly state: ClaudeError.CircuitRejectingState
      readonly retryAfter: number | undefined
    }

/** @internal */
export type Outcome = "success" | "failure" | "ignored"

/** @internal */
export interface Step<A> {
  readonly result: A
  readonly change: Change | undefined
}

/** @internal */
export const initial: Entry = {
  status: "Closed",
  generation: 0,
  consecutiveFailures: 0,
  outcomes: [],
  buckets: [],
  openedAt: 0,
  until: 0,
  openings: 0,
  probes: 0
}

const cleared = (entry: Entry, status: Entry["status"]): Entry => ({
  ...entry,
  status,
  generation: entry.generation + 1,
  consecutiveFailures: 0,
  outcomes: [],
  buckets: [],
  probes: 0
})

/** @internal */
export const openDuration = (config: Config, openings: number): number => {
  const durations = config.openDurations
  return durations[Math.min(openings, durations.length) - 1] ?? 0
}

const open = (entry: Entry, now: number, config: Config, reason: Reason): readonly [Step<void>, Entry] => {
  const openings = entry.openings + 1
  const to: Entry = {
    ...cleared(entry, "Open"),
    openedAt: now,
    until: now + openDuration(config, openings),
    openings
  }
  return [{ result: undefined, change: { from: entry, to, reason } }, to]
}

const closed = (entry: Entry, reason: Reason): readonly [Step<void>, Entry] => {
  const to: Entry = { ...cleared(entry, "Closed"), openedAt: 0, until: 0, openings: 0 }
  return [{ result: undefined, change: { from: entry, to, reason } }, to]
}

/**
 * Applies the passage of time: an open circuit whose duration elapsed becomes half-open.
 *
 * @internal
 */
export const tick = (entry: Entry, now: number): readonly [Change | undefined, Entry] => {
  if (entry.status !== "Open" || now < entry.until) return [undefined, entry]
  const to = cleared(entry, "HalfOpen")
  return [{ from: entry, to, reason: "OpenDurationElapsed" }, to]
}

/**
 * Decides whether a call may run, taking a probe slot when half-open.
 *
 * @internal
 */
export const admit = (entry: Entry, now: number, config: Config): readonly [Step<Admission>, Entry] => {
  const [change, current] = tick(entry, now)
  switch (current.status) {
    case "Closed":
      return [
        { result: { _tag: "Permitted", permit: { generation: current.generation, probe: false } }, change },
        current
      ]
    case "Open":
      return [{ result: { _tag: "Rejected", state: "Open", retryAfter: current.until - now }, change }, current]
    case "Isolated":
      return [{ result: { _tag: "Rejected", state: "Isolated", retryAfter: undefined }, change }, current]
    case "HalfOpen": {
      if (current.probes >= config.halfOpenMaxProbes) {
        return [{ result: { _tag: "Rejected", state: "HalfOpen", retryAfter: undefined }, change }, current]
      }
      const next: Entry = { ...current, probes: current.probes + 1 }
      return [{ result: { _tag: "Permitted", permit: { generation: next.generation, probe: true } }, change }, next]
    }
  }
}

const bucketWidth = (window: { readonly millis: number; readonly buckets: number }): number =>
  window.millis / window.buckets

const liveBuckets = (entry: Entry, now: number, window: { readonly millis: number; readonly buckets: number }) => {
  const current = Math.floor(now / bucketWidth(window))
  return entry.buckets.filter((bucket) => bucket.id > current - window.buckets)
}

const recordClosed = (entry: Entry, failure: boolean, now: number, trip: TripConfig): Entry => {
  if (trip._tag === "ConsecutiveFailures") {
    // The common case, a success with no failure before it, changes nothing: no copy.
    if (!failure && entry.consecutiveFailures === 0) return entry
    return { ...entry, consecutiveFailures: failure ? entry.consecutiveFailures + 1 : 0 }
  }
  const window = trip.window
  if (window._tag === "Count") {
    const outcomes = [...entry.outcomes, failure]
    return {
      ...entry,
      outcomes: outcomes.length > window.size ? outcomes.slice(outcomes.length - window.size) : outcomes
    }
  }
  const id = Math.floor(now / bucketWidth(window))
  const buckets = liveBuckets(entry, now, window)
  const last = buckets[buckets.length - 1]
  const updated =
    last !== undefined && last.id === id
      ? [...buckets.slice(0, -1), { id, calls: last.calls + 1, failures: last.failures + (failure ? 1 : 0) }]
      : [...buckets, { id, calls: 1, failures: failure ? 1 : 0 }]
  return { ...entry, buckets: updated }
}

const tripReason = (entry: Entry, trip: TripConfig): Reason | undefined => {
  if (trip._tag === "ConsecutiveFailures") {
    return entry.consecutiveFailures >= trip.threshold ? "ConsecutiveFailures" : undefined
  }
  let calls = 0
  let failures = 0
  if (trip.window._tag === "Count") {
    calls = entry.outcomes.length
    for (const failure of entry.outcomes) if (failure) failures++
  } else {
    for (const bucket of entry.buckets) {
      calls += bucket.calls
      failures += bucket.failures
    }
  }
  return calls >= trip.minimumCalls && calls > 0 && failures / calls >= trip.threshold ? "FailureRate" : undefined
}

/** The step of an update that changes no state (shared: a step is never mutated). */
const unchanged: Step<void> = { result: undefined, change: undefined }

/**
 * Records the outcome of a call admitted with `permit`. Outcomes of calls admitted under an
 * earlier generation (before a transition, reset or isolation) are ignored: they belong to a
 * state that no longer exists.
 *
 * @internal
 */
export const record = (
  entry: Entry,
  permit: Permit,
  outcome: Outcome,
  now: number,
  config: Config
): readonly [Step<void>, Entry] => {
  if (permit.generation !== entry.generation) return [unchanged, entry]
  switch (entry.status) {
    case "HalfOpen": {
      if (!permit.probe) return [unchanged, entry]
      const freed: Entry = { ...entry, probes: Math.max(0, entry.probes - 1) }
      if (outcome === "ignored") return [unchanged, freed]
      return outcome === "success" ? closed(freed, "ProbeSucceeded") : open(freed, now, config, "ProbeFailed")
    }
    case "Closed": {
      if (outcome === "ignored") return [unchanged, entry]
      const updated = recordClosed(entry, outcome === "failure", now, config.trip)
      // A success can trip too: the window may reach `minimumCalls` with a failure rate already too high.
      const reason = updated === entry ? undefined : tripReason(updated, config.trip)
      return reason === undefined ? [unchanged, updated] : open(updated, now, config, reason)
    }
    default:
      return [unchanged, entry]
  }
}

/**
 * Holds the circuit open until {@link reset}.
 *
 * @internal
 */
export const isolate = (entry: Entry): readonly [Step<void>, Entry] => {
  if (entry.status === "Isolated") return [{ result: undefined, change: undefined }, entry]
  const to = cleared(entry, "Isolated")
  return [{ result: undefined, change: { from: entry, to, reason: "Isolated" } }, to]
}

/**
 * Closes the circuit and forgets its history; in-flight calls no longer count.
 *
 * @internal
 */
export const reset = (entry: Entry): readonly [Step<void>, Entry] => {
  const [step, to] = closed(entry, "Reset")
  return entry.status === "Closed" ? [{ result: undefined, change: undefined }, to] : [step, to]
}
