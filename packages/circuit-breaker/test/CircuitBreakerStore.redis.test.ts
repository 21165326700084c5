/**
 * The breaker's store on a real Redis: two stores on two connections play two processes of a
 * fleet.
 */
import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import { ClaudeError } from "@claude-resilience/errors"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Logger, Schedule } from "effect"
import { inject } from "vitest"
import { startRedisServer } from "../../../vitest.redis.js"

const key = "claude-sonnet-4-6"
const overloaded = new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })
let counter = 0
const uniquePrefix = () => `test:circuit:${process.pid}:${Date.now().toString(36)}:${counter++}:`

const connection = (url: string = inject("redisUrl")) =>
  CircuitBreakerRedis.layerConnection({
    url,
    commandTimeout: "2 seconds",
    connectTimeout: "5 seconds",
    healthCheck: Schedule.spaced("100 millis")
  })

/** One process of the fleet: its own connection and store, open until the scope closes. */
const member = (prefix: string, options: CircuitBreaker.Options, store: CircuitBreakerRedis.StoreOptions = {}) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      CircuitBreakerRedis.layer({ prefix, ...store }).pipe(Layer.provideMerge(connection()))
    )
    const breaker = yield* Effect.provide(CircuitBreaker.make(options), context)
    const redis = Effect.provide(CircuitBreakerRedis.RedisConnection, context)
    const storeOf = Effect.provide(CircuitBreakerStore.CircuitBreakerStore, context)
    return { breaker, connection: yield* redis, store: yield* storeOf }
  })

const cleanup = (c: CircuitBreakerRedis.Connection, prefix: string) =>
  Effect.promise(async () => {
    const keys = await c.redis.keys(`${prefix}*`)
    if (keys.length > 0) await c.redis.del(...keys)
  })

const quiet = Logger.remove(Logger.defaultLogger)

