/**
 * The organisation's rate limits, kept on this side of the wire: every attempt is admitted
 * against the three token buckets of its {@link LimitKey} — requests, input tokens and output
 * tokens per minute — before it is sent. Limits come from configuration and from the
 * `anthropic-ratelimit-*` headers of every response; output reservations are reconciled with the
 * real usage; a 429 with `retry-after` pauses the whole key. Waiting is FIFO per key with a
 * priority lane, interruptible, and bounded by a wait budget.
 *
 * Named `Quota` so that it does not clash with Effect's own `RateLimiter` (a per-process limiter
 * of effects), which it is not: it admits API attempts against limits the server enforces.
 *
 * @since 0.1.0
 */
import type { ClaudeError, ResponseHeaders } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"
import * as internalMetrics from "./internal/metrics.js"
import * as internal from "./internal/quota.js"
import type { LimitKey } from "./LimitKey.js"
import * as QuotaStore from "./QuotaStore.js"

/**
 * Brands the limiter service.
 *
 * @example
 * ```ts
 * import { Quota } from "@claude-resilience/rate-limit"
 *
 * const isQuota = (u: object) => Quota.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export const TypeId: unique symbol = Symbol.for("@claude-resilience/rate-limit/Quota")

/**
 * The type of {@link TypeId}.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * type Branded = { readonly [K in Quota.TypeId]: Quota.TypeId }
 * ```
 *
 * @since 0.1.0
 * @category Type IDs
 */
export type TypeId = typeof TypeId

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * `interactive` attempts (the default) go ahead of every `background` one waiting on the same key.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const nightly: Quota.Priority = "background"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Priority = "interactive" | "background"

/**
 * One attempt to admit.
 *
 * - `key`: its limit key (`LimitKey.make(apiKey, model)`).
 * - `inputTokens`: the estimated input tokens (`input_tokens + cache_creation_input_tokens`; cache
 *   reads do not count).
 * - `outputTokens`: the output reservation: `max_tokens`, or `reservation(key, max_tokens)`.
 * - `priority`: default from {@link Options} (`interactive`).
 * - `maxWait`: the longest this attempt may wait (the caller's remaining retry budget); default
 *   from {@link Options} (1 minute). An attempt that cannot be admitted within it fails at once
 *   with `QuotaExceededError`.
 *
 * @example
 * ```ts
 * import { LimitKey, type Quota } from "@claude-resilience/rate-limit"
 * import { Redacted } from "effect"
 *
 * const request: Quota.Request = {
 *   key: LimitKey.make(Redacted.make("sk-ant-api03-example"), "claude-sonnet-4-6"),
 *   inputTokens: 1_200,
 *   outputTokens: 1_024,
 *   maxWait: "30 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Request {
  readonly key: LimitKey
  readonly inputTokens: number
  readonly outputTokens: number
  readonly priority?: Priority | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * What an attempt really used; a missing figure counts as reserved.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const usage: Quota.Usage = { inputTokens: 1_180, outputTokens: 212 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Usage {
  readonly inputTokens?: number | undefined
  readonly outputTokens?: number | undefined
}

/**
 * An admitted attempt's tokens. Close it once (later calls do nothing):
 *
 * - `settle(usage)` with the response's usage: what was reserved and not used goes back into
 *   the buckets (an unused output reservation, mostly); more than reserved is charged.
 * - `refund` when the attempt never reached the API (a breaker rejected it, the connection was
 *   refused): everything goes back.
 *
 * A permit not closed by the end of `withPermit` (or of the scope of `admit`) is settled as it
 * was reserved after a success, and with no output tokens after a failure or interruption.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const done = (permit: Quota.Permit, output: number) => permit.settle({ outputTokens: output })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Permit {
  readonly key: LimitKey
  readonly reserved: QuotaStore.Need
  readonly waited: Duration.Duration
  readonly settle: (usage: Usage) => Effect.Effect<void>
  readonly refund: Effect.Effect<void>
}

/**
 * A key's state: its buckets as the store has them now and the attempts this process has queued.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const rpm = (state: Quota.KeyState) => state.buckets.requests?.capacity
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface KeyState extends QuotaStore.View {
  readonly queued: number
}

/**
 * Limits known up front, per refill window (default 1 minute, as the API counts; shorter for a
 * FakeClaude with a `clockScale`). Headers correct them as responses arrive.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const tier1: Quota.Limits = { requestsPerMinute: 50, inputTokensPerMinute: 30_000, outputTokensPerMinute: 8_000 }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface Limits {
  readonly requestsPerMinute?: number | undefined
  readonly inputTokensPerMinute?: number | undefined
  readonly outputTokensPerMinute?: number | undefined
  readonly window?: Duration.DurationInput | undefined
}

/**
 * How the limiter behaves.
 *
 * - `limits`: known limits, for every key or per rate-limit class; default none (every bucket is
 *   learned from the first response that reports it; until then that bucket admits everything).
 * - `maxWait`: default wait budget of an attempt; default 1 minute.
 * - `priority`: default priority; `interactive`.
 * - `outputReservation`: `"maxTokens"` (default) has callers reserve `max_tokens`, as the API
 *   itself counts an answer in flight; `"learned"` makes `reservation` answer a learned estimate
 *   of the key's answers (mean + 3 deviations, at most `max_tokens`) after five settled ones.
 *
 * @example
 * ```ts
 * import type { Quota } from "@claude-resilience/rate-limit"
 *
 * const options: Quota.Options = {
 *   limits: (rateLimitClass) => (rateLimitClass === "haiku-4-5" ? { requestsPerMinute: 100 } : undefined),
 *   maxWait: "2 minutes"
 * }
 * ```
 *
 * @since 0.1.0
 * @category Options
 */
