/**
 * The limiter's buckets in Redis, shared by every process of a fleet, and the one layer that
 * puts a fleet's limiter and circuit breaker on one Redis.
 *
 * Each limit key is one Redis hash; every operation (take all three buckets or none, give back,
 * learn from headers, pause, read) is one Lua script, so it is atomic however many processes
 * share the key, and renews the hash's TTL, so idle keys disappear. Commands go through the
 * guarded `RedisConnection` of `@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis`:
 * bounded by a short timeout, and while Redis is unreachable or answers garbage the store works
 * in memory (warning once) until a health check finds Redis again.
 *
 * Why not `@effect/experimental`'s `RateLimiter` Redis store: it takes one bucket per call (no
 * all-or-nothing admission over three), has no way to give tokens back (reconciliation), takes
 * its limit from each call instead of learning it, has no pause, and its keys never expire. Its
 * shape — a store tag, a memory layer, a Redis module with `ioredis` `defineCommand` scripts and
 * the time passed in from `Clock` — is the one followed here.
 *
 * Import it from `@claude-resilience/rate-limit/QuotaStore/Redis`; it needs `ioredis` (an
 * optional peer dependency).
 *
 * @since 0.1.0
 */
import type { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "../internal/redis.js"
import * as QuotaStore from "../QuotaStore.js"

/**
 * How buckets are kept in Redis.
 *
 * - `prefix`: of every key; default `"claude-resilience:quota:"`. One hash per limit key.
 * - `keyTtl`: a key not used for this long expires (its buckets would be full by then; its
 *   learned limits are learned again); default 24 hours.
 * - `memory`: bounds of the in-memory fallback used while Redis is down.
 *
 * @example
 * ```ts
 * import type * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 *
 * const options: QuotaRedis.StoreOptions = { prefix: "myapp:quota:", keyTtl: "6 hours" }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface StoreOptions {
  readonly prefix?: string | undefined
  readonly keyTtl?: Duration.DurationInput | undefined
  readonly memory?: QuotaStore.MemoryOptions | undefined
}

/**
 * Builds the store over the `RedisConnection` in context.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* QuotaRedis.make({ prefix: "myapp:quota:" })
 *   return yield* store.take("k", { requests: 1, inputTokens: 10, outputTokens: 10 }, {}, Date.now())
 * }).pipe(Effect.provide(CircuitBreakerRedis.layerConnection({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  options?: StoreOptions
): Effect.Effect<QuotaStore.Store, never, CircuitBreakerRedis.RedisConnection> =>
  Effect.flatMap(CircuitBreakerRedis.RedisConnection, (connection) => internal.make(connection, options))

/**
 * Provides the Redis store over the `RedisConnection` in context.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Quota } from "@claude-resilience/rate-limit"
 * import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 * import { Layer } from "effect"
 *
 * const live = Quota.layerWithoutStore().pipe(
 *   Layer.provide(QuotaRedis.layer()),
 *   Layer.provide(CircuitBreakerRedis.layerConnection({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options?: StoreOptions
): Layer.Layer<QuotaStore.QuotaStore, never, CircuitBreakerRedis.RedisConnection> =>
  Layer.effect(QuotaStore.QuotaStore, make(options))

/**
 * Options of {@link layerFleet}: the connection's, plus each store's.
 *
 * @example
 * ```ts
 * import type * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 *
 * const options: QuotaRedis.FleetOptions = { url: "redis://10.0.0.5:6379", quota: { prefix: "myapp:quota:" } }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface FleetOptions extends CircuitBreakerRedis.ConnectionOptions {
  readonly quota?: StoreOptions | undefined
  readonly circuitBreaker?: CircuitBreakerRedis.StoreOptions | undefined
}

/**
 * The limiter's and the circuit breaker's stores on one guarded Redis connection: provide it
 * under `Quota.layerWithoutStore` and `CircuitBreaker.layerWithoutStore` and every process using
 * the same Redis shares its rate limits and its circuits. Building it never fails; with Redis
 * down both stores start in memory.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Quota } from "@claude-resilience/rate-limit"
 * import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 * import { Layer, Redacted } from "effect"
 *
 * const fleet = Layer.mergeAll(Quota.layerWithoutStore(), CircuitBreaker.layerWithoutStore()).pipe(
 *   Layer.provide(QuotaRedis.layerFleet({ url: Redacted.make("redis://:secret@10.0.0.5:6379") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerFleet = (
  options: FleetOptions = {}
): Layer.Layer<QuotaStore.QuotaStore | CircuitBreakerStore.CircuitBreakerStore> =>
  Layer.merge(layer(options.quota), CircuitBreakerRedis.layer(options.circuitBreaker)).pipe(
    Layer.provide(CircuitBreakerRedis.layerConnection(options))
  )
