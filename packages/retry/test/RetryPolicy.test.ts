import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { assert, describe, it } from "@effect/vitest"
import {
  Clock,
  Duration,
  Effect,
  Either,
  Fiber,
  HashMap,
  Layer,
  Logger,
  LogLevel,
  Metric,
  Random,
  Ref,
  Schedule,
  TestClock
} from "effect"

// --- helpers ---------------------------------------------------------------

const overloaded = (extra: { retryAfter?: Duration.Duration; shouldRetry?: boolean } = {}) =>
  new ClaudeError.OverloadedError({ message: "Overloaded", status: 529, requestId: "req_529", ...extra })
const rateLimited = (retryAfter?: Duration.Duration) =>
  new ClaudeError.RateLimitError({
    message: "slow down",
    status: 429,
    requestId: "req_429",
    ...(retryAfter ? { retryAfter } : {})
  })
const apiError = () => new ClaudeError.ApiError({ message: "internal", status: 500 })
const badGateway = () => new ClaudeError.BadGatewayError({ message: "HTTP 502: Bad Gateway", status: 502 })
const invalid = (shouldRetry?: boolean) =>
  new ClaudeError.InvalidRequestError({
    message: "bad",
    status: 400,
    ...(shouldRetry !== undefined ? { shouldRetry } : {})
  })
const circuitOpen = (retryAfter?: Duration.Duration) =>
  new ClaudeError.CircuitOpenError({
    message: "open",
    key: "claude-sonnet-5-5",
    state: "Open",
    ...(retryAfter ? { retryAfter } : {})
  })

/** An attempt that fails with each error of the script in turn, then succeeds; records attempt times. */
const scripted = <E>(errors: ReadonlyArray<E>) =>
  Effect.gen(function* () {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const seen = yield* Ref.updateAndGet(times, (t) => [...t, now])
      const error = errors[seen.length - 1]
      if (error !== undefined) return yield* Effect.fail(error)
      return "ok" as const
    })
    return { attempt, times }
  })

/** Runs `Effect.retry(attempt, policy)` in virtual time; returns the outcome and the waits between attempts. */
const run = <E, R>(errors: ReadonlyArray<E>, policy: Schedule.Schedule<unknown, E, R>) =>
  Effect.gen(function* () {
    const { attempt, times } = yield* scripted(errors)
    const fiber = yield* Effect.fork(Effect.either(Effect.retry(attempt, policy)))
    yield* TestClock.adjust("1 day")
    const result = yield* Fiber.join(fiber)
    const t = yield* Ref.get(times)
    return { result, attempts: t.length, delays: t.slice(1).map((time, i) => time - t[i]!) }
  })

const none = { jitter: "none" } as const

// --- the generic combinator ------------------------------------------------

describe("withRetryAfter", () => {
  it.effect("waits max(own delay, retryAfter) for any error with a retryAfter", () =>
    Effect.gen(function* () {
      class Busy {
        readonly _tag = "Busy"
        constructor(readonly retryAfter?: Duration.Duration) {}
      }
      const policy = RetryPolicy.withRetryAfter(
        Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5)))
      )
      const { result, delays } = yield* run(
        [new Busy(Duration.seconds(3)), new Busy(), new Busy(Duration.millis(200))],
        policy
      )
      assert.isTrue(Either.isRight(result))
      assert.deepStrictEqual(delays, [3000, 1000, 1000])
    })
  )

  it.effect("a retryAfter is a floor under jitter", () =>
    Effect.gen(function* () {
      const policy = RetryPolicy.withRetryAfter(
        Schedule.exponential("100 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))
      )
      const { delays } = yield* run([rateLimited(Duration.seconds(2)), rateLimited(Duration.seconds(2))], policy)
      assert.deepStrictEqual(delays, [2000, 2000])
    })
  )
})

// --- the Claude policy, scripted sequences ---------------------------------

