/**
 * The rate limiter of a fleet: several OS processes whose `Claude` share one Redis (the limiter's
 * buckets and the breaker's circuits, `QuotaRedis.layerFleet`) against one FakeClaude enforcing
 * one organisation's limits; and a Redis killed mid-run. Real `redis-server` (vitest.redis.ts).
 */
import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import { Claude } from "@claude-resilience/client"
import { LimitKey } from "@claude-resilience/rate-limit"
import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Redacted, Ref, Schedule } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { inject } from "vitest"
import { startRedisServer } from "../../../vitest.redis.js"
import { clockScale, limits, model, type Outcome, rateLimit, saturate, served } from "./fleet.js"

const fixture = fileURLToPath(new URL("./fixtures/fleetCaller.ts", import.meta.url))
const root = path.resolve(path.dirname(fixture), "../../../..")

let counter = 0
const uniquePrefix = (name: string) => `test:client:${name}:${process.pid}:${Date.now().toString(36)}:${counter++}:`

/** A child process of the fleet, ready (its layer built, Redis connected) when this succeeds. */
const spawnCaller = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess, Error>((resume) => {
      const child = fork(fixture, [...args], {
        cwd: root,
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "ignore", "inherit", "ipc"]
      })
      child.once("message", () => resume(Effect.succeed(child)))
      child.once("exit", (code) => resume(Effect.fail(new Error(`fleet caller exited (${code}) before it was ready`))))
    }),
    (child) => Effect.sync(() => (child.exitCode === null ? void child.kill() : undefined))
  )

/** Tells a ready child to go for `durationMs`; its outcome. */
const run = (child: ChildProcess, durationMs: number) =>
  Effect.async<Outcome, Error>((resume) => {
    child.once("message", (message: { readonly outcome: Outcome }) => resume(Effect.succeed(message.outcome)))
    child.once("exit", (code) => resume(Effect.fail(new Error(`fleet caller exited (${code}) while running`))))
    child.send({ go: durationMs })
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

describe("the rate limiter of a fleet (Redis)", () => {
  it.live(
    "three processes sharing one Redis never exceed the organisation's limits: ≤ 1 % of attempts answered 429",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const prefix = uniquePrefix("fleet")
        const args = [fake.url, fake.apiKey, inject("redisUrl"), prefix, "8"]
        const children = yield* Effect.all([spawnCaller(args), spawnCaller(args), spawnCaller(args)], {
          concurrency: "unbounded"
        })
        const outcomes = yield* Effect.all(
          children.map((child) => run(child, 3_000)),
          { concurrency: "unbounded" }
        )
        const use = served(yield* fake.requests, limits, clockScale, 3_000)
        const summary = JSON.stringify({ outcomes, use })
        for (const outcome of outcomes) assert.deepStrictEqual(outcome.failures, {}, summary)
        assert.isAtLeast(use.attempts, 30, summary)
        assert.isAtMost(use.status429, Math.ceil(use.attempts * 0.01), summary)
        // shared buckets: what was served stays within what the limit allows over the run
        assert.isAtMost(use.outputTokens.served, use.outputTokens.allowed + 1_024, summary)
      }).pipe(Effect.provide(FakeClaude.layer({ clockScale, rateLimits: limits })), Effect.scoped),
    90_000
  )

  it.live(
    "Redis killed mid-run: calls go on (each process alone, in memory), nothing hangs, Redis is used again once back",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => startRedisServer()),
          (s) => Effect.promise(() => s.stop())
        )
        const prefix = uniquePrefix("outage")
        const { logger, warnings } = yield* capture
        const connection = CircuitBreakerRedis.layerConnection({
          url: server.url,
          commandTimeout: "300 millis",
          healthCheck: Schedule.spaced("100 millis")
        })
        const live = Claude.layerWithoutStores({
          apiKey: Redacted.make(fake.apiKey),
          baseURL: fake.url,
          rateLimit
        }).pipe(
          Layer.provide(
            Layer.merge(QuotaRedis.layer({ prefix }), CircuitBreakerRedis.layer({ prefix: `${prefix}circuit:` }))
          ),
          Layer.provideMerge(connection)
        )
        const key = LimitKey.make(Redacted.make(fake.apiKey), model)
        yield* Effect.gen(function* () {
          const c = yield* CircuitBreakerRedis.RedisConnection
          // every phase must end: far above the 300 ms command timeout
          const busy = (durationMs: number) =>
            saturate({ callers: 8, durationMs }).pipe(
              Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("calls hung") })
            )
          assert.deepStrictEqual((yield* busy(800)).failures, {})
          assert.isTrue(yield* c.healthy)
          assert.strictEqual(yield* Effect.promise(() => c.redis.exists(`${prefix}${key.id}`)), 1)

          yield* Effect.promise(() => server.stop())
          const down = yield* busy(800)
          assert.deepStrictEqual(down.failures, {})
          assert.isAbove(down.ok, 0)
          assert.isFalse(yield* c.healthy)

          yield* Effect.promise(() => server.start())
          yield* Effect.repeat(Effect.zipRight(busy(100), c.healthy), {
            until: (up) => up,
            schedule: Schedule.spaced("100 millis")
          }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("Redis never came back") }))
          assert.deepStrictEqual((yield* busy(500)).failures, {})
          // the restarted server (no persistence) holds the key's buckets again
          assert.strictEqual(yield* Effect.promise(() => c.redis.exists(`${prefix}${key.id}`)), 1)
        }).pipe(Effect.provide(live), Effect.provide(logger))
        const logged = yield* Ref.get(warnings)
        assert.isAtLeast(logged.length, 1)
        assert.isTrue(
          logged.some((w) => /Redis unavailable/.test(w)),
          logged.join("\n")
        )
        for (const w of logged) assert.notInclude(w, fake.apiKey)
      }).pipe(Effect.provide(FakeClaude.layer({ clockScale, rateLimits: limits })), Effect.scoped),
    60_000
  )
})
