/**
 * The rate limiter in the client's call path, in virtual time: ScriptedClaude answers, a real
 * `Quota` (in memory) admits every attempt, `TestClock` moves its buckets. What each attempt
 * reserves, what it gives back, who waits, for how long and in which order.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Metric, Redacted, type Schedule, Stream, TestClock } from "effect"

const model = "claude-haiku-4-5"
// the key ScriptedClaude's client is built with
const key = LimitKey.make(Redacted.make("sk-ant-scripted"), model)
const ask = (content = "hi", max_tokens = 1_024) => ({
  model,
  max_tokens,
  messages: [{ role: "user" as const, content }]
})
const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 }

/** ScriptedClaude over a real in-memory Quota (also provided to the test), retry and breaker as given. */
const scripted = (
  steps: ReadonlyArray<ScriptedClaude.Step>,
  options: {
    readonly quota?: Quota.Options
    readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError>
    readonly breaker?: CircuitBreaker.Options
  } = {}
) =>
  ScriptedClaude.layerWithoutDependencies(steps).pipe(
    Layer.provide(RetryPolicy.layer(options.retry)),
    Layer.provideMerge(CircuitBreaker.layer(options.breaker)),
    Layer.provideMerge(Quota.layer(options.quota ?? { limits }))
  )

const levels = Effect.gen(function* () {
  const state = yield* (yield* Quota.Quota).state(key)
  return {
    requests: state.buckets.requests?.level,
    input: state.buckets.inputTokens?.level,
    output: state.buckets.outputTokens?.level,
    pausedUntil: state.pausedUntil
  }
})

const promptsOf = Effect.gen(function* () {
  const calls = yield* (yield* ScriptedClaude.ScriptedClaude).calls
  return calls.map((c) => (c.params as { messages: ReadonlyArray<{ content: string }> }).messages[0]!.content)
})

