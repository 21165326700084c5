import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"

const touch = (store: CircuitBreakerStore.Store, key: string) =>
  store.modify(key, (entry) => [entry.status, entry] as const)
const fail = (store: CircuitBreakerStore.Store, key: string) =>
  store.modify(key, (entry) => [undefined, { ...entry, consecutiveFailures: entry.consecutiveFailures + 1 }] as const)

describe("CircuitBreakerStore memory bounds", () => {
  it.effect("100,000 distinct keys keep at most maxEntries circuits", () =>
    Effect.gen(function* () {
      const store = yield* CircuitBreakerStore.makeMemoryWith({ maxEntries: 1_000 })
      let most = 0
      for (let i = 0; i < 100_000; i++) {
        yield* touch(store, `key-${i}`)
        if (i % 997 === 0) most = Math.max(most, (yield* store.keys).length)
      }
      const keys = yield* store.keys
      assert.isAtMost(keys.length, 1_000)
      assert.isAtMost(most, 1_000)
      // the most recent survive
      assert.include(keys, "key-99999")
    })
  )

  it.effect("the default bound holds through the breaker too", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.CircuitBreaker
      const store = yield* CircuitBreakerStore.CircuitBreakerStore
      for (let i = 0; i < 12_000; i++) yield* breaker.execute(`model-${i}`, Effect.succeed(i))
      assert.isAtMost((yield* store.keys).length, 10_000)
    }).pipe(
      Effect.provide(CircuitBreaker.layerWithoutStore().pipe(Layer.provideMerge(CircuitBreakerStore.layerMemory)))
    )
  )

  it.effect("idle circuits are forgotten after idleTtl; circuits with failures are kept", () =>
    Effect.gen(function* () {
      const store = yield* CircuitBreakerStore.makeMemoryWith({ idleTtl: "10 minutes" })
      for (let i = 0; i < 500; i++) yield* touch(store, `idle-${i}`)
      yield* fail(store, "failing")
      yield* TestClock.adjust("11 minutes")
      yield* touch(store, "fresh")
      assert.sameMembers([...(yield* store.keys)], ["failing", "fresh"])
      // a forgotten circuit comes back as a fresh one
      assert.strictEqual(yield* touch(store, "idle-1"), "Closed")
    })
  )

  it.effect("past the bound, idle circuits go before the others", () =>
    Effect.gen(function* () {
      const store = yield* CircuitBreakerStore.makeMemoryWith({ maxEntries: 100 })
      yield* fail(store, "failing") // the oldest, but not idle
      for (let i = 0; i < 1_000; i++) yield* touch(store, `idle-${i}`)
      const keys = yield* store.keys
      assert.isAtMost(keys.length, 100)
      assert.include(keys, "failing")
      const consecutive = yield* store.modify("failing", (entry) => [entry.consecutiveFailures, entry] as const)
      assert.strictEqual(consecutive, 1)
    })
  )
})
