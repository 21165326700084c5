import { ClaudeError, ResponseHeaders } from "@claude-resilience/errors"
import { LimitKey, Quota, QuotaStore } from "@claude-resilience/rate-limit"
import { assert, describe, it } from "@effect/vitest"
import {
  Duration,
  Effect,
  FastCheck as fc,
  Fiber,
  Layer,
  Metric,
  Option,
  Redacted,
  Ref,
  type Scope,
  TestClock
} from "effect"
import * as bucket from "../src/internal/bucket.js"
import { MAX_METRIC_KEYS, OTHER_KEY } from "../src/internal/metrics.js"

const key = LimitKey.make(Redacted.make("sk-ant-api03-quota-test"), "claude-haiku-4-5")

const withQuota = <A, E>(options: Quota.Options, f: (quota: Quota.Service) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.scoped(Effect.flatMap(Quota.Quota, f)).pipe(Effect.provide(Quota.layer(options)))

const request = (overrides: Partial<Quota.Request> = {}): Quota.Request => ({
  key,
  inputTokens: 0,
  outputTokens: 0,
  ...overrides
})

/** Admits, then settles as reserved: one request token spent. */
const spend = (quota: Quota.Service, overrides: Partial<Quota.Request> = {}) =>
  quota.withPermit(request(overrides), (permit) => Effect.succeed(permit.waited))

const isDone = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.map(Fiber.poll(fiber), Option.isSome)

const rejectionOf = <A>(effect: Effect.Effect<A, ClaudeError.QuotaExceededError>) =>
  Effect.flatMap(Effect.flip(effect), (e) =>
    e instanceof ClaudeError.QuotaExceededError ? Effect.succeed(e) : Effect.dieMessage("expected QuotaExceededError")
  )

const perMinute = (requestsPerMinute: number): Quota.Options => ({ limits: { requestsPerMinute } })

describe("Quota", () => {
  it.effect("admits at once while the buckets have room", () =>
    withQuota(perMinute(3), (quota) =>
      Effect.gen(function* () {
        const before = yield* Metric.value(
          Metric.tagged(Metric.tagged(Quota.metrics.admissions, "key", key.id), "outcome", "admitted")
        )
        for (let i = 0; i < 3; i++) assert.strictEqual(Duration.toMillis(yield* spend(quota)), 0)
        const after = yield* Metric.value(
          Metric.tagged(Metric.tagged(Quota.metrics.admissions, "key", key.id), "outcome", "admitted")
        )
        assert.strictEqual(after.count - before.count, 3)
        assert.strictEqual((yield* quota.state(key)).buckets.requests?.level, 0)
      })
    )
  )

  it.effect("the in-memory fast path is one synchronous step: runSync can run it", () =>
    withQuota(perMinute(10), (quota) =>
      Effect.sync(() => {
        const waited = Effect.runSync(quota.withPermit(request(), (permit) => Effect.succeed(permit.waited)))
        assert.strictEqual(Duration.toMillis(waited), 0)
      })
    )
  )

  it.effect("a bucket learned while an attempt was in flight gets nothing back from it", () =>
    withQuota({}, (quota) =>
      quota.withPermit(request({ outputTokens: 4_000 }), (permit) =>
        Effect.gen(function* () {
          yield* quota.observe(key, {
            "anthropic-ratelimit-output-tokens-limit": "8000",
            "anthropic-ratelimit-output-tokens-remaining": "1000"
          })
          yield* permit.settle({ outputTokens: 10 })
          assert.strictEqual((yield* quota.state(key)).buckets.outputTokens?.level, 1_000)
        })
      )
    )
  )

  it.effect("waits for the refill, in virtual time", () =>
    withQuota(perMinute(2), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        yield* spend(quota)
        const fiber = yield* Effect.fork(spend(quota))
        yield* TestClock.adjust("29999 millis")
        assert.isFalse(yield* isDone(fiber))
        assert.strictEqual((yield* quota.state(key)).queued, 1)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(fiber)), 30_000)
        assert.strictEqual((yield* quota.state(key)).queued, 0)
      })
    )
  )

  it.effect("serves waiters first come, first served", () =>
    withQuota(perMinute(1), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        const order = yield* Ref.make<ReadonlyArray<number>>([])
        const fibers = []
        for (let i = 0; i < 4; i++) {
          fibers.push(
            yield* Effect.fork(
              Effect.zipRight(
                spend(quota, { maxWait: "10 minutes" }),
                Ref.update(order, (o) => [...o, i])
              )
            )
          )
          yield* Effect.yieldNow()
        }
        for (let minute = 0; minute < 4; minute++) yield* TestClock.adjust("1 minute")
        yield* Fiber.joinAll(fibers)
        assert.deepStrictEqual(yield* Ref.get(order), [0, 1, 2, 3])
      })
    )
  )

  it.effect("lets interactive attempts ahead of queued background work", () =>
    withQuota(perMinute(1), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        const order = yield* Ref.make<ReadonlyArray<string>>([])
        const run = (name: string, priority: Quota.Priority) =>
          Effect.fork(
            Effect.zipRight(
              spend(quota, { priority, maxWait: "10 minutes" }),
              Ref.update(order, (o) => [...o, name])
            )
          )
        const fibers = [yield* run("background-1", "background"), yield* run("background-2", "background")]
        yield* Effect.yieldNow()
        yield* TestClock.adjust("10 seconds")
        fibers.push(yield* run("interactive", "interactive"))
        yield* Effect.yieldNow()
        for (let minute = 0; minute < 3; minute++) yield* TestClock.adjust("1 minute")
        yield* Fiber.joinAll(fibers)
        assert.deepStrictEqual(yield* Ref.get(order), ["interactive", "background-1", "background-2"])
      })
    )
  )

  it.effect("an interrupted waiter leaves the line and takes nothing", () =>
    withQuota(perMinute(1), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        const first = yield* Effect.fork(spend(quota, { maxWait: "10 minutes" }))
        yield* Effect.yieldNow()
        const second = yield* Effect.fork(spend(quota, { maxWait: "10 minutes" }))
        yield* Effect.yieldNow()
        assert.strictEqual((yield* quota.state(key)).queued, 2)
        yield* Fiber.interrupt(first)
        assert.strictEqual((yield* quota.state(key)).queued, 1)
        // the second is now first in line and gets the very next token
        yield* TestClock.adjust("1 minute")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(second)), 60_000)
        assert.strictEqual((yield* quota.state(key)).buckets.requests?.level, 0)
      })
    )
  )

  it.effect("fails at once with the bucket and the wait when the budget cannot cover it", () =>
    withQuota(perMinute(2), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        yield* spend(quota)
        const error = yield* rejectionOf(spend(quota, { maxWait: "10 seconds" }))
        assert.strictEqual(error.bucket, "requests")
        assert.strictEqual(error.key, key.id)
        assert.strictEqual(Duration.toMillis(error.retryAfter), 30_000)
        assert.strictEqual(Duration.toMillis(error.maxWait), 10_000)
        assert.isTrue(ClaudeError.isRetryable(error))
        assert.strictEqual(ClaudeError.retryAfterOf(error), error.retryAfter)
        assert.strictEqual((yield* quota.state(key)).queued, 0)
      })
    )
  )

  it.effect("counts the line ahead when judging the budget", () =>
    withQuota(perMinute(1), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        const waiting = [
          yield* Effect.fork(spend(quota, { maxWait: "10 minutes" })),
          yield* Effect.fork(spend(quota, { maxWait: "10 minutes" }))
        ]
        yield* Effect.yieldNow()
        // two minutes of tokens ahead, then one more: 3 minutes > 150 s
        const error = yield* rejectionOf(spend(quota, { maxWait: "150 seconds" }))
        assert.strictEqual(Duration.toMillis(error.retryAfter), 180_000)
        yield* Effect.forEach(waiting, Fiber.interrupt)
      })
    )
  )

  it.effect("a queued attempt gives up when its budget runs out while it waits", () =>
    withQuota(perMinute(1), (quota) =>
      Effect.gen(function* () {
        yield* spend(quota)
        const head = yield* Effect.fork(spend(quota, { maxWait: "10 minutes" }))
        yield* Effect.yieldNow()
        // one minute for the head's token, one for its own: fits 130 s when it joins the line
        const behind = yield* Effect.fork(Effect.either(spend(quota, { maxWait: "130 seconds" })))
        yield* Effect.yieldNow()
        assert.strictEqual((yield* quota.state(key)).queued, 2)
        // then a 429 pauses the key for 5 minutes: the head still fits its budget, the other not
        yield* quota.pause(key, "5 minutes")
        yield* TestClock.adjust("129999 millis")
        assert.isFalse(yield* isDone(behind))
        yield* TestClock.adjust("1 millis")
        const result = yield* Fiber.join(behind)
        assert.isTrue(result._tag === "Left" && result.left.bucket === "paused")
        assert.strictEqual(result._tag === "Left" && Duration.toMillis(result.left.waited), 130_000)
        assert.strictEqual((yield* quota.state(key)).queued, 1)
        yield* TestClock.adjust("170 seconds")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(head)), 300_000)
      })
    )
  )

  it.effect("settling returns the unused output reservation", () =>
    withQuota({ limits: { outputTokensPerMinute: 1_000 } }, (quota) =>
      Effect.gen(function* () {
        yield* quota.withPermit(request({ outputTokens: 800 }), (permit) => permit.settle({ outputTokens: 100 }))
        assert.strictEqual((yield* quota.state(key)).buckets.outputTokens?.level, 900)
        // a failure closes the permit with no output; a refund gives back the request too
        yield* Effect.either(quota.withPermit(request({ outputTokens: 800 }), () => Effect.fail("boom")))
        assert.strictEqual((yield* quota.state(key)).buckets.outputTokens?.level, 900)
        yield* Effect.scoped(Effect.flatMap(quota.admit(request({ outputTokens: 500 })), (permit) => permit.refund))
        assert.strictEqual((yield* quota.state(key)).buckets.outputTokens?.level, 900)
      })
    )
  )

  it.effect("a store without the synchronous operations (as Redis) ends in the same state as the memory store", () => {
    // settles, a failure, a refund, a scoped permit, headers, a 429, then a wait for the refill
    const script = (quota: Quota.Service) =>
      Effect.gen(function* () {
        const now = yield* TestClock.currentTimeMillis
        yield* quota.withPermit(request({ inputTokens: 300, outputTokens: 800 }), (permit) =>
          permit.settle({ inputTokens: 250, outputTokens: 100 })
        )
        yield* Effect.either(
          quota.withPermit(request({ inputTokens: 100, outputTokens: 800 }), () => Effect.fail("boom"))
        )
        yield* quota.withPermit(request({ outputTokens: 500 }), (permit) => permit.refund)
        yield* Effect.scoped(quota.admit(request({ inputTokens: 50, outputTokens: 200 })))
        yield* quota.observe(key, {
          "anthropic-ratelimit-requests-limit": "6",
          "anthropic-ratelimit-requests-remaining": "2",
          "anthropic-ratelimit-requests-reset": new Date(now + 30_000).toISOString()
        })
        yield* quota.observe(key, { "retry-after": "2" }, 429)
        const waited = yield* spend(quota).pipe(
          Effect.fork,
          Effect.tap(() => TestClock.adjust("1 minute")),
          Effect.flatMap(Fiber.join)
        )
        const state = yield* quota.state(key)
        // times from the script's start: the two runs share one test clock
        return {
          waited: Duration.toMillis(waited),
          state: { ...state, at: state.at - now, pausedUntil: state.pausedUntil - now }
        }
      })
    const limits: Quota.Options = {
      limits: { requestsPerMinute: 10, inputTokensPerMinute: 1_000, outputTokensPerMinute: 2_000 }
    }
    const withoutSyncPath = Layer.effect(
      QuotaStore.QuotaStore,
      Effect.map(
        QuotaStore.makeMemory(),
        (store): QuotaStore.Store => ({
          take: store.take,
          give: store.give,
          learn: store.learn,
          pause: store.pause,
          view: store.view
        })
      )
    )
    return Effect.gen(function* () {
      const fast = yield* withQuota(limits, script)
      const slow = yield* Effect.scoped(Effect.flatMap(Quota.Quota, script)).pipe(
        Effect.provide(Quota.layerWithoutStore(limits).pipe(Layer.provide(withoutSyncPath)))
      )
      assert.deepStrictEqual(slow, fast)
      assert.strictEqual(fast.state.buckets.requests?.capacity, 6)
      assert.isAbove(fast.waited, 0)
    })
  })

  // A workload whose answers (600 tokens) are far shorter than max_tokens (3,000) still reaches the
  // output limit, because each answer's unused reservation goes back; without reconciliation the
  // reservations alone would cap it at a fifth of that.
  const otpmWorkload = (settle: boolean) =>
    withQuota({ limits: { outputTokensPerMinute: 6_000 }, maxWait: "10 minutes" }, (quota) =>
      Effect.gen(function* () {
        const output = yield* Ref.make(0)
        const worker = Effect.forever(
          quota.withPermit(request({ outputTokens: 3_000 }), (permit) =>
            Effect.zipRight(
              Effect.sleep("1 second"),
              Effect.zipRight(
                Ref.update(output, (n) => n + 600),
                settle ? permit.settle({ outputTokens: 600 }) : Effect.void
              )
            )
          )
        )
        yield* Effect.forkScoped(
          Effect.all(
            Array.from({ length: 4 }, () => worker),
            { concurrency: "unbounded" }
          )
        )
        yield* TestClock.adjust("1 minute") // the first, full bucket
        const start = yield* Ref.get(output)
        yield* TestClock.adjust("3 minutes")
        return ((yield* Ref.get(output)) - start) / 3
      })
    )

  it.effect("reconciliation: short answers still reach the output-token limit", () =>
    Effect.gen(function* () {
      const reconciled = yield* otpmWorkload(true)
      const reserved = yield* otpmWorkload(false)
      assert.isAtLeast(reconciled, 6_000 * 0.95)
      assert.isAtMost(reconciled, 6_000 * 1.05)
      assert.isAtMost(reserved, 6_000 * 0.25)
    })
  )

  it.effect("learns the limit and the refill window from the headers", () =>
    withQuota({}, (quota) =>
      Effect.gen(function* () {
        const now = yield* TestClock.currentTimeMillis
        yield* quota.observe(key, {
          "anthropic-ratelimit-requests-limit": "5",
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": new Date(now + 12_000).toISOString()
        })
        const state = yield* quota.state(key)
        assert.deepStrictEqual(state.buckets.requests, { capacity: 5, windowMillis: 12_000, level: 0 })
        const learned = yield* Metric.value(
          Metric.tagged(Metric.tagged(Quota.metrics.limit, "key", key.id), "bucket", "requests")
        )
        assert.strictEqual(learned.value, 5)
        // one token every 12 s / 5
        const fiber = yield* Effect.fork(spend(quota))
        yield* TestClock.adjust("2399 millis")
        assert.isFalse(yield* isDone(fiber))
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(fiber)), 2_400)
      })
    )
  )

  it.effect("a 429 with retry-after pauses the whole key, and is counted", () =>
    withQuota(perMinute(100), (quota) =>
      Effect.gen(function* () {
        const counter = Metric.tagged(Quota.metrics.rateLimited, "key", key.id)
        const before = (yield* Metric.value(counter)).count
        yield* quota.observe(key, { "retry-after": "7" }, 429)
        const fiber = yield* Effect.fork(spend(quota))
        yield* TestClock.adjust("6999 millis")
        assert.isFalse(yield* isDone(fiber))
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(fiber)), 7_000)
        yield* quota.observeError(
          key,
          new ClaudeError.RateLimitError({ message: "slow down", status: 429, retryAfter: Duration.seconds(3) })
        )
        assert.strictEqual(
          Duration.toMillis((yield* rejectionOf(spend(quota, { maxWait: "1 second" }))).retryAfter),
          3_000
        )
        assert.strictEqual((yield* Metric.value(counter)).count - before, 2)
      })
    )
  )

  it.effect("absurd headers never stall it: a reset years ahead, in the past, garbage", () =>
    withQuota({}, (quota) =>
      Effect.gen(function* () {
        yield* quota.observe(key, {
          "anthropic-ratelimit-requests-limit": "3",
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": "2999-01-01T00:00:00Z",
          "anthropic-ratelimit-input-tokens-limit": "-5",
          "anthropic-ratelimit-input-tokens-remaining": "NaN",
          "anthropic-ratelimit-output-tokens-limit": "0",
          "anthropic-ratelimit-output-tokens-reset": "1970-01-01T00:00:00Z",
          "retry-after": "1e308"
        })
        const state = yield* quota.state(key)
        // the window is clamped to an hour: a token every 20 minutes, not one a millennium
        assert.deepStrictEqual(state.buckets.requests, { capacity: 3, windowMillis: 3_600_000, level: 0 })
        assert.isUndefined(state.buckets.inputTokens)
        assert.isUndefined(state.buckets.outputTokens)
        const fiber = yield* Effect.fork(spend(quota, { maxWait: "1 hour" }))
        yield* TestClock.adjust("20 minutes")
        assert.strictEqual(Duration.toMillis(yield* Fiber.join(fiber)), 1_200_000)
      })
    )
  )

  it.effect("the output reservation can be learned", () =>
    withQuota({ outputReservation: "learned" }, (quota) =>
      Effect.gen(function* () {
        assert.strictEqual(quota.reservation(key, 4_096), 4_096)
        for (let i = 0; i < 8; i++) {
          yield* quota.withPermit(request({ outputTokens: 4_096 }), (permit) => permit.settle({ outputTokens: 300 }))
        }
        assert.strictEqual(quota.reservation(key, 4_096), 300)
        assert.strictEqual(quota.reservation(key, 100), 100)
      })
    )
  )
})