describe("the rate limiter in the call path", () => {
  it.effect("create: reserves max_tokens, then keeps only what the reply used", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      // 400 characters: 100 output tokens; ScriptedClaude reports 10 input tokens
      yield* claude.messages.create(ask("hi", 1_024))
      assert.deepStrictEqual(yield* levels, { requests: 99, input: 9_990, output: 9_900, pausedUntil: 0 })
    }).pipe(Effect.provide(scripted([ScriptedClaude.reply("x".repeat(400))])))
  )

  it.effect("stream: settled with its usage when it ends; a cut stream keeps what it streamed", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      yield* Stream.runDrain(claude.messages.stream(ask()))
      assert.deepStrictEqual(yield* levels, { requests: 99, input: 9_990, output: 9_900, pausedUntil: 0 })
      // message_start, content_block_start, then 8 deltas of 16 characters: 128 characters, 32 tokens
      const cut = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask(), { retry: false })))
      assert.strictEqual(cut._tag, "ConnectionError")
      assert.deepStrictEqual(yield* levels, { requests: 98, input: 9_980, output: 9_900 - 32, pausedUntil: 0 })
    }).pipe(
      Effect.provide(
        scripted([
          ScriptedClaude.stream("x".repeat(400)),
          ScriptedClaude.stream("y".repeat(400), {
            failAfter: {
              events: 10,
              error: new ClaudeError.ConnectionError({ message: "socket hang up", reason: "reset", phase: "stream" })
            }
          })
        ])
      )
    )
  )

  it.effect("a retried stream connection is admitted like any attempt", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const admitted = Metric.tagged(Metric.tagged(Quota.metrics.admissions, "key", key.id), "outcome", "admitted")
      const before = (yield* Metric.value(admitted)).count
      const fiber = yield* Effect.fork(Stream.runDrain(claude.messages.stream(ask())))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      // two connection attempts (a 529, then the stream): two admissions
      assert.strictEqual((yield* Metric.value(admitted)).count - before, 2)
      const after = yield* levels
      // the 529 kept its request and its estimated input (8 tokens), not its output reservation
      assert.closeTo(after.requests!, 98, 0.1)
      assert.closeTo(after.input!, 10_000 - 8 - 10, 2)
      assert.closeTo(after.output!, 10_000 - 10, 2)
    }).pipe(
      Effect.provide(
        scripted(
          [
            ScriptedClaude.fail(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })),
            ScriptedClaude.stream("x".repeat(40))
          ],
          // a week-long window: the minute this test waits refills (almost) nothing
          { quota: { limits: { ...limits, window: "7 days" } } }
        )
      )
    )
  )

  it.effect("an attempt the API never counted gives everything back: a breaker rejection, a 429", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const breaker = yield* CircuitBreaker.CircuitBreaker
      yield* breaker.isolate(model)
      const rejected = yield* Effect.flip(claude.messages.create(ask()))
      assert.strictEqual(rejected._tag, "CircuitOpenError")
      assert.deepStrictEqual(yield* levels, { requests: 100, input: 10_000, output: 10_000, pausedUntil: 0 })
      yield* breaker.reset(model)
      const limited = yield* Effect.flip(claude.messages.create(ask(), { retry: false }))
      assert.strictEqual(limited._tag, "RateLimitError")
      const after = yield* levels
      assert.deepStrictEqual([after.requests, after.input, after.output], [100, 10_000, 10_000])
      // ... and the 429 paused the key for its retry-after
      assert.strictEqual(after.pausedUntil, 30_000)
    }).pipe(
      Effect.provide(
        scripted([
          ScriptedClaude.fail(
            new ClaudeError.RateLimitError({ message: "slow down", status: 429, retryAfter: Duration.seconds(30) })
          )
        ])
      )
    )
  )

  it.effect("a 429 pauses every caller of the key until its retry-after", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const rateLimited = Metric.tagged(Quota.metrics.rateLimited, "key", key.id)
      const before = (yield* Metric.value(rateLimited)).count
      const first = yield* Effect.fork(claude.messages.create(ask("first")))
      yield* TestClock.adjust("1 millis")
      const others = yield* Effect.fork(
        Effect.all([claude.messages.create(ask("second")), claude.messages.create(ask("third"))], {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("29 seconds")
      // only the 429 was sent: the first call's retry and the two others wait out the pause
      assert.deepStrictEqual(yield* promptsOf, ["first"])
      const waiting = yield* (yield* Quota.Quota).state(key)
      assert.strictEqual(waiting.queued, 2)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(first)
      yield* Fiber.join(others)
      assert.sameMembers((yield* promptsOf).slice(1), ["first", "second", "third"])
      assert.strictEqual((yield* Metric.value(rateLimited)).count - before, 1)
    }).pipe(
      Effect.provide(
        scripted(
          [
            ScriptedClaude.fail(
              new ClaudeError.RateLimitError({ message: "slow down", status: 429, retryAfter: Duration.seconds(30) })
            ),
            ScriptedClaude.reply("a"),
            ScriptedClaude.reply("b"),
            ScriptedClaude.reply("c")
          ],
          { retry: { jitter: "none" } }
        )
      )
    )
  )

  it.effect("interactive calls go ahead of waiting background ones", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      yield* claude.messages.create(ask("now"))
      const background = yield* Effect.fork(claude.messages.create(ask("background"), { priority: "background" }))
      yield* TestClock.adjust("1 millis")
      const interactive = yield* Effect.fork(claude.messages.create(ask("interactive")))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(interactive)
      assert.deepStrictEqual(yield* promptsOf, ["now", "interactive"])
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(background)
      assert.deepStrictEqual(yield* promptsOf, ["now", "interactive", "background"])
    }).pipe(
      Effect.provide(
        scripted([ScriptedClaude.reply("a"), ScriptedClaude.reply("b"), ScriptedClaude.reply("c")], {
          quota: { limits: { requestsPerMinute: 1 }, maxWait: "5 minutes" }
        })
      )
    )
  )

  it.effect("an attempt waits no longer than what is left of the call's retry budget", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      yield* claude.messages.create(ask("now"))
      // the next request slot is a minute away; the budget is 10 seconds: no wait, a typed failure
      const error = yield* Effect.flip(claude.messages.create(ask("later")))
      assert.strictEqual(error._tag, "QuotaExceededError")
      if (error._tag !== "QuotaExceededError") return
      assert.strictEqual(error.bucket, "requests")
      assert.strictEqual(error.key, key.id)
      assert.strictEqual(Duration.toMillis(error.maxWait), 10_000)
      assert.isAbove(Duration.toMillis(error.retryAfter), 10_000)
      assert.deepStrictEqual(yield* promptsOf, ["now"])
    }).pipe(
      Effect.provide(
        scripted([ScriptedClaude.reply("a"), ScriptedClaude.reply("b")], {
          quota: { limits: { requestsPerMinute: 1 } },
          retry: { budget: "10 seconds" }
        })
      )
    )
  )

  it.effect("without a Quota in context (ScriptedClaude.layer, layerWithoutDependencies) nothing is limited", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      yield* Effect.all(
        Array.from({ length: 5 }, (_, i) => claude.messages.create(ask(`call ${i}`))),
        { concurrency: "unbounded" }
      )
      assert.lengthOf(yield* (yield* ScriptedClaude.ScriptedClaude).calls, 5)
    }).pipe(Effect.provide(ScriptedClaude.layer(Array.from({ length: 5 }, () => ScriptedClaude.reply("ok")))))
  )
})
