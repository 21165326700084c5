/** Redis for this package's tests: the server of the run (see vitest.redis.ts), a key prefix per test. */
import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import { Effect, type Layer, Schedule } from "effect"
import { inject } from "vitest"

let counter = 0

/** A prefix no other test (or earlier run) uses. */
export const uniquePrefix = (name: string): string =>
  `test:${name}:${process.pid}:${Date.now().toString(36)}:${counter++}:`

export const redisUrl = (): string => inject("redisUrl")

/** A guarded connection to `url` (the run's server by default), patient enough for a busy CI box. */
export const connection = (
  options: Partial<CircuitBreakerRedis.ConnectionOptions> = {}
): Layer.Layer<CircuitBreakerRedis.RedisConnection> =>
  CircuitBreakerRedis.layerConnection({
    url: redisUrl(),
    commandTimeout: "2 seconds",
    connectTimeout: "5 seconds",
    healthCheck: Schedule.spaced("100 millis"),
    ...options
  })

/** Deletes every key under `prefix`. */
export const cleanup = (prefix: string) =>
  Effect.flatMap(CircuitBreakerRedis.RedisConnection, (c) =>
    Effect.promise(async () => {
      const keys = await c.redis.keys(`${prefix}*`)
      if (keys.length > 0) await c.redis.del(...keys)
    })
  )

/** Whether the connection in context answers from Redis (not from the fallback). */
export const healthy = Effect.flatMap(CircuitBreakerRedis.RedisConnection, (c) => c.healthy)
