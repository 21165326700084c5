/**
 * The limiter on a real Redis: atomic across fibers, connections and OS processes; keys that
 * expire; a pause shared by the fleet; and calls that go on (in memory) while Redis is down or
 * answers garbage, then return to Redis.
 */
import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Logger, Redacted, Ref, Schedule } from "effect"
import { execFile } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { startRedisServer } from "../../../vitest.redis.js"
import { cleanup, connection, healthy, redisUrl, uniquePrefix } from "./redis.js"

const key = LimitKey.make(Redacted.make("sk-ant-api03-fleet-test"), "claude-haiku-4-5")
// A week-long window: nothing refills while a test runs.
const noRefill: Quota.Options = { limits: { requestsPerMinute: 50, window: "7 days" }, maxWait: 0 }
const attempt = (quota: Quota.Service) =>
  Effect.either(quota.withPermit({ key, inputTokens: 10, outputTokens: 10 }, () => Effect.void))

/**
 * A limiter on a connection of its own (as another process would have), open until the scope
 * closes, with a check that it answered from Redis rather than from the fallback.
 */
const limiter = (prefix: string, options: Quota.Options = noRefill, store: QuotaRedis.StoreOptions = {}) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(QuotaRedis.layer({ prefix, ...store }).pipe(Layer.provideMerge(connection())))
    const quota = yield* Effect.provide(Quota.make(options), context)
    return { quota, healthy: Effect.provide(healthy, context) }
  })

/** A logger that keeps the warnings (and prints nothing). */
const capture = Effect.map(Ref.make<ReadonlyArray<string>>([]), (warnings) => ({
  warnings,
  logger: Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") Effect.runSync(Ref.update(warnings, (w) => [...w, String(message)]))
    })
  )
}))

const worker = fileURLToPath(new URL("./fixtures/fleetWorker.ts", import.meta.url))
const root = path.resolve(path.dirname(worker), "../../../..")

const runWorker = (url: string, prefix: string, attempts: number) =>
  Effect.async<number, Error>((resume) => {
    execFile(
      path.join(root, "node_modules/.bin/tsx"),
      [worker, url, prefix, String(attempts)],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) return resume(Effect.fail(new Error(`worker failed: ${error.message} ${stderr}`)))
        resume(Effect.succeed((JSON.parse(stdout) as { admitted: number }).admitted))
      }
    )
  })

