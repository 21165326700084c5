/**
 * The in-memory {@link CircuitBreakerStore}: one `Ref` per key, for a single process.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CircuitBreakerStore, type Store } from "../CircuitBreaker.js"
import * as internal from "../internal/memory.js"

/**
 * Builds an empty in-memory store.
 *
 * @example
 * ```ts
 * import { CircuitBreakerMemory } from "@claude-resilience/circuit-breaker"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* CircuitBreakerMemory.make
 *   return yield* store.modify("claude-sonnet-4-5", (entry) => [entry.status, entry] as const) // "Closed"
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: Effect.Effect<Store> = internal.make

/**
 * Provides an empty in-memory store.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitBreakerMemory } from "@claude-resilience/circuit-breaker"
 * import { Layer } from "effect"
 *
 * const live = CircuitBreaker.layerWithoutStore().pipe(Layer.provide(CircuitBreakerMemory.layer))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer: Layer.Layer<CircuitBreakerStore> = Layer.effect(CircuitBreakerStore, internal.make)
