import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type { Connection, ConnectionOptions } from "../CircuitBreakerStore/Redis.js"

/** @internal */
export const DEFAULT_COMMAND_TIMEOUT: Duration.Duration = Duration.millis(500)

/** @internal */
export const DEFAULT_CONNECT_TIMEOUT: Duration.Duration = Duration.seconds(1)

/** Exponential from 100 ms, at most 5 s apart. @internal */
export const defaultHealthCheck: Schedule.Schedule<unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.union(Schedule.spaced("5 seconds"))
)

class RedisFailure {
  constructor(readonly reason: string) {}
}

const reasonOf = (cause: unknown): string => {
  const text = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "unexpected reply"
  // ioredis messages name hosts and commands, never the password; keep them short anyway.
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

const millis = (input: Duration.DurationInput): number => Math.max(1, Duration.toMillis(Duration.decode(input)))

/** Resolves when the client is ready, or after `timeout` ms (then the guard starts in fallback). */
const waitReady = (redis: Redis, timeout: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (redis.status === "ready") return resume(Effect.succeed(true))
    const done = (ready: boolean) => {
      clearTimeout(timer)
      redis.off("ready", onReady)
      resume(Effect.succeed(ready))
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), timeout)
    redis.on("ready", onReady)
    return Effect.sync(() => {
      clearTimeout(timer)
      redis.off("ready", onReady)
    })
  })

/** @internal */
export const make = (options: ConnectionOptions): Effect.Effect<Connection, never, Scope.Scope> =>
  Effect.gen(function* () {
    const commandTimeout = millis(options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT)
    const connectTimeout = millis(options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT)
    const healthCheck = options.healthCheck ?? defaultHealthCheck
    const scope = yield* Effect.scope

    const redis =
      options.client ??
      (yield* Effect.acquireRelease(
        Effect.sync(() => {
          const url = options.url === undefined ? "redis://127.0.0.1:6379" : options.url
          const client = new Redis(Redacted.isRedacted(url) ? Redacted.value(url) : url, {
            // Fail at once instead of queueing while disconnected: the guard falls back to memory.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            connectTimeout,
            commandTimeout,
            retryStrategy: (times: number) => Math.min(times * 200, 2_000),
            ...options.redisOptions
          })
          // The guard reports outages (once each); without a listener ioredis prints every error.
          client.on("error", () => undefined)
          return client
        }),
        (client) => Effect.sync(() => client.disconnect())
      ))

    // A flapping server (or one that keeps answering garbage) warns once a minute, not per outage.
    const state = { up: true, checking: false, warnedAt: Number.NEGATIVE_INFINITY }
    const bounded: <A>(effect: Effect.Effect<A, RedisFailure>) => Effect.Effect<A, RedisFailure> =
      options.client === undefined
        ? identity
        : // ioredis' own commandTimeout bounds a command on a client we made; this bounds any client.
          Effect.timeoutFail({
            duration: commandTimeout,
            onTimeout: () => new RedisFailure(`no reply within ${commandTimeout} ms`)
          })

    const ping: Effect.Effect<void, RedisFailure> = Effect.tryPromise({
      try: () => redis.ping(),
      catch: (cause) => new RedisFailure(reasonOf(cause))
    }).pipe(
      Effect.filterOrFail(
        (reply) => reply === "PONG",
        () => new RedisFailure("unexpected reply to PING")
      ),
      Effect.timeoutFail({ duration: commandTimeout, onTimeout: () => new RedisFailure("PING timed out") })
    )

    const recover: Effect.Effect<void> = Effect.retry(ping, healthCheck).pipe(
      Effect.zipRight(
        Effect.suspend(() => {
          state.up = true
          state.checking = false
          return Effect.logInfo("Redis answers again; shared state resumes")
        })
      ),
      Effect.catchAll(() => Effect.sync(() => (state.checking = false))),
      Effect.annotateLogs({ component: "redis" })
    )

    const markDown = (reason: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (!state.up) return Effect.void
        state.up = false
        const message = `Redis unavailable (${reason}); using in-memory state until it answers again`
        const logged = Effect.flatMap(
          Effect.clockWith((clock) => clock.currentTimeMillis),
          (now) => {
            if (now - state.warnedAt < 60_000) return Effect.logDebug(message)
            state.warnedAt = now
            return Effect.logWarning(message)
          }
        ).pipe(Effect.annotateLogs({ component: "redis" }))
        if (state.checking) return logged
        state.checking = true
        // Callers may be uninterruptible (a limiter taking tokens): the check must not inherit that,
        // or closing the scope would wait for Redis forever.
        return Effect.zipRight(logged, Effect.asVoid(Effect.forkIn(Effect.interruptible(recover), scope)))
      })

    if (options.client === undefined && !(yield* waitReady(redis, connectTimeout))) {
      yield* markDown(`no connection within ${connectTimeout} ms`)
    }

    const connection: Connection = {
      redis,
      healthy: Effect.sync(() => state.up),
      run: <A>(
        command: (redis: Redis) => Promise<unknown>,
        decode: (reply: unknown) => A | undefined,
        fallback: Effect.Effect<A>
      ): Effect.Effect<A> =>
        Effect.suspend(() => {
          if (!state.up) return fallback
          return bounded(
            Effect.tryPromise({ try: () => command(redis), catch: (cause) => new RedisFailure(reasonOf(cause)) })
          ).pipe(
            Effect.flatMap((reply) => {
              const decoded = decode(reply)
              return decoded === undefined ? Effect.fail(new RedisFailure("unexpected reply")) : Effect.succeed(decoded)
            }),
            Effect.catchAll((failure) => Effect.zipRight(markDown(failure.reason), fallback))
          )
        })
    }
    return connection
  })
