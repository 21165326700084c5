/**
 * From the breaker's {@link CB.Options} to the plain {@link state.Config} its state machine reads:
 * trip rules, the failure classifier, and the open durations (a Schedule evaluated once).
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as CB from "../CircuitBreaker.js"
import type * as state from "./state.js"

export const consecutiveFailures = (threshold: number): CB.Trip => ({
  _tag: "ConsecutiveFailures",
  threshold: Math.max(1, Math.floor(threshold))
})

export const failureRate = (
  options:
    | { readonly threshold?: number; readonly minimumCalls?: number; readonly calls: number }
    | {
        readonly threshold?: number
        readonly minimumCalls?: number
        readonly duration: Duration.DurationInput
        readonly buckets?: number
      }
): CB.Trip => {
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

export const serverFailures =
  (options?: { readonly rateLimits?: boolean }): CB.Classifier =>
  (exit) => {
    if (Exit.isSuccess(exit)) return false
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure) || !ClaudeError.isClaudeError(failure.value)) return false
    const error = failure.value
    return ClaudeError.isServerFailure(error) || (options?.rateLimits === true && error._tag === "RateLimitError")
  }

const maxScheduleSteps = 32

const openDurations = (
  openDuration: CB.Options["openDuration"],
  maxOpenDuration: Duration.DurationInput
): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function* () {
    const cap = Duration.toMillis(maxOpenDuration)
    if (openDuration === undefined) return [Math.min(60_000, cap)]
    if (!Schedule.isSchedule(openDuration)) return [Math.min(Duration.toMillis(openDuration), cap)]
    // The n-th delay of the schedule is the n-th open duration; the last one repeats.
    const delays = yield* Schedule.run(
      Schedule.delays(openDuration as Schedule.Schedule<unknown, unknown>),
      yield* Clock.currentTimeMillis,
      Array.from({ length: maxScheduleSteps }, () => undefined)
    )
    const durations: Array<number> = []
    for (const delay of delays) {
      const millis = Math.min(Math.max(0, Duration.toMillis(delay)), cap)
      durations.push(millis)
      if (millis >= cap) break
    }
    return durations.length > 0 ? durations : [Math.min(60_000, cap)]
  })

const toTripConfig = (trip: CB.Trip): state.TripConfig =>
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

/** The state machine's configuration for these options, with the defaults filled in. */
export const config = (options: CB.Options): Effect.Effect<state.Config> =>
  Effect.map(openDurations(options.openDuration, options.maxOpenDuration ?? Duration.minutes(10)), (durations) => ({
    trip: toTripConfig(options.trip ?? consecutiveFailures(5)),
    openDurations: durations,
    halfOpenMaxProbes: Math.max(1, Math.floor(options.halfOpenMaxProbes ?? 1))
  }))
