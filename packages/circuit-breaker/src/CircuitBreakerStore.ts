/**
 * Where a circuit breaker keeps its circuits: the {@link Store} interface, the JSON-encodable
 * {@link Entry} of one circuit, the {@link CircuitBreakerStore} tag, and the in-memory store. A
 * store shared by a fleet (Redis) implements the same interface.
 *
 * @since 0.1.0
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as memory from "./internal/memory.js"
import * as state from "./internal/state.js"

/**
 * The stored record of one circuit: plain data (a `Schema`, so a shared store can encode
 * it), read and replaced only through {@link Store.modify}.
 *
 * @example
 * ```ts
 * import { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Schema } from "effect"
 *
 * const json = Schema.encodeSync(Schema.parseJson(CircuitBreakerStore.Entry))(CircuitBreakerStore.initialEntry)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const Entry = Schema.Struct({
  status: ClaudeError.CircuitState,
  /** Bumped on every transition; outcomes of calls admitted under an older generation are ignored. */
  generation: Schema.Number,
  consecutiveFailures: Schema.Number,
  /** Count-based sliding window, oldest first; `true` is a failure. */
  outcomes: Schema.Array(Schema.Boolean),
  /** Time-based sliding window as buckets of `duration / buckets` millis. */
  buckets: Schema.Array(Schema.Struct({ id: Schema.Number, calls: Schema.Number, failures: Schema.Number })),
  openedAt: Schema.Number,
  until: Schema.Number,
  /** Consecutive openings without a close: selects the open duration from the schedule. */
  openings: Schema.Number,
  /** Probe calls in flight while half-open. */
  probes: Schema.Number
})

/**
 * The type of {@link Entry}.
 *
 * @example
 * ```ts
 * import type { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 *
 * const isOpen = (entry: CircuitBreakerStore.Entry) => entry.status === "Open"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Entry = typeof Entry.Type

/**
 * The record of a circuit never used: closed, no history.
 *
 * @example
 * ```ts
 * import { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 *
 * CircuitBreakerStore.initialEntry.status // "Closed"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const initialEntry: Entry = state.initial

/**
 * Where circuits live. `modify` must apply `f` atomically per key; `f` is pure and may be
 * called more than once (a shared store retries it after losing a compare-and-set). A key
 * never seen starts as {@link initialEntry}. A store decides itself what to do when its
 * backend fails, so that callers' error types do not depend on the store.
 *
 * `unsafeModify` is the same update as one synchronous step, for a store that needs no I/O (the
 * in-memory one), with the time read by the caller: the breaker's fast path. A store without it
 * (Redis) is used through `modify`.
 *
 * @example
 * ```ts
 * import type { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 *
 * const status = (store: CircuitBreakerStore.Store, key: string) =>
 *   store.modify(key, (entry) => [entry.status, entry] as const)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Store {
  readonly modify: <A>(key: string, f: (entry: Entry) => readonly [A, Entry]) => Effect.Effect<A>
  readonly keys: Effect.Effect<ReadonlyArray<string>>
  readonly unsafeModify?: (<A>(key: string, now: number, f: (entry: Entry) => readonly [A, Entry]) => A) | undefined
}

/**
 * The store the breaker keeps its circuits in. {@link layerMemory} provides one in memory;
 * `CircuitBreaker.layer` includes it.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(Layer.provide(CircuitBreakerStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export class CircuitBreakerStore extends Context.Tag("@claude-resilience/circuit-breaker/CircuitBreakerStore")<
  CircuitBreakerStore,
  Store
>() {}

/**
 * Bounds of the in-memory store, so that a process calling many distinct keys keeps a bounded
 * number of circuits.
 *
 * - `idleTtl`: an idle circuit (closed, no failure in its window, no probe running) not used for
 *   this long is forgotten; it comes back as a fresh circuit, which behaves the same. Default 10
 *   minutes.
 * - `maxEntries`: at most this many circuits. Past it the store forgets circuits down to 90 % of
 *   the bound, idle ones first, then the least recently used (to within a second), whatever their
 *   state. Default 10,000.
 *
 * @example
 * ```ts
 * import type { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 *
 * const options: CircuitBreakerStore.MemoryOptions = { idleTtl: "5 minutes", maxEntries: 1_000 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface MemoryOptions {
  readonly idleTtl?: Duration.DurationInput | undefined
  readonly maxEntries?: number | undefined
}

/**
 * Builds an empty in-memory store for a single process, with the default bounds of
 * {@link MemoryOptions} (idle circuits forgotten after 10 minutes, at most 10,000).
 *
 * @example
 * ```ts
 * import { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* CircuitBreakerStore.makeMemory
 *   return yield* store.modify("claude-sonnet-4-6", (entry) => [entry.status, entry] as const) // "Closed"
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory: Effect.Effect<Store> = memory.make()

/**
 * Builds an empty in-memory store with the given bounds.
 *
 * @example
 * ```ts
 * import { CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 *
 * const store = CircuitBreakerStore.makeMemoryWith({ idleTtl: "1 minute", maxEntries: 500 })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemoryWith: (options: MemoryOptions) => Effect.Effect<Store> = memory.make

/**
 * Provides an empty in-memory store.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(Layer.provide(CircuitBreakerStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory: Layer.Layer<CircuitBreakerStore> = Layer.effect(CircuitBreakerStore, memory.make())

/**
 * Provides an empty in-memory store with the given bounds.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(
 *   Layer.provide(CircuitBreakerStore.layerMemoryWith({ idleTtl: "5 minutes", maxEntries: 1_000 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerMemoryWith = (options: MemoryOptions): Layer.Layer<CircuitBreakerStore> =>
  Layer.effect(CircuitBreakerStore, memory.make(options))
