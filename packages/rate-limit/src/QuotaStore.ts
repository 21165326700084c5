/**
 * Where the limiter keeps its token buckets: the {@link Store} interface, its data, the
 * {@link QuotaStore} tag and the in-memory store (one process). The Redis store (a fleet) is in
 * `@claude-resilience/rate-limit/QuotaStore/Redis`.
 *
 * A store holds, per limit key, three token buckets — requests, input tokens, output tokens —
 * each with a capacity refilled continuously over a window, and the time until which the key is
 * paused. Every operation is one atomic step on one key; the time comes from the caller (the
 * limiter reads it from `Clock`), so stores never read a clock of their own.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as memory from "./internal/memory.js"

/**
 * The three buckets of a limit key, named as `ResponseHeaders.RateLimitSnapshot` names them.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const names: ReadonlyArray<QuotaStore.BucketName> = ["requests", "inputTokens", "outputTokens"]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BucketName = "requests" | "inputTokens" | "outputTokens"

/**
 * A bucket's size and how long an empty one takes to fill (continuously).
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const rpm: QuotaStore.Limit = { capacity: 50, windowMillis: 60_000 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Limit {
  readonly capacity: number
  readonly windowMillis: number
}

/**
 * The configured limits of a key: a bucket missing here is created when a response reports it,
 * with `windowMillis` as its window (default one minute).
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const limits: QuotaStore.Limits = { requests: { capacity: 50, windowMillis: 60_000 } }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Limits = { readonly [K in BucketName]?: Limit | undefined } & {
  readonly windowMillis?: number | undefined
}

/**
 * Tokens per bucket: what an attempt takes, or (signed) what a settlement gives back.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const need: QuotaStore.Need = { requests: 1, inputTokens: 1_200, outputTokens: 1_024 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Need {
  readonly requests: number
  readonly inputTokens: number
  readonly outputTokens: number
}

/**
 * What one response said about a bucket, already sanitised: `limit` ≥ 1, `remaining` within
 * [0, limit], `windowMillis` the refill window estimated from `-reset`.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const seen: QuotaStore.Observation = { outputTokens: { limit: 8_000, remaining: 0, windowMillis: 60_000 } }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Observation = {
  readonly [K in BucketName]?:
    | {
        readonly limit?: number | undefined
        readonly remaining?: number | undefined
        readonly windowMillis?: number | undefined
      }
    | undefined
}

/**
 * A key's buckets as read at `at` (epoch millis): capacity, window and level (tokens left, below
 * zero while in debt), and the end of a pause.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const outputLeft = (view: QuotaStore.View) => view.buckets.outputTokens?.level ?? Number.POSITIVE_INFINITY
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface View {
  readonly at: number
  readonly pausedUntil: number
  readonly buckets: {
    readonly [K in BucketName]?:
      | { readonly capacity: number; readonly windowMillis: number; readonly level: number }
      | undefined
  }
}

/**
 * The answer to a take: admitted (the tokens are taken from the buckets in `charged`, a bit
 * mask: 1 requests, 2 input tokens, 4 output tokens — buckets not known yet take nothing, and
 * get nothing back at settlement), or not, with how long until it would be, the bucket that is
 * short (or `paused`) and the key's state.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const waitOf = (take: QuotaStore.Take) => (take.admitted ? 0 : take.waitMillis)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Take =
  | { readonly admitted: true; readonly charged: number }
  | {
      readonly admitted: false
      readonly waitMillis: number
      readonly bucket: BucketName | "paused"
      readonly view: View
    }

/**
 * Where buckets live. Each operation is atomic per key and refills the buckets up to `now` first;
 * `limits` are the configured limits of the key (buckets the store does not know yet start
 * full from them). A store decides itself what to do when its backend fails (the Redis store
 * falls back to memory), so operations never fail. `unsafeTake`, `unsafeGive` and `unsafeLearn`
 * are the synchronous take, give and learn of a store that needs no I/O: the limiter's fast path.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const oneRequest = (store: QuotaStore.Store, key: string, now: number) =>
 *   store.take(key, { requests: 1, inputTokens: 0, outputTokens: 0 }, {}, now)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Store {
  readonly take: (key: string, need: Need, limits: Limits, now: number) => Effect.Effect<Take>
  readonly give: (key: string, amounts: Need, limits: Limits, now: number) => Effect.Effect<void>
  readonly learn: (key: string, observation: Observation, limits: Limits, now: number) => Effect.Effect<void>
  readonly pause: (key: string, until: number, now: number) => Effect.Effect<void>
  readonly view: (key: string, limits: Limits, now: number) => Effect.Effect<View>
  readonly unsafeTake?: ((key: string, need: Need, limits: Limits, now: number) => Take) | undefined
  readonly unsafeGive?: ((key: string, amounts: Need, limits: Limits, now: number) => void) | undefined
  readonly unsafeLearn?: ((key: string, observation: Observation, limits: Limits, now: number) => void) | undefined
}

/**
 * The store the limiter keeps its buckets in. {@link layerMemory} provides one in memory;
 * `Quota.layer` includes it.
 *
 * @example
 * ```ts
 * import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
 * import { Layer } from "effect"
 *
 * const live = Quota.layerWithoutStore().pipe(Layer.provide(QuotaStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class QuotaStore extends Context.Tag("@claude-resilience/rate-limit/QuotaStore")<QuotaStore, Store>() {}

/**
 * Bounds of the in-memory store: a key untouched for `keyTtl` (default 24 hours) starts afresh
 * (full buckets, limits learned again), and at most `maxKeys` keys (default 10,000) are kept,
 * the least recently used going first.
 *
 * @example
 * ```ts
 * import type { QuotaStore } from "@claude-resilience/rate-limit"
 *
 * const options: QuotaStore.MemoryOptions = { keyTtl: "1 hour", maxKeys: 1_000 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface MemoryOptions {
  readonly keyTtl?: Duration.DurationInput | undefined
  readonly maxKeys?: number | undefined
}

/**
 * Builds an empty in-memory store: a plain map of buckets, each operation one synchronous step.
 *
 * @example
 * ```ts
 * import { QuotaStore } from "@claude-resilience/rate-limit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* QuotaStore.makeMemory()
 *   return yield* store.take("k", { requests: 1, inputTokens: 10, outputTokens: 10 }, {}, 0)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory: (options?: MemoryOptions) => Effect.Effect<Store> = memory.make

/**
 * Provides an empty in-memory store with the default bounds.
 *
 * @example
 * ```ts
 * import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
 * import { Layer } from "effect"
 *
 * const live = Quota.layerWithoutStore().pipe(Layer.provide(QuotaStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory: Layer.Layer<QuotaStore> = Layer.effect(QuotaStore, memory.make())

/**
 * Provides an empty in-memory store with the given bounds.
 *
 * @example
 * ```ts
 * import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
 * import { Layer } from "effect"
 *
 * const live = Quota.layerWithoutStore().pipe(Layer.provide(QuotaStore.layerMemoryWith({ maxKeys: 100 })))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerMemoryWith = (options: MemoryOptions): Layer.Layer<QuotaStore> =>
  Layer.effect(QuotaStore, memory.make(options))
