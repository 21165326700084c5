import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, FastCheck as fc, Logger, LogLevel, Random, ScheduleDecision } from "effect"
import * as Intervals from "effect/ScheduleIntervals"

// Errors as they come off the wire: any status, any retry-after-ms, any x-should-retry,
// plus transport failures and open circuits.
const responseError = fc
  .record({
    status: fc.constantFrom(400, 401, 402, 403, 404, 408, 409, 413, 418, 422, 429, 500, 502, 503, 504, 529, 599),
    retryAfterMs: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    shouldRetry: fc.option(fc.boolean(), { nil: undefined })
  })
  .map(({ status, retryAfterMs, shouldRetry }): ClaudeError.ClaudeError => {
    const headers: Record<string, string> = { "request-id": `req_${status}` }
    if (retryAfterMs !== undefined) headers["retry-after-ms"] = String(retryAfterMs)
    if (shouldRetry !== undefined) headers["x-should-retry"] = String(shouldRetry)
    return ClaudeError.fromResponseAt({ status, headers }, 0)
  })

const otherError: fc.Arbitrary<ClaudeError.ClaudeError> = fc.oneof(
  fc
    .constantFrom<ClaudeError.ConnectionReason>("reset", "refused", "aborted", "unknown")
    .map((reason) => new ClaudeError.ConnectionError({ message: "socket", reason })),
  fc.constant(new ClaudeError.TimeoutError({ message: "timeout" })),
  fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }).map(
    (ms) =>
      new ClaudeError.CircuitOpenError({
        message: "open",
        key: "k",
        state: "Open",
        ...(ms !== undefined ? { retryAfter: Duration.millis(ms) } : {})
      })
  )
)

const anyError = fc.oneof({ arbitrary: responseError, weight: 4 }, { arbitrary: otherError, weight: 1 })

const options: fc.Arbitrary<RetryPolicy.Options> = fc.record(
  {
    jitter: fc.constantFrom<RetryPolicy.Jitter>("decorrelated", "full", "none"),
    maxAttempts: fc.integer({ min: 1, max: 12 }),
    budget: fc.integer({ min: 0, max: 400_000 }).map((ms) => Duration.millis(ms))
  },
  { requiredKeys: [] }
)

interface Step {
  readonly error: ClaudeError.ClaudeError
  readonly now: number
  readonly nextStart: number
  readonly decision: RetryPolicy.Decision
}

/**
 * Drives the schedule as `Effect.retry` does: each failure is one step at the current time;
 * the next attempt starts when the step says and takes `work` ms before failing again.
 */
const simulate = (
  options: RetryPolicy.Options,
  errors: ReadonlyArray<ClaudeError.ClaudeError>,
  work: number,
  seed: number
) =>
  Effect.gen(function* () {
    const policy = RetryPolicy.claude(options)
    const first = 1_700_000_000_000
    const steps: Array<Step> = []
    let state: unknown = policy.initial
    let now = first
    for (const error of errors) {
      const [next, decision, verdict] = yield* policy.step(now, error, state)
      if (ScheduleDecision.isDone(verdict)) return { first, steps, stoppedOn: error }
      const nextStart = Intervals.start(verdict.intervals)
      steps.push({ error, now, nextStart, decision })
      state = next
      now = nextStart + work
    }
    return { first, steps, stoppedOn: undefined }
  }).pipe(Effect.withRandom(Random.make(seed)), Logger.withMinimumLogLevel(LogLevel.None), Effect.runSync)

const arbs = {
  options,
  errors: fc.array(anyError, { minLength: 1, maxLength: 15 }),
  work: fc.integer({ min: 0, max: 5_000 }),
  seed: fc.integer()
}

describe("claude (properties)", () => {
  it.prop("every wait is at least the failure's retry-after", arbs, ({ options, errors, work, seed }) => {
    const { steps } = simulate(options, errors, work, seed)
    for (const step of steps) {
      const floor = ClaudeError.retryAfterOf(step.error)
      const waited = step.nextStart - step.now
      if (floor !== undefined) assert.isAtLeast(waited, Duration.toMillis(floor))
      assert.strictEqual(Duration.toMillis(step.decision.delay), waited)
    }
  })

  it.prop("never retries a non-retryable error", arbs, ({ options, errors, work, seed }) => {
    const { steps, stoppedOn } = simulate(options, errors, work, seed)
    for (const step of steps) assert.isTrue(ClaudeError.isRetryable(step.error), step.error._tag)
    const firstNonRetryable = errors.findIndex((e) => !ClaudeError.isRetryable(e))
    if (firstNonRetryable >= 0) {
      assert.isAtMost(steps.length, firstNonRetryable)
      if (steps.length === firstNonRetryable) assert.strictEqual(stoppedOn, errors[firstNonRetryable])
    }
  })

  it.prop("attempts never exceed maxAttempts, overall and per error class", arbs, ({ options, errors, work, seed }) => {
    const { steps } = simulate(options, errors, work, seed)
    const attempts = steps.length + 1
    assert.isAtMost(attempts, options.maxAttempts ?? RetryPolicy.DEFAULT_MAX_ATTEMPTS)
    const perTag = new Map<string, number>()
    for (const step of steps) {
      const n = (perTag.get(step.error._tag) ?? 0) + 1
      perTag.set(step.error._tag, n)
      const limit = RetryPolicy.defaults[step.error._tag]?.maxAttempts ?? 3
      // n retries of this class means n failures of it already happened
      assert.isBelow(n, limit, step.error._tag)
      assert.strictEqual(step.decision.attempt, steps.indexOf(step) + 1)
    }
  })

  it.prop("no attempt starts after the budget", arbs, ({ options, errors, work, seed }) => {
    const { first, steps } = simulate(options, errors, work, seed)
    if (options.budget === undefined) return
    const budget = Duration.toMillis(Duration.decode(options.budget))
    for (const step of steps) {
      assert.isAtMost(step.nextStart - first, budget)
      assert.strictEqual(Duration.toMillis(step.decision.budgetLeft!), budget - (step.nextStart - first))
    }
  })
})