describe("CircuitBreakerStore/Redis", () => {
  it.live("a fleet opens together", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix()
      const options: CircuitBreaker.Options = { trip: CircuitBreaker.consecutiveFailures(3) }
      const a = yield* member(prefix, options)
      const b = yield* member(prefix, options)
      for (let i = 0; i < 3; i++) yield* Effect.either(a.breaker.execute(key, Effect.fail(overloaded)))
      assert.strictEqual((yield* b.breaker.state(key))._tag, "Open")
      const rejected = yield* Effect.flip(b.breaker.execute(key, Effect.succeed("never runs")))
      assert.isTrue(rejected instanceof ClaudeError.CircuitOpenError && rejected.state === "Open")
      assert.isTrue(yield* b.connection.healthy)
      yield* cleanup(a.connection, prefix)
    }).pipe(Effect.provide(quiet), Effect.scoped)
  )

  it.live("a half-open circuit sends one probe for the whole fleet", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix()
      const options: CircuitBreaker.Options = {
        trip: CircuitBreaker.consecutiveFailures(1),
        openDuration: "200 millis"
      }
      const a = yield* member(prefix, options)
      const b = yield* member(prefix, options)
      yield* Effect.either(a.breaker.execute(key, Effect.fail(overloaded)))
      yield* Effect.sleep("250 millis")
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const probe = yield* Effect.fork(
        a.breaker.execute(key, Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate)))
      )
      yield* Deferred.await(started)
      // the other process, and this one, are turned away while the probe runs
      const fromB = yield* Effect.flip(b.breaker.execute(key, Effect.succeed("second probe")))
      assert.isTrue(fromB instanceof ClaudeError.CircuitOpenError && fromB.state === "HalfOpen")
      const fromA = yield* Effect.flip(a.breaker.execute(key, Effect.succeed("second probe")))
      assert.isTrue(fromA instanceof ClaudeError.CircuitOpenError && fromA.state === "HalfOpen")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(probe)
      assert.strictEqual((yield* b.breaker.state(key))._tag, "Closed")
      assert.strictEqual(yield* b.breaker.execute(key, Effect.succeed("ok")), "ok")
      assert.isTrue(yield* b.connection.healthy)
      yield* cleanup(a.connection, prefix)
    }).pipe(Effect.provide(quiet), Effect.scoped)
  )

  it.live("concurrent transitions from four connections lose no update", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix()
      const members = yield* Effect.all(Array.from({ length: 4 }, () => member(prefix, {})))
      const bump = (store: CircuitBreakerStore.Store) =>
        store.modify(
          key,
          (entry) => [undefined, { ...entry, consecutiveFailures: entry.consecutiveFailures + 1 }] as const
        )
      yield* Effect.all(
        Array.from({ length: 100 }, (_, i) => bump(members[i % 4]!.store)),
        { concurrency: "unbounded" }
      )
      const count = yield* members[0]!.store.modify(key, (entry) => [entry.consecutiveFailures, entry] as const)
      assert.strictEqual(count, 100)
      for (const m of members) assert.isTrue(yield* m.connection.healthy)
      yield* cleanup(members[0]!.connection, prefix)
    }).pipe(Effect.scoped)
  )

  it.live("every key expires: idle after ttl, open ones after their open time too", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix()
      const {
        breaker,
        connection: c,
        store
      } = yield* member(
        prefix,
        { trip: CircuitBreaker.consecutiveFailures(2), openDuration: "5 minutes" },
        { ttl: "2 minutes" }
      )
      yield* Effect.either(breaker.execute(key, Effect.fail(overloaded)))
      const closed = yield* Effect.promise(() => c.redis.pttl(`${prefix}${key}`))
      assert.isTrue(closed > 0 && closed <= 120_000, `closed pttl ${closed}`)
      yield* Effect.either(breaker.execute(key, Effect.fail(overloaded)))
      const open = yield* Effect.promise(() => c.redis.pttl(`${prefix}${key}`))
      assert.isTrue(open > 400_000 && open <= 420_000, `open pttl ${open}`)
      assert.deepStrictEqual(yield* store.keys, [key])
      yield* cleanup(c, prefix)
    }).pipe(Effect.provide(quiet), Effect.scoped)
  )

  it.live("a stored value that is not an Entry reads as a fresh circuit and is replaced", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix()
      const { connection: c, store } = yield* member(prefix, {})
      yield* Effect.promise(() => c.redis.set(`${prefix}${key}`, "{not an entry", "PX", 60_000))
      const status = yield* store.modify(key, (entry) => [entry.status, { ...entry, consecutiveFailures: 1 }] as const)
      assert.strictEqual(status, "Closed")
      const raw = yield* Effect.promise(() => c.redis.get(`${prefix}${key}`))
      assert.strictEqual((JSON.parse(raw ?? "{}") as CircuitBreakerStore.Entry).consecutiveFailures, 1)
      assert.isTrue(yield* c.healthy)
      yield* cleanup(c, prefix)
    }).pipe(Effect.scoped)
  )

  it.live(
    "with Redis down the breaker works in memory, and nothing hangs",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => startRedisServer()),
          (s) => Effect.promise(() => s.stop())
        )
        const context = yield* Layer.build(
          CircuitBreakerRedis.layer({ prefix: uniquePrefix() }).pipe(
            Layer.provideMerge(
              CircuitBreakerRedis.layerConnection({
                url: server.url,
                commandTimeout: "300 millis",
                healthCheck: Schedule.spaced("100 millis")
              })
            )
          )
        )
        const breaker = yield* Effect.provide(
          CircuitBreaker.make({ trip: CircuitBreaker.consecutiveFailures(2) }),
          context
        )
        const c = yield* Effect.provide(CircuitBreakerRedis.RedisConnection, context)
        const bounded = <A, E>(effect: Effect.Effect<A, E>) =>
          Effect.either(effect).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("hung") }))
        assert.strictEqual((yield* bounded(breaker.execute(key, Effect.succeed(1))))._tag, "Right")
        yield* Effect.promise(() => server.stop())
        for (let i = 0; i < 2; i++) yield* bounded(breaker.execute(key, Effect.fail(overloaded)))
        assert.isFalse(yield* c.healthy)
        // the in-memory circuit opened
        const rejected = yield* bounded(breaker.execute(key, Effect.succeed(1)))
        assert.isTrue(rejected._tag === "Left" && rejected.left instanceof ClaudeError.CircuitOpenError)
        yield* Effect.promise(() => server.start())
        yield* Effect.repeat(Effect.zipRight(bounded(breaker.state(key)), c.healthy), {
          until: (up) => up,
          schedule: Schedule.spaced("100 millis")
        }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("Redis never came back") }))
        // back on Redis (which never saw the outage's failures): closed
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      }).pipe(Effect.provide(quiet), Effect.scoped),
    60_000
  )
})