describe("QuotaStore/Redis", () => {
  it.live("many fibers on two connections never admit more than the limit", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix("fibers")
      const a = yield* limiter(prefix)
      const b = yield* limiter(prefix)
      const results = yield* Effect.all(
        Array.from({ length: 120 }, (_, i) => attempt(i % 2 === 0 ? a.quota : b.quota)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((r) => r._tag === "Right").length, 50)
      const rejected = results.find((r) => r._tag === "Left")
      assert.strictEqual(rejected?._tag === "Left" ? rejected.left.bucket : undefined, "requests")
      assert.isTrue(yield* a.healthy)
      assert.isTrue(yield* b.healthy)
      yield* cleanup(prefix)
    }).pipe(Effect.provide(connection()), Effect.scoped)
  )

  it.live(
    "several OS processes on one Redis never admit more than the limit",
    () =>
      Effect.gen(function* () {
        const prefix = uniquePrefix("processes")
        const url = redisUrl()
        const admitted = yield* Effect.all(
          [runWorker(url, prefix, 30), runWorker(url, prefix, 30), runWorker(url, prefix, 30)],
          {
            concurrency: "unbounded"
          }
        )
        // and this process too, at the same time as theirs would have been
        const here = yield* limiter(prefix)
        const mine = (yield* Effect.all(
          Array.from({ length: 30 }, () => attempt(here.quota)),
          { concurrency: "unbounded" }
        )).filter((r) => r._tag === "Right").length
        assert.strictEqual(admitted.reduce((sum, n) => sum + n, 0) + mine, 50)
        assert.isTrue(yield* here.healthy)
        yield* cleanup(prefix)
      }).pipe(Effect.provide(connection()), Effect.scoped),
    90_000
  )

  it.live("a 429 in one process pauses the key for every process", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix("pause")
      const options: Quota.Options = { maxWait: "100 millis" }
      const a = yield* limiter(prefix, options)
      const b = yield* limiter(prefix, options)
      yield* a.quota.observe(key, { "retry-after": "60" }, 429)
      const result = yield* Effect.either(
        b.quota.withPermit({ key, inputTokens: 0, outputTokens: 0 }, () => Effect.void)
      )
      assert.isTrue(result._tag === "Left" && result.left.bucket === "paused")
      assert.isTrue(result._tag === "Left" && Duration.toMillis(result.left.retryAfter) > 50_000)
      assert.isTrue(yield* b.healthy)
      yield* cleanup(prefix)
    }).pipe(Effect.provide(connection()), Effect.scoped)
  )

  it.live("learned limits are shared, and every key expires", () =>
    Effect.gen(function* () {
      const prefix = uniquePrefix("ttl")
      // a week-long window: the level read back does not depend on how fast this machine is
      const options: Quota.Options = { limits: { window: "7 days" } }
      const a = yield* limiter(prefix, options, { keyTtl: "10 minutes" })
      const b = yield* limiter(prefix, options, { keyTtl: "10 minutes" })
      yield* a.quota.observe(key, {
        "anthropic-ratelimit-output-tokens-limit": "8000",
        "anthropic-ratelimit-output-tokens-remaining": "100"
      })
      const state = yield* b.quota.state(key)
      assert.isTrue(yield* b.healthy)
      assert.strictEqual(state.buckets.outputTokens?.capacity, 8_000)
      assert.isAtMost(state.buckets.outputTokens?.level ?? Number.NaN, 101)
      const c = yield* CircuitBreakerRedis.RedisConnection
      const keys = yield* Effect.promise(() => c.redis.keys(`${prefix}*`))
      assert.deepStrictEqual(keys, [`${prefix}${key.id}`])
      const ttl = yield* Effect.promise(() => c.redis.pttl(keys[0]!))
      assert.isTrue(ttl > 0 && ttl <= 600_000, `pttl ${ttl}`)
      // the hash holds the fingerprint, never the API key
      const stored = JSON.stringify(yield* Effect.promise(() => c.redis.hgetall(keys[0]!)))
      assert.notInclude(stored + keys[0], "sk-ant")
      yield* cleanup(prefix)
    }).pipe(Effect.provide(connection()), Effect.scoped)
  )

  it.live(
    "Redis killed mid-run: calls go on in memory, nothing hangs, and Redis is used again once back",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => startRedisServer()),
          (s) => Effect.promise(() => s.stop())
        )
        const prefix = uniquePrefix("outage")
        const { logger, warnings } = yield* capture
        const layer = QuotaRedis.layer({ prefix }).pipe(
          Layer.provideMerge(
            CircuitBreakerRedis.layerConnection({
              url: server.url,
              commandTimeout: "300 millis",
              healthCheck: Schedule.spaced("100 millis")
            })
          )
        )
        yield* Effect.gen(function* () {
          const quota = yield* Quota.make({ limits: { requestsPerMinute: 1_000_000 } })
          const c = yield* CircuitBreakerRedis.RedisConnection
          // every call must end, up or down (5 s: far above the 300 ms command timeout)
          const call = attempt(quota).pipe(
            Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("a call hung") })
          )
          for (let i = 0; i < 5; i++) assert.strictEqual((yield* call)._tag, "Right")
          assert.isTrue(yield* c.healthy)

          yield* Effect.promise(() => server.stop())
          for (let i = 0; i < 20; i++) assert.strictEqual((yield* call)._tag, "Right")
          assert.isFalse(yield* c.healthy)

          yield* Effect.promise(() => server.start())
          // ioredis reconnects, then the health check finds Redis: calls land there again
          yield* Effect.repeat(Effect.zipRight(call, c.healthy), {
            until: (up) => up,
            schedule: Schedule.spaced("100 millis")
          }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("Redis never came back") }))
          for (let i = 0; i < 3; i++) assert.strictEqual((yield* call)._tag, "Right")
          const stored = yield* Effect.promise(() => c.redis.hget(`${prefix}${key.id}`, "rc"))
          assert.strictEqual(stored, "1000000")
        }).pipe(Effect.provide(layer), Effect.provide(logger))
        const logged = yield* Ref.get(warnings)
        assert.strictEqual(logged.length, 1, logged.join("\n"))
        assert.match(logged[0]!, /Redis unavailable/)
        assert.notInclude(logged[0]!, server.url)
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("a server answering garbage: calls go on in memory", () =>
    Effect.gen(function* () {
      // speaks RESP, but answers every command with the integer 42
      const garbage = yield* Effect.acquireRelease(
        Effect.async<net.Server>((resume) => {
          const server = net.createServer((socket) => {
            socket.on("data", (data) => {
              for (const _ of data.toString().matchAll(/(?:^|\n)\*\d+\r\n/g)) socket.write(":42\r\n")
            })
            socket.on("error", () => undefined)
          })
          server.listen(0, "127.0.0.1", () => {
            resume(Effect.succeed(server))
          })
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
          })
      )
      const port = (garbage.address() as net.AddressInfo).port
      const { logger, warnings } = yield* capture
      const context = yield* Layer.build(
        QuotaRedis.layer().pipe(
          Layer.provideMerge(
            CircuitBreakerRedis.layerConnection({
              url: `redis://127.0.0.1:${port}`,
              commandTimeout: "300 millis",
              // the fake cannot answer INFO
              redisOptions: { enableReadyCheck: false }
            })
          )
        )
      )
      const quota = yield* Effect.provide(
        Quota.make({ limits: { requestsPerMinute: 3, window: "7 days" }, maxWait: 0 }),
        context
      )
      const results = yield* Effect.all(Array.from({ length: 5 }, () => attempt(quota))).pipe(Effect.provide(logger))
      // the in-memory fallback enforces the same limit
      assert.deepStrictEqual(
        results.map((r) => r._tag),
        ["Right", "Right", "Right", "Left", "Left"]
      )
      const logged = yield* Ref.get(warnings)
      assert.strictEqual(logged.length, 1, logged.join("\n"))
      assert.match(logged[0]!, /unexpected reply/)
    }).pipe(Effect.scoped)
  )
})
