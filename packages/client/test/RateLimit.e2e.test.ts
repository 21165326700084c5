/**
 * The rate limiter end to end: the real SDK over real HTTP to a FakeClaude that enforces one
 * organisation's RPM / ITPM / OTPM buckets (a minute lasts a second), one process, the default
 * `Claude.layer` (in-memory limiter) or the layers a user would build.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Metric, Redacted, Schedule } from "effect"
import { clockScale, limits, model, rateLimit, saturate, served } from "./fleet.js"

const quiet = Logger.replace(Logger.defaultLogger, Logger.none)

/** Claude.layer against the FakeClaude in context. */
const claudeLayer = (options: Omit<Claude.LayerOptions, "apiKey">) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url, ...options })
    )
  )

/** Claude over a limiter the test can read (`Quota` in context too). */
const observedLayer = (quota: Quota.Options) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
        Layer.provide(RetryPolicy.layer()),
        Layer.provide(CircuitBreaker.layer()),
        Layer.provideMerge(Quota.layer(quota))
      )
    )
  )

/**
 * The goodput test's clock: a minute lasts 3 s (not 1 s). A reservation of max_tokens holds a share
 * of the output bucket until its answer arrives, so goodput needs answers within a fraction of a
 * window: at 1 s, a loaded machine's loopback latency alone kept it under the bar.
 */
const slowScale = 20

const ask = (content: string) => ({ model, max_tokens: 1_024, messages: [{ role: "user" as const, content }] })

describe("the rate limiter, end to end", () => {
  it.live(
    "32 callers in one process (Claude.layer, limits known): (almost) no 429s, ≥ 95 % of the limit, though answers are far shorter than max_tokens",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const outcome = yield* saturate({ callers: 32, durationMs: 9_000 })
        const use = served(yield* fake.requests, limits, slowScale, 9_000)
        assert.deepStrictEqual(outcome.failures, {})
        assert.isAtMost(use.status429, Math.ceil(use.attempts * 0.01), `${use.status429} of ${use.attempts} were 429s`)
        // the output bucket binds: reserving max_tokens (1,024) without giving back the unused part
        // would have let through a quarter of this (answers are about 225 tokens)
        assert.strictEqual(use.tightest, "outputTokens")
        assert.isAtLeast(use.outputTokens.share, 0.95, JSON.stringify(use.outputTokens))
        assert.isAtMost(use.outputTokens.served, use.outputTokens.allowed + 1_024)
      }).pipe(
        Effect.provide(
          claudeLayer({ rateLimit: { limits: { ...rateLimit.limits, window: "3 seconds" } } }).pipe(
            Layer.provideMerge(FakeClaude.layer({ clockScale: slowScale, rateLimits: limits }))
          )
        ),
        Effect.provide(quiet)
      ),
    30_000
  )

  it.live("limits learned from the headers alone: after one answer, callers stay under them", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const quota = yield* Quota.Quota
      const key = LimitKey.make(Redacted.make(fake.apiKey), model)
      const waited = Metric.tagged(Quota.metrics.waited, "key", key.id)
      const waitsBefore = (yield* Metric.value(waited)).count
      const claude = yield* Claude.Claude
      yield* claude.messages.create(ask("warm up"))
      const state = yield* quota.state(key)
      assert.strictEqual(state.buckets.requests?.capacity, limits.requestsPerMinute)
      assert.strictEqual(state.buckets.inputTokens?.capacity, limits.inputTokensPerMinute)
      assert.strictEqual(state.buckets.outputTokens?.capacity, limits.outputTokensPerMinute)
      const outcome = yield* saturate({ callers: 24, durationMs: 2_000 })
      const use = served(yield* fake.requests, limits, clockScale, 2_000)
      assert.deepStrictEqual(outcome.failures, {})
      assert.isAtMost(use.status429, Math.ceil(use.attempts * 0.01), `${use.status429} of ${use.attempts} were 429s`)
      // the wired path updates the limiter's metrics
      const learned = yield* Metric.value(
        Metric.tagged(Metric.tagged(Quota.metrics.limit, "key", key.id), "bucket", "outputTokens")
      )
      assert.strictEqual(learned.value, limits.outputTokensPerMinute)
      assert.isAbove((yield* Metric.value(waited)).count - waitsBefore, outcome.ok - 1)
    }).pipe(
      Effect.provide(
        observedLayer({ limits: { window: "1 second" } }).pipe(
          Layer.provideMerge(FakeClaude.layer({ clockScale, rateLimits: limits }))
        )
      ),
      Effect.provide(quiet)
    )
  )

  it.live("a 429 with retry-after pauses every caller of the key: nothing is sent before it ends", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(429, { retryAfter: "1" }))
      const first = yield* Effect.flip(claude.messages.create(ask("first"), { retry: false }))
      assert.strictEqual(first._tag, "RateLimitError")
      yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => claude.messages.create(ask(`after ${i}`))),
        { concurrency: "unbounded" }
      )
      const records = (yield* fake.requests).filter((r) => r.path === "/v1/messages")
      const limited = records.find((r) => r.outcome === 429)!
      const later = records.filter((r) => r !== limited)
      assert.lengthOf(later, 6)
      // the pause began when the 429 was read, after it arrived; allow the clocks a few ms
      for (const r of later) assert.isAtLeast(r.time, limited.time + 990, `${r.time - limited.time} ms after the 429`)
    }).pipe(Effect.provide(claudeLayer({}).pipe(Layer.provideMerge(FakeClaude.layer()))), Effect.provide(quiet))
  )

  it.live("rateLimit: false sends everything (the server answers 429); the limiter fails fast instead", () =>
    Effect.gen(function* () {
      const burst = (options: Omit<Claude.LayerOptions, "apiKey">) =>
        Effect.gen(function* () {
          const fake = yield* FakeClaude.FakeClaude
          const claude = yield* Claude.Claude
          const results = yield* Effect.all(
            Array.from({ length: 5 }, (_, i) => Effect.either(claude.messages.create(ask(`burst ${i}`)))),
            { concurrency: "unbounded" }
          )
          const tags = results.map((r) => (r._tag === "Right" ? "ok" : r.left._tag)).sort()
          return { tags, status429: (yield* fake.stats).byOutcome["429"] ?? 0 }
        }).pipe(
          Effect.provide(
            claudeLayer(options).pipe(Layer.provideMerge(FakeClaude.layer({ rateLimits: { requestsPerMinute: 2 } })))
          )
        )
      const off = yield* burst({ rateLimit: false, retryPolicy: Schedule.stop })
      assert.deepStrictEqual(off, {
        tags: ["RateLimitError", "RateLimitError", "RateLimitError", "ok", "ok"],
        status429: 3
      })
      const on = yield* burst({
        rateLimit: { limits: { requestsPerMinute: 2 }, maxWait: 0 },
        retryPolicy: Schedule.stop
      })
      assert.deepStrictEqual(on, {
        tags: ["QuotaExceededError", "QuotaExceededError", "QuotaExceededError", "ok", "ok"],
        status429: 0
      })
    }).pipe(Effect.provide(quiet))
  )
})
