/**
 * A schedule's decisions made visible and bounded: one `Decision` per failure, a log line (at
 * Debug) and metrics per retry or give-up, and the attempt and time budgets.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as RetryPolicy from "../RetryPolicy.js"

export const retriesTotal = Metric.counter("claude_retries_total", {
  description: "Retries scheduled by the retry policy, by error tag",
  incremental: true
})

export const giveUpsTotal = Metric.counter("claude_retry_give_ups_total", {
  description: "Failures the retry policy did not retry, by error tag and reason",
  incremental: true
})

export const retryDelay = Metric.histogram(
  "claude_retry_delay_ms",
  MetricBoundaries.exponential({ start: 10, factor: 2, count: 16 }),
  "Delay before each retry, in milliseconds"
)

const tagOf = (error: unknown): string =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : "Unknown"

const requestIdOf = (error: unknown): string | undefined =>
  Predicate.hasProperty(error, "requestId") && typeof error.requestId === "string" ? error.requestId : undefined

// Both lines are at Debug: a retry is routine, and the call's final failure is logged once, at
// Warning, by whoever made the call (the client's `claude.call`).
const logRetry = (decision: RetryPolicy.Decision): Effect.Effect<void> =>
  Effect.logDebug("retrying Claude call").pipe(
    Effect.annotateLogs({
      tag: decision.tag,
      attempt: decision.attempt,
      delayMs: Duration.toMillis(decision.delay),
      requestId: decision.requestId ?? "",
      budgetLeftMs: decision.budgetLeft === undefined ? "unbounded" : Duration.toMillis(decision.budgetLeft)
    }),
    Effect.zipRight(Metric.increment(Metric.tagged(retriesTotal, "tag", decision.tag))),
    Effect.zipRight(Metric.update(Metric.tagged(retryDelay, "tag", decision.tag), Duration.toMillis(decision.delay)))
  )

const logGiveUp = (error: unknown, attempt: number, reason: RetryPolicy.GiveUpReason): Effect.Effect<void> => {
  const tag = tagOf(error)
  return Effect.logDebug("not retrying Claude call").pipe(
    Effect.annotateLogs({ tag, attempt, reason, requestId: requestIdOf(error) ?? "" }),
    Effect.zipRight(Metric.increment(Metric.tagged(Metric.tagged(giveUpsTotal, "tag", tag), "reason", reason)))
  )
}

// The budget of each observed schedule, so a caller holding only the schedule (the client, sizing
// how long an attempt may wait for the rate limiter) can read it. Weak: schedules are not kept alive.
const budgets = new WeakMap<object, Duration.Duration>()

export const budgetOf = (schedule: Schedule.Schedule<unknown, never, unknown>): Duration.Duration | undefined =>
  budgets.get(schedule)

interface ObserveState {
  readonly inner: unknown
  readonly start: number | undefined
  readonly attempt: number
}

export const observe = <E, R>(
  self: Schedule.Schedule<unknown, E, R>,
  options: {
    readonly budget?: Duration.DurationInput | undefined
    readonly maxAttempts?: number | undefined
    readonly while?: ((error: E) => boolean) | undefined
  } = {}
): Schedule.Schedule<RetryPolicy.Decision, E, R> => {
  const budget = options.budget === undefined ? undefined : Duration.toMillis(options.budget)
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
  const predicate = options.while
  const observed = Schedule.makeWithState<ObserveState, E, RetryPolicy.Decision, R>(
    { inner: self.initial, start: undefined, attempt: 0 },
    (now, error, state) => {
      const start = state.start ?? now
      const attempt = state.attempt + 1
      const elapsed = now - start
      const decision: RetryPolicy.Decision = {
        attempt,
        tag: tagOf(error),
        delay: Duration.zero,
        retryAfter: ClaudeError.retryAfterOf(error),
        requestId: requestIdOf(error),
        elapsed: Duration.millis(elapsed),
        budgetLeft: budget === undefined ? undefined : Duration.millis(Math.max(0, budget - elapsed))
      }
      const stop = (reason: RetryPolicy.GiveUpReason, inner: unknown) =>
        Effect.as(logGiveUp(error, attempt, reason), [
          { inner, start, attempt },
          decision,
          ScheduleDecision.done
        ] as const)
      if (predicate !== undefined && !predicate(error)) return stop("not-retryable", state.inner)
      if (attempt >= maxAttempts) return stop("max-attempts", state.inner)
      return Effect.flatMap(self.step(now, error, state.inner), ([inner, , next]) => {
        if (ScheduleDecision.isDone(next)) return stop("exhausted", inner)
        const delay = Math.max(0, Intervals.start(next.intervals) - now)
        if (budget !== undefined && elapsed + delay > budget) return stop("budget", inner)
        const out: RetryPolicy.Decision = {
          ...decision,
          delay: Duration.millis(delay),
          budgetLeft: budget === undefined ? undefined : Duration.millis(budget - elapsed - delay)
        }
        return Effect.as(logRetry(out), [{ inner, start, attempt }, out, next] as const)
      })
    }
  )
  if (budget !== undefined) budgets.set(observed, Duration.millis(budget))
  return observed
}
