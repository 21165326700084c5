/**
 * A {@link CircuitBreakerStore.Store} in Redis, so that every process of a fleet shares its
 * circuits: they open together and a half-open circuit sends one probe for the whole fleet. Also
 * the guarded {@link RedisConnection} the fleet stores share (this store and the rate limiter's):
 * every command is bounded by a short timeout, and while Redis is unreachable or answers garbage
 * the stores fall back to memory, warn once, and go back to Redis when a health check succeeds.
 *
 * Import it from `@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis`; it needs the
 * `ioredis` package (an optional peer dependency).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { Redis, RedisOptions } from "ioredis"
import * as CircuitBreakerStore from "../CircuitBreakerStore.js"
import * as connection from "../internal/connection.js"
import * as internal from "../internal/redisStore.js"

// -----------------------------------------------------------------------------
// Connection
// -----------------------------------------------------------------------------

/**
 * A Redis client behind a guard. `run(command, decode, fallback)` sends `command`; when Redis is
 * marked down, or the command fails, times out, or its reply does not `decode` (decode returns
 * `undefined`), it runs `fallback` instead, marks Redis down, warns (at most once a minute) and
 * starts a health check (`PING` on a `Schedule`) that marks it up again. `healthy` tells which
 * side answers now.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Effect } from "effect"
 *
 * const size = Effect.flatMap(CircuitBreakerRedis.RedisConnection, (connection: CircuitBreakerRedis.Connection) =>
 *   connection.run(
 *     (redis) => redis.dbsize(),
 *     (reply) => (typeof reply === "number" ? reply : undefined),
 *     Effect.succeed(0)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Connection {
  readonly redis: Redis
  readonly healthy: Effect.Effect<boolean>
  readonly run: <A>(
    command: (redis: Redis) => Promise<unknown>,
    decode: (reply: unknown) => A | undefined,
    fallback: Effect.Effect<A>
  ) => Effect.Effect<A>
}

/**
 * The guarded connection shared by the fleet stores of one process.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Effect } from "effect"
 *
 * const up = Effect.flatMap(CircuitBreakerRedis.RedisConnection, (connection) => connection.healthy)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class RedisConnection extends Context.Tag("@claude-resilience/circuit-breaker/RedisConnection")<
  RedisConnection,
  Connection
>() {}

/**
 * How to reach Redis and how patient to be.
 *
 * - `url`: `redis://[:password@]host:port[/db]`, plain or `Redacted`; default
 *   `redis://127.0.0.1:6379`. Never logged.
 * - `client`: an `ioredis` client of your own instead (not closed by the layer; give it
 *   `enableOfflineQueue: false` so commands fail fast while disconnected).
 * - `commandTimeout`: bound on every command; default 500 ms.
 * - `connectTimeout`: how long building the layer waits for a first connection before starting
 *   on the fallback; default 1 s.
 * - `healthCheck`: when to `PING` while down; default exponential from 100 ms, at most 5 s apart.
 * - `redisOptions`: more `ioredis` options for the client the layer makes.
 *
 * @example
 * ```ts
 * import type * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 *
 * const options: CircuitBreakerRedis.ConnectionOptions = { url: "redis://127.0.0.1:6379", commandTimeout: "250 millis" }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface ConnectionOptions {
  readonly url?: string | Redacted.Redacted<string> | undefined
  readonly client?: Redis | undefined
  readonly commandTimeout?: Duration.DurationInput | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly healthCheck?: Schedule.Schedule<unknown, unknown> | undefined
  readonly redisOptions?: RedisOptions | undefined
}

/**
 * Builds a guarded connection; a client it made is closed with the scope.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const connection = yield* CircuitBreakerRedis.makeConnection({ url: "redis://127.0.0.1:6379" })
 *   return yield* connection.healthy
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeConnection: (options: ConnectionOptions) => Effect.Effect<Connection, never, Scope.Scope> =
  connection.make

/**
 * Provides a guarded connection. Building it never fails: with Redis unreachable it starts on
 * the fallback.
 *
 * @example
 * ```ts
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 *
 * const connection = CircuitBreakerRedis.layerConnection({ url: "redis://127.0.0.1:6379" })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConnection = (options: ConnectionOptions): Layer.Layer<RedisConnection> =>
  Layer.scoped(RedisConnection, connection.make(options))

// -----------------------------------------------------------------------------
// Store
// -----------------------------------------------------------------------------

/**
 * How circuits are kept in Redis.
 *
 * - `prefix`: of every key; default `"claude-resilience:circuit:"`. One key per circuit, a
 *   string holding the JSON of its `Entry`.
 * - `ttl`: a circuit not changed for this long expires (comes back closed); default 1 hour. An
 *   open circuit lives at least until it may probe, an isolated one at least a day.
 * - `probeTtl`: a half-open circuit with a probe out expires after this (so a process that died
 *   mid-probe cannot hold the fleet's circuit); default 10 minutes.
 * - `memory`: bounds of the in-memory fallback used while Redis is down.
 *
 * @example
 * ```ts
 * import type * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 *
 * const options: CircuitBreakerRedis.StoreOptions = { prefix: "myapp:circuit:", ttl: "30 minutes" }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface StoreOptions {
  readonly prefix?: string | undefined
  readonly ttl?: Duration.DurationInput | undefined
  readonly probeTtl?: Duration.DurationInput | undefined
  readonly memory?: CircuitBreakerStore.MemoryOptions | undefined
}

/**
 * Builds the store over the {@link RedisConnection} in context. Each `modify` reads the circuit,
 * applies the breaker's pure transition and writes it back with an atomic compare-and-set (a Lua
 * script); a lost race re-runs the transition on the value that won.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* CircuitBreakerRedis.make({ prefix: "myapp:circuit:" })
 *   return yield* store.modify("claude-sonnet-4-6", (entry) => [entry.status, entry] as const)
 * }).pipe(Effect.provide(CircuitBreakerRedis.layerConnection({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options?: StoreOptions): Effect.Effect<CircuitBreakerStore.Store, never, RedisConnection> =>
  Effect.flatMap(RedisConnection, (connection) => internal.make(connection, options))

/**
 * Provides the Redis store over the {@link RedisConnection} in context.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import * as CircuitBreakerRedis from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(
 *   Layer.provide(CircuitBreakerRedis.layer()),
 *   Layer.provide(CircuitBreakerRedis.layerConnection({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options?: StoreOptions
): Layer.Layer<CircuitBreakerStore.CircuitBreakerStore, never, RedisConnection> =>
  Layer.effect(CircuitBreakerStore.CircuitBreakerStore, make(options))