describe("learning from headers (property)", () => {
  const headerValue = fc.oneof(
    fc.string(),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom("NaN", "Infinity", "-1", "1e308", "", "  42 ", "0"),
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: false }).map((d) => {
      try {
        return d.toISOString()
      } catch {
        return "Invalid Date"
      }
    })
  )
  const headers = fc.dictionary(
    fc.constantFrom(
      ...["requests", "tokens", "input-tokens", "output-tokens"].flatMap((b) =>
        ["limit", "remaining", "reset"].map((f) => `anthropic-ratelimit-${b}-${f}`)
      )
    ),
    headerValue
  )
  const number = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300)
  )
  const snapshotBucket = fc.record(
    {
      limit: number,
      remaining: number,
      reset: fc.oneof(fc.date({ noInvalidDate: false }), fc.constant(new Date(Number.NaN)))
    },
    { requiredKeys: [] }
  )
  const snapshot = fc.record(
    { requests: snapshotBucket, inputTokens: snapshotBucket, outputTokens: snapshotBucket, tokens: snapshotBucket },
    { requiredKeys: [] }
  )

  const sane = (state: bucket.KeyState, now: number): boolean => {
    for (const name of bucket.BUCKETS) {
      const b = state[name]
      if (b === undefined) continue
      if (!(Number.isFinite(b.capacity) && b.capacity >= 1)) return false
      if (!(b.windowMillis >= bucket.MIN_WINDOW_MILLIS && b.windowMillis <= bucket.MAX_WINDOW_MILLIS)) return false
      if (!(Number.isFinite(b.level) && Math.abs(b.level) <= b.capacity)) return false
    }
    // one request can always be admitted within two of the longest windows
    const take = bucket.take(state, { requests: 1, inputTokens: 1, outputTokens: 1 }, {}, now)
    return take.admitted || (take.waitMillis > 0 && take.waitMillis <= 2 * bucket.MAX_LEARNED_WINDOW_MILLIS)
  }

  it.prop(
    "any header values leave finite, positive capacities and a bounded wait",
    [headers, fc.integer({ min: 0, max: 4e12 })],
    ([raw, now]) => {
      const state = bucket.empty()
      const seen = bucket.observation(ResponseHeaders.rateLimit(raw), now)
      if (seen !== undefined) bucket.learn(state, seen, {}, now)
      return sane(state, now)
    }
  )

  it.prop(
    "any snapshot numbers (NaN, negative, infinite, invalid dates) too",
    [fc.array(snapshot, { maxLength: 5 }), fc.integer({ min: 0, max: 4e12 })],
    ([snapshots, now]) => {
      const state = bucket.empty()
      for (const s of snapshots) {
        const seen = bucket.observation(s as ResponseHeaders.RateLimitSnapshot, now)
        if (seen !== undefined) bucket.learn(state, seen, {}, now)
      }
      return sane(state, now)
    }
  )
})

describe("Quota metrics", () => {
  it.effect("keep their key labels bounded however many limit keys there are", () =>
    withQuota({}, (quota) =>
      Effect.gen(function* () {
        const apiKey = Redacted.make("sk-ant-api03-many-keys")
        const keys = Array.from({ length: MAX_METRIC_KEYS + 20 }, (_, i) => LimitKey.make(apiKey, `bounded-model-${i}`))
        yield* Effect.forEach(keys, (k) => spend(quota, { key: k }), { discard: true })
        const labels = new Set<string>()
        for (const pair of yield* Metric.snapshot) {
          if (!pair.metricKey.name.startsWith("claude_quota_")) continue
          for (const tag of pair.metricKey.tags) if (tag.key === "key") labels.add(tag.value)
        }
        const ours = keys.filter((k) => labels.has(k.id))
        assert.isAtMost(ours.length, MAX_METRIC_KEYS)
        assert.isFalse(labels.has(keys[keys.length - 1]!.id))
        const other = yield* Metric.value(
          Metric.tagged(Metric.tagged(Quota.metrics.admissions, "key", OTHER_KEY), "outcome", "admitted")
        )
        assert.isAtLeast(other.count, 20)
      })
    )
  )
})