describe("claude", () => {
  it.effect("Effect.retry(effect, RetryPolicy.claude()) works with a narrower error type", () =>
    Effect.gen(function* () {
      const { attempt } = yield* scripted([overloaded()])
      const narrowed: Effect.Effect<"ok", ClaudeError.OverloadedError> = attempt
      const fiber = yield* Effect.fork(Effect.retry(narrowed, RetryPolicy.claude()))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
    })
  )

  it.effect("5xx: 3 attempts, exponential from 500 ms", () =>
    Effect.gen(function* () {
      const { result, attempts, delays } = yield* run(
        [apiError(), apiError(), apiError(), apiError()],
        RetryPolicy.claude(none)
      )
      assert.isTrue(Either.isLeft(result))
      assert.strictEqual(attempts, 3)
      assert.deepStrictEqual(delays, [500, 1000])
    })
  )

  it.effect("502: the article's ladder 3, 10, 30, 60, 120 s", () =>
    Effect.gen(function* () {
      const { result, delays } = yield* run(Array.from({ length: 5 }, badGateway), RetryPolicy.claude(none))
      assert.isTrue(Either.isRight(result))
      assert.deepStrictEqual(delays, [3000, 10_000, 30_000, 60_000, 120_000])
    })
  )

  it.effect("502: gives up after the ladder's last rung", () =>
    Effect.gen(function* () {
      const { result, attempts } = yield* run(Array.from({ length: 9 }, badGateway), RetryPolicy.claude(none))
      assert.isTrue(Either.isLeft(result))
      assert.strictEqual(attempts, 6)
    })
  )

  it.effect("529: longer base (5 s), doubling", () =>
    Effect.gen(function* () {
      const { result, delays } = yield* run([overloaded(), overloaded()], RetryPolicy.claude(none))
      assert.isTrue(Either.isRight(result))
      assert.deepStrictEqual(delays, [5000, 10_000])
    })
  )

  it.effect("429: waits Retry-After when longer than the backoff, the backoff otherwise", () =>
    Effect.gen(function* () {
      const { delays } = yield* run(
        [rateLimited(Duration.seconds(7)), rateLimited(Duration.millis(300)), rateLimited()],
        RetryPolicy.claude(none)
      )
      assert.deepStrictEqual(delays, [7000, 2000, 4000])
    })
  )

  it.effect("each error class keeps its own backoff state", () =>
    Effect.gen(function* () {
      const { delays } = yield* run(
        [overloaded(), rateLimited(), overloaded(), rateLimited()],
        RetryPolicy.claude(none)
      )
      assert.deepStrictEqual(delays, [5000, 1000, 10_000, 2000])
    })
  )

  it.effect("4xx other than 408/409/429 are never retried", () =>
    Effect.gen(function* () {
      for (const error of [
        invalid(),
        new ClaudeError.AuthenticationError({ message: "key", status: 401 }),
        new ClaudeError.PermissionError({ message: "perm", status: 403 }),
        new ClaudeError.NotFoundError({ message: "model", status: 404 }),
        new ClaudeError.RequestTooLargeError({ message: "big", status: 413 }),
        new ClaudeError.UnprocessableEntityError({ message: "schema", status: 422 })
      ]) {
        const { result, attempts } = yield* run([error], RetryPolicy.claude())
        assert.isTrue(Either.isLeft(result))
        assert.strictEqual(attempts, 1, error._tag)
      }
      for (const error of [
        new ClaudeError.RequestTimeoutError({ message: "t", status: 408 }),
        new ClaudeError.ConflictError({ message: "c", status: 409 })
      ]) {
        const { result, attempts } = yield* run([error], RetryPolicy.claude())
        assert.isTrue(Either.isRight(result), error._tag)
        assert.strictEqual(attempts, 2)
      }
    })
  )

  it.effect("x-should-retry wins both ways; an aborted request is not retried", () =>
    Effect.gen(function* () {
      const stop = yield* run([overloaded({ shouldRetry: false })], RetryPolicy.claude())
      assert.strictEqual(stop.attempts, 1)
      const go = yield* run([invalid(true), invalid(true)], RetryPolicy.claude(none))
      assert.isTrue(Either.isRight(go.result))
      assert.deepStrictEqual(go.delays, [500, 1000])
      const neverFallback = yield* run([invalid(true)], RetryPolicy.claude({ fallback: false }))
      assert.strictEqual(neverFallback.attempts, 1)
      const aborted = yield* run(
        [new ClaudeError.ConnectionError({ message: "aborted", reason: "aborted" })],
        RetryPolicy.claude()
      )
      assert.strictEqual(aborted.attempts, 1)
    })
  )

  it.effect("an open circuit: waits its retryAfter when it fits the budget, else stops at once", () =>
    Effect.gen(function* () {
      const fits = yield* run([circuitOpen(Duration.seconds(5))], RetryPolicy.claude({ budget: "10 seconds" }))
      assert.isTrue(Either.isRight(fits.result))
      assert.deepStrictEqual(fits.delays, [5000])
      const tooLong = yield* run([circuitOpen(Duration.seconds(20))], RetryPolicy.claude({ budget: "10 seconds" }))
      assert.isTrue(Either.isLeft(tooLong.result))
      assert.strictEqual(tooLong.attempts, 1)
      const isolated = yield* run([circuitOpen()], RetryPolicy.claude())
      assert.strictEqual(isolated.attempts, 1)
    })
  )

  it.effect("a rate limiter's QuotaExceededError: retried after its retryAfter when that fits the budget", () =>
    Effect.gen(function* () {
      const quota = (retryAfter: Duration.Duration) =>
        new ClaudeError.QuotaExceededError({
          message: "short of outputTokens",
          key: "0123456789abcdef:sonnet-4",
          bucket: "outputTokens",
          retryAfter,
          maxWait: Duration.seconds(10),
          waited: Duration.zero
        })
      const fits = yield* run([quota(Duration.seconds(4))], RetryPolicy.claude({ budget: "10 seconds" }))
      assert.isTrue(Either.isRight(fits.result))
      assert.isAtLeast(fits.delays[0]!, 4000)
      const tooLong = yield* run([quota(Duration.seconds(30))], RetryPolicy.claude({ budget: "10 seconds" }))
      assert.isTrue(Either.isLeft(tooLong.result))
      assert.strictEqual(tooLong.attempts, 1)
      const bounded = yield* run(
        [quota(Duration.seconds(1)), quota(Duration.seconds(1)), quota(Duration.seconds(1))],
        RetryPolicy.claude()
      )
      assert.strictEqual(bounded.attempts, RetryPolicy.defaults.QuotaExceededError?.maxAttempts)
    })
  )

  it("budgetOf reads the budget of a policy, through the layer's make too", () => {
    assert.strictEqual(Duration.toMillis(RetryPolicy.budgetOf(RetryPolicy.claude({ budget: "2 minutes" }))!), 120_000)
    assert.isUndefined(RetryPolicy.budgetOf(RetryPolicy.claude()))
    assert.isUndefined(RetryPolicy.budgetOf(Schedule.recurs(3)))
    const service = Effect.runSync(RetryPolicy.make({ budget: "30 seconds" }))
    assert.strictEqual(Duration.toMillis(RetryPolicy.budgetOf(service.schedule)!), 30_000)
  })

  it.effect("a half-open circuit is retried on a short backoff while its probe runs; an isolated one never", () =>
    Effect.gen(function* () {
      const halfOpen = new ClaudeError.CircuitOpenError({ message: "probing", key: "m", state: "HalfOpen" })
      const isolated = new ClaudeError.CircuitOpenError({ message: "held", key: "m", state: "Isolated" })
      const retried = yield* run([halfOpen, halfOpen], RetryPolicy.claude({ jitter: "none" }))
      assert.isTrue(Either.isRight(retried.result))
      assert.deepStrictEqual(retried.delays, [250, 500])
      const held = yield* run([isolated], RetryPolicy.claude())
      assert.isTrue(Either.isLeft(held.result))
      assert.strictEqual(held.attempts, 1)
    })
  )

  it.effect("a budget stops before a wait that would end beyond it", () =>
    Effect.gen(function* () {
      // 529: 5 s then 10 s; 5 + 10 > 12
      const { result, attempts, delays } = yield* run(
        [overloaded(), overloaded(), overloaded()],
        RetryPolicy.claude({ ...none, budget: "12 seconds" })
      )
      assert.isTrue(Either.isLeft(result))
      assert.strictEqual(attempts, 2)
      assert.deepStrictEqual(delays, [5000])
    })
  )

  it.effect("maxAttempts bounds attempts across error classes", () =>
    Effect.gen(function* () {
      const { attempts } = yield* run(
        [overloaded(), rateLimited(), apiError(), badGateway()],
        RetryPolicy.claude({ ...none, maxAttempts: 3 })
      )
      assert.strictEqual(attempts, 3)
    })
  )

  it.effect("every number can be overridden per tag", () =>
    Effect.gen(function* () {
      const policy = RetryPolicy.claude({
        ...none,
        tags: {
          ApiError: { base: "100 millis", maxAttempts: 5 },
          BadGatewayError: { ladder: ["1 second", "2 seconds"] },
          OverloadedError: false,
          InvalidRequestError: { base: "1 second", cap: "1 second", maxAttempts: 2 }
        }
      })
      const api = yield* run([apiError(), apiError(), apiError(), apiError()], policy)
      assert.deepStrictEqual(api.delays, [100, 200, 400, 800])
      const gateway = yield* run([badGateway(), badGateway(), badGateway()], policy)
      assert.deepStrictEqual(gateway.delays, [1000, 2000])
      assert.isTrue(Either.isLeft(gateway.result))
      const off = yield* run([overloaded()], policy)
      assert.strictEqual(off.attempts, 1)
      // a class not retried by default is not made retryable by numbers alone: isRetryable still says no
      const bad = yield* run([invalid()], policy)
      assert.strictEqual(bad.attempts, 1)
    })
  )

  it.effect("cap bounds the exponential backoff", () =>
    Effect.gen(function* () {
      const { delays } = yield* run(
        Array.from({ length: 5 }, () => rateLimited()),
        RetryPolicy.claude({ ...none, tags: { RateLimitError: { cap: "3 seconds", maxAttempts: 6 } } })
      )
      assert.deepStrictEqual(delays, [1000, 2000, 3000, 3000, 3000])
    })
  )

  it.effect("decorrelated jitter (default) is reproducible with a fixed Random", () =>
    Effect.gen(function* () {
      const { delays } = yield* run([overloaded(), overloaded(), overloaded()], RetryPolicy.claude()).pipe(
        Effect.withRandom(Random.fixed([0.5]))
      )
      // base 5 s: between(5, 15) = 10, between(5, 30) = 17.5, between(5, 52.5) = 28.75
      assert.deepStrictEqual(delays, [10_000, 17_500, 28_750])
    })
  )

  it.effect("full jitter draws between 0 and the exponential delay", () =>
    Effect.gen(function* () {
      const { delays } = yield* run([apiError(), apiError()], RetryPolicy.claude({ jitter: "full" })).pipe(
        Effect.withRandom(Random.fixed([0.5]))
      )
      assert.deepStrictEqual(delays, [250, 500])
    })
  )

  it.effect("ladder jitter only lengthens a rung", () =>
    Effect.gen(function* () {
      const { delays } = yield* run([badGateway(), badGateway()], RetryPolicy.claude()).pipe(
        Effect.withRandom(Random.fixed([0.5]))
      )
      assert.deepStrictEqual(delays, [3300, 11_000])
    })
  )
})

