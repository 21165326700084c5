/**
 * The store contract, run against both stores with explicit times: the Lua scripts of the Redis
 * store must behave as the memory store's TypeScript does.
 */
import { QuotaStore } from "@claude-resilience/rate-limit"
import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { cleanup, connection, healthy, uniquePrefix } from "./redis.js"

const MINUTE = 60_000
const T0 = 1_700_000_000_000
const one = (inputTokens = 0, outputTokens = 0): QuotaStore.Need => ({ requests: 1, inputTokens, outputTokens })
const limits: QuotaStore.Limits = {
  requests: { capacity: 2, windowMillis: MINUTE },
  inputTokens: { capacity: 1_000, windowMillis: MINUTE },
  outputTokens: { capacity: 600, windowMillis: MINUTE }
}

const stores: ReadonlyArray<
  readonly [string, <A, E>(f: (store: QuotaStore.Store) => Effect.Effect<A, E>) => Effect.Effect<A, E>]
> = [
  ["memory", (f) => Effect.flatMap(QuotaStore.makeMemory(), f)],
  [
    "redis",
    (f) => {
      const prefix = uniquePrefix("store")
      return Effect.flatMap(QuotaRedis.make({ prefix }), (store) =>
        f(store).pipe(
          // the answers must have come from Redis, not from the in-memory fallback
          Effect.tap(() => Effect.flatMap(healthy, (up) => Effect.sync(() => assert.isTrue(up)))),
          Effect.ensuring(cleanup(prefix))
        )
      ).pipe(Effect.provide(connection()))
    }
  ]
]

describe.each(stores)("QuotaStore (%s)", (_, withStore) => {
  it.live("takes all three buckets or none", () =>
    withStore((store) =>
      Effect.gen(function* () {
        assert.deepStrictEqual(yield* store.take("k", one(400, 300), limits, T0), { admitted: true, charged: 7 })
        // the output bucket is short: nothing is taken from the other two
        const denied = yield* store.take("k", one(100, 400), limits, T0)
        assert.isFalse(denied.admitted)
        if (!denied.admitted) {
          assert.strictEqual(denied.bucket, "outputTokens")
          assert.strictEqual(denied.waitMillis, 10_000) // 100 tokens at 600 a minute
        }
        const view = yield* store.view("k", limits, T0)
        assert.strictEqual(view.buckets.requests?.level, 1)
        assert.strictEqual(view.buckets.inputTokens?.level, 600)
        assert.strictEqual(view.buckets.outputTokens?.level, 300)
      })
    )
  )

  it.live("refills continuously and names the longest wait", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.take("k", one(), limits, T0)
        yield* store.take("k", one(), limits, T0)
        const denied = yield* store.take("k", one(), limits, T0)
        assert.deepStrictEqual(denied.admitted ? undefined : [denied.bucket, denied.waitMillis], ["requests", 30_000])
        assert.isFalse((yield* store.take("k", one(), limits, T0 + 29_999)).admitted)
        assert.isTrue((yield* store.take("k", one(), limits, T0 + 30_000)).admitted)
      })
    )
  )

  it.live("gives back within the capacity and charges debt below zero", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.take("k", one(0, 600), limits, T0)
        yield* store.give("k", { requests: 0, inputTokens: 0, outputTokens: 5_000 }, limits, T0)
        assert.strictEqual((yield* store.view("k", limits, T0)).buckets.outputTokens?.level, 600)
        yield* store.give("k", { requests: 0, inputTokens: 0, outputTokens: -900 }, limits, T0)
        assert.strictEqual((yield* store.view("k", limits, T0)).buckets.outputTokens?.level, -300)
        // in debt, even a request reserving no output waits until the bucket is back at zero
        const denied = yield* store.take("k", one(), limits, T0)
        assert.deepStrictEqual(denied.admitted ? undefined : [denied.bucket, denied.waitMillis], [
          "outputTokens",
          30_000
        ])
      })
    )
  )

  it.live("a request larger than a bucket waits for a full one and leaves it in debt", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.take("k", one(500), limits, T0)
        const denied = yield* store.take("k", one(5_000), limits, T0)
        assert.deepStrictEqual(denied.admitted ? undefined : [denied.bucket, denied.waitMillis], [
          "inputTokens",
          30_000
        ])
        assert.isTrue((yield* store.take("k", one(5_000), limits, T0 + 30_000)).admitted)
        assert.strictEqual((yield* store.view("k", limits, T0 + 30_000)).buckets.inputTokens?.level, -1_000)
      })
    )
  )

  it.live("buckets nobody configured or reported admit everything", () =>
    withStore((store) =>
      Effect.gen(function* () {
        for (let i = 0; i < 20; i++) {
          assert.deepStrictEqual(yield* store.take("k", one(1e9, 1e9), {}, T0), { admitted: true, charged: 0 })
        }
        // a bucket configured later is charged from then on
        const rpm = { requests: { capacity: 5, windowMillis: MINUTE } }
        assert.deepStrictEqual(yield* store.take("k", one(1e9, 1e9), rpm, T0), { admitted: true, charged: 1 })
        assert.deepStrictEqual((yield* store.view("k", {}, T0)).buckets, {
          requests: { capacity: 5, windowMillis: MINUTE, level: 4 }
        })
      })
    )
  )

  it.live("learns capacity, a lower remaining and the window; configured limits only seed", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.learn(
          "k",
          { requests: { limit: 50, remaining: 10, windowMillis: 6_000 }, outputTokens: { limit: 8_000 } },
          limits,
          T0
        )
        const view = yield* store.view("k", limits, T0)
        assert.deepStrictEqual(view.buckets.requests, { capacity: 50, windowMillis: 6_000, level: 2 })
        assert.deepStrictEqual(view.buckets.outputTokens, { capacity: 8_000, windowMillis: MINUTE, level: 600 })
        // a later window estimate is averaged in; a higher remaining never raises the level
        yield* store.learn("k", { requests: { remaining: 40, windowMillis: 16_000 } }, limits, T0)
        const after = yield* store.view("k", limits, T0)
        assert.deepStrictEqual(after.buckets.requests, { capacity: 50, windowMillis: 9_000, level: 2 })
      })
    )
  )

  it.live("a pause holds every bucket, at most an hour", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.pause("k", T0 + 5_000, T0)
        const denied = yield* store.take("k", one(), limits, T0 + 1_000)
        assert.deepStrictEqual(denied.admitted ? undefined : [denied.bucket, denied.waitMillis], ["paused", 4_000])
        // an earlier end does not shorten it
        yield* store.pause("k", T0 + 2_000, T0)
        assert.isFalse((yield* store.take("k", one(), limits, T0 + 4_999)).admitted)
        assert.isTrue((yield* store.take("k", one(), limits, T0 + 5_000)).admitted)
        yield* store.pause("k", T0 + 1e15, T0)
        assert.strictEqual((yield* store.view("k", limits, T0)).pausedUntil, T0 + 3_600_000)
      })
    )
  )

  it.live("a clock that goes back refills nothing", () =>
    withStore((store) =>
      Effect.gen(function* () {
        yield* store.take("k", one(), limits, T0)
        yield* store.take("k", one(), limits, T0)
        assert.isFalse((yield* store.take("k", one(), limits, T0 - MINUTE)).admitted)
        assert.isTrue((yield* store.take("k", one(), limits, T0 + 30_000)).admitted)
      })
    )
  )
})