export interface Options {
  readonly limits?: Limits | ((rateLimitClass: string) => Limits | undefined) | undefined
  readonly maxWait?: Duration.DurationInput | undefined
  readonly priority?: Priority | undefined
  readonly outputReservation?: "maxTokens" | "learned" | undefined
}

/**
 * The limiter.
 *
 * - `withPermit(request, use)`: waits for admission, runs `use(permit)`, and closes the permit on
 *   exit if `use` did not. Fails with `QuotaExceededError` when the request cannot be admitted
 *   within `maxWait` — at once when that is known up front.
 * - `admit(request)`: the same permit, closed when the scope closes (for streams).
 * - `observe(key, headers, status?)`: learns from a response's headers (call it for every
 *   response, errors included); with `status` 429, counts it and pauses the key for its
 *   `retry-after`.
 * - `observeError(key, error)`: the same from a `ClaudeError` (its `rateLimit` snapshot and, for a
 *   `RateLimitError`, its `retryAfter`).
 * - `pause(key, duration)`: no admission on the key for `duration` (at most an hour), in every
 *   process sharing the store.
 * - `reservation(key, maxTokens)`: the output reservation to ask for.
 * - `state(key)`: the key's buckets and queue.
 *
 * @example
 * ```ts
 * import { LimitKey, Quota } from "@claude-resilience/rate-limit"
 * import { Effect, Redacted } from "effect"
 *
 * const key = LimitKey.make(Redacted.make("sk-ant-api03-example"), "claude-haiku-4-5")
 * const program = Effect.gen(function* () {
 *   const quota = yield* Quota.Quota
 *   return yield* quota.withPermit({ key, inputTokens: 100, outputTokens: 512 }, (permit) =>
 *     Effect.as(permit.settle({ inputTokens: 100, outputTokens: 40 }), "sent")
 *   )
 * }).pipe(Effect.provide(Quota.layer({ limits: { requestsPerMinute: 50 } })))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly [TypeId]: TypeId
  readonly withPermit: <A, E, R>(
    request: Request,
    use: (permit: Permit) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ClaudeError.QuotaExceededError, R>
  readonly admit: (request: Request) => Effect.Effect<Permit, ClaudeError.QuotaExceededError, Scope.Scope>
  readonly observe: (
    key: LimitKey,
    headers: ResponseHeaders.HeadersInput,
    status?: number | undefined
  ) => Effect.Effect<void>
  readonly observeError: (key: LimitKey, error: ClaudeError.ClaudeError) => Effect.Effect<void>
  readonly pause: (key: LimitKey, duration: Duration.DurationInput) => Effect.Effect<void>
  readonly reservation: (key: LimitKey, maxTokens: number) => number
  readonly state: (key: LimitKey) => Effect.Effect<KeyState>
}

/**
 * The limiter service.
 *
 * @example
 * ```ts
 * import { Quota } from "@claude-resilience/rate-limit"
 * import { Effect } from "effect"
 *
 * const quota = Effect.map(Quota.Quota, (service: Quota.Service) => service)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class Quota extends Context.Tag("@claude-resilience/rate-limit/Quota")<Quota, Service>() {}

// -----------------------------------------------------------------------------
// Metrics
// -----------------------------------------------------------------------------

/**
 * The limiter's metrics, tagged with `key` (the limit key's id: a fingerprint, never the API key):
 *
 * - `waited`: histogram of the time admitted attempts waited (ms; 0 on the fast path).
 * - `queueDepth`: gauge of attempts waiting in this process.
 * - `limit`: gauge of the limits learned from headers, tagged `bucket`.
 * - `admissions`: counter, tagged `outcome` (`admitted` / `rejected`).
 * - `rateLimited`: counter of 429 answers observed.
 *
 * @example
 * ```ts
 * import { Quota } from "@claude-resilience/rate-limit"
 * import { Metric } from "effect"
 *
 * const admitted = Metric.value(Metric.tagged(Quota.metrics.admissions, "outcome", "admitted"))
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics: {
  readonly waited: Metric.Metric.Histogram<number>
  readonly queueDepth: Metric.Metric.Gauge<number>
  readonly limit: Metric.Metric.Gauge<number>
  readonly admissions: Metric.Metric.Counter<number>
  readonly rateLimited: Metric.Metric.Counter<number>
} = internalMetrics.metrics

// -----------------------------------------------------------------------------
// Constructors and layers
// -----------------------------------------------------------------------------

/**
 * Builds a limiter over the {@link QuotaStore.QuotaStore} in context.
 *
 * @example
 * ```ts
 * import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const quota = yield* Quota.make({ maxWait: "10 seconds" })
 *   return quota
 * }).pipe(Effect.provide(QuotaStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options?: Options): Effect.Effect<Service, never, QuotaStore.QuotaStore> =>
  Effect.map(QuotaStore.QuotaStore, (store) => internal.make(store, options))

/**
 * The limiter over a store provided separately (Redis, for a fleet).
 *
 * @example
 * ```ts
 * import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
 * import { Layer } from "effect"
 *
 * const live = Quota.layerWithoutStore({ maxWait: "30 seconds" }).pipe(Layer.provide(QuotaStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutStore = (options?: Options): Layer.Layer<Quota, never, QuotaStore.QuotaStore> =>
  Layer.effect(Quota, make(options))

/**
 * The limiter with its buckets in memory (one process).
 *
 * @example
 * ```ts
 * import { Quota } from "@claude-resilience/rate-limit"
 *
 * const live = Quota.layer({ limits: { requestsPerMinute: 50, outputTokensPerMinute: 8_000 } })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options?: Options): Layer.Layer<Quota> =>
  layerWithoutStore(options).pipe(Layer.provide(QuotaStore.layerMemory))