// --- decisions: output, logs, metrics --------------------------------------

describe("decisions", () => {
  it.effect("outputs attempt, delay, tag, request id and budget left", () =>
    Effect.gen(function* () {
      const decisions = yield* Ref.make<ReadonlyArray<RetryPolicy.Decision>>([])
      const policy = RetryPolicy.claude({ ...none, budget: "1 minute" }).pipe(
        Schedule.tapOutput((d) => Ref.update(decisions, (all) => [...all, d]))
      )
      yield* run([overloaded(), rateLimited(Duration.seconds(3))], policy)
      const [first, second] = yield* Ref.get(decisions)
      assert.deepInclude(first, { attempt: 1, tag: "OverloadedError", requestId: "req_529" })
      assert.strictEqual(Duration.toMillis(first!.delay), 5000)
      assert.strictEqual(Duration.toMillis(first!.budgetLeft!), 55_000)
      assert.deepInclude(second, { attempt: 2, tag: "RateLimitError", requestId: "req_429" })
      assert.strictEqual(Duration.toMillis(second!.delay), 3000)
      assert.strictEqual(Duration.toMillis(second!.elapsed), 5000)
      assert.strictEqual(Duration.toMillis(second!.budgetLeft!), 52_000)
    })
  )

  it.effect("logs each decision with annotations and counts it in Metrics", () =>
    Effect.gen(function* () {
      const logs: Array<{ message: unknown; level: string; annotations: Record<string, unknown> }> = []
      const logger = Logger.make(({ message, logLevel, annotations }) => {
        logs.push({ message, level: logLevel.label, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
      })
      const retries = Metric.tagged(RetryPolicy.metrics.retries, "tag", "ServiceUnavailableError")
      const giveUps = Metric.tagged(
        Metric.tagged(RetryPolicy.metrics.giveUps, "tag", "ServiceUnavailableError"),
        "reason",
        "exhausted"
      )
      const before = (yield* Metric.value(retries)).count
      const giveUpsBefore = (yield* Metric.value(giveUps)).count
      const unavailable = () => new ClaudeError.ServiceUnavailableError({ message: "x", status: 503, requestId: "r1" })
      yield* run([unavailable(), unavailable(), unavailable()], RetryPolicy.claude(none)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      assert.strictEqual((yield* Metric.value(retries)).count - before, 2)
      assert.strictEqual((yield* Metric.value(giveUps)).count - giveUpsBefore, 1)
      const retryLogs = logs.filter((l) => String(l.message) === "retrying Claude call")
      assert.strictEqual(retryLogs.length, 2)
      assert.deepInclude(retryLogs[0]!.annotations, {
        tag: "ServiceUnavailableError",
        attempt: 1,
        delayMs: 1000,
        requestId: "r1",
        budgetLeftMs: "unbounded"
      })
      assert.strictEqual(retryLogs[0]!.level, "DEBUG")
      const giveUp = logs.find((l) => String(l.message) === "not retrying Claude call")
      assert.deepInclude(giveUp!.annotations, { reason: "exhausted", attempt: 3 })
      assert.strictEqual(giveUp!.level, "DEBUG")
    })
  )
})

// --- service, layer, per-call override -------------------------------------

describe("RetryPolicy service", () => {
  const countingAttempt = (errors: ReadonlyArray<ClaudeError.ClaudeError>) =>
    Effect.map(scripted(errors), ({ attempt, times }) => ({
      attempt,
      attempts: Effect.map(Ref.get(times), (t) => t.length)
    }))

  it.effect("retry reads the layer's policy; withPolicy overrides it for one call", () =>
    Effect.gen(function* () {
      const layer = RetryPolicy.layer({ maxAttempts: 2 })
      const errors = [overloaded(), overloaded(), overloaded()]

      const a = yield* countingAttempt(errors)
      const fa = yield* Effect.fork(Effect.either(RetryPolicy.retry(a.attempt)).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fa)
      assert.strictEqual(yield* a.attempts, 2)

      const b = yield* countingAttempt(errors)
      const fb = yield* Effect.fork(
        Effect.either(RetryPolicy.retry(b.attempt)).pipe(RetryPolicy.withPolicy(Schedule.stop), Effect.provide(layer))
      )
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fb)
      assert.strictEqual(yield* b.attempts, 1)

      const c = yield* countingAttempt(errors)
      const fc = yield* Effect.fork(RetryPolicy.retry(c.attempt, { maxAttempts: 4 }))
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* Fiber.join(fc), "ok")
      assert.strictEqual(yield* c.attempts, 4)
    })
  )

  it.effect("a client that captured the layer's schedule still sees the override via resolve", () =>
    Effect.gen(function* () {
      // what the client package does: capture the service once, resolve per call
      const makeClient = Effect.map(
        RetryPolicy.RetryPolicy,
        (service) =>
          <A>(call: Effect.Effect<A, ClaudeError.ClaudeError>) =>
            Effect.flatMap(RetryPolicy.resolve(service.schedule), (schedule) => Effect.retry(call, schedule))
      )
      const client = yield* makeClient.pipe(Effect.provide(RetryPolicy.layer({ ...none, maxAttempts: 5 })))
      const a = yield* countingAttempt([apiError(), apiError()])
      const fa = yield* Effect.fork(client(a.attempt))
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* Fiber.join(fa), "ok")
      assert.strictEqual(yield* a.attempts, 3)

      const b = yield* countingAttempt([apiError(), apiError()])
      const fb = yield* Effect.fork(Effect.either(client(b.attempt).pipe(RetryPolicy.withPolicy({ maxAttempts: 1 }))))
      yield* TestClock.adjust("1 hour")
      assert.isTrue(Either.isLeft(yield* Fiber.join(fb)))
      assert.strictEqual(yield* b.attempts, 1)
    })
  )

  it.effect("current: override, then service, then defaults", () =>
    Effect.gen(function* () {
      const mine = Schedule.recurs(1)
      const fromLayer = yield* RetryPolicy.current.pipe(
        Effect.provide(Layer.succeed(RetryPolicy.RetryPolicy, { schedule: mine }))
      )
      assert.strictEqual(fromLayer, mine)
      const overridden = yield* RetryPolicy.current.pipe(
        RetryPolicy.withPolicy(Schedule.stop),
        Effect.provide(Layer.succeed(RetryPolicy.RetryPolicy, { schedule: mine }))
      )
      assert.strictEqual(overridden, Schedule.stop)
      const fallback = yield* RetryPolicy.current
      assert.isTrue(Schedule.isSchedule(fallback))
      assert.notStrictEqual(fallback, mine)
    })
  )
})
