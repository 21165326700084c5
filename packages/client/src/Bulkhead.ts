/**
 * A bulkhead: at most `maxConcurrent` calls in flight per key (the model, by default), at most
 * `maxQueue` more waiting in order for a slot; a call beyond that fails at once with
 * `ClaudeError.BulkheadRejectedError` (or after waiting `maxWait` in the queue). An interrupted
 * waiter or call always frees its slot.
 *
 * The `Claude` service runs every attempt of `create` and `countTokens` inside a slot (a stage
 * between the retry and the circuit breaker, so a wait between retries holds none) and holds one
 * slot for the whole of a stream. Off unless `Claude.Options.bulkhead` is set or a `Bulkhead`
 * layer is provided.
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/bulkhead.js"

/**
 * What the `Claude` service knows of a call when it picks the bulkhead's key: the request's model
 * and the circuit the call counts in (the model unless `circuitKey` says otherwise; the resource,
 * e.g. `"batches"`, for `Service.request`).
 *
 * @example
 * ```ts
 * import type { Bulkhead } from "@claude-resilience/client"
 *
 * const byFamily = (call: Bulkhead.Call) => call.model.split("-").slice(0, 2).join("-")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Call {
  readonly model: string
  readonly circuitKey: string
}

/**
 * Options of a bulkhead.
 *
 * | option | default |
 * |---|---|
 * | `maxConcurrent` | required: slots per key |
 * | `maxQueue` | `0`: a call that finds every slot taken is rejected at once |
 * | `maxWait` | none: a queued call waits until a slot frees (the queue is bounded by `maxQueue`) |
 * | `key` | the call's circuit key: the model for Messages calls |
 *
 * @example
 * ```ts
 * import type { Bulkhead } from "@claude-resilience/client"
 *
 * const options: Bulkhead.Options = { maxConcurrent: 16, maxQueue: 64, maxWait: "5 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly maxConcurrent: number
  readonly maxQueue?: number | undefined
  readonly maxWait?: Duration.DurationInput | undefined
  readonly key?: ((call: Call) => string) | undefined
}

/**
 * The slots of one key right now.
 *
 * @example
 * ```ts
 * import type { Bulkhead } from "@claude-resilience/client"
 *
 * const busy = (stats: Bulkhead.Stats) => stats.inFlight + stats.queued
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Stats {
  readonly inFlight: number
  readonly queued: number
}

/**
 * The bulkhead service.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const guarded = Effect.flatMap(Bulkhead.Bulkhead, (bulkhead: Bulkhead.Service) =>
 *   bulkhead.withPermit("claude-haiku-4-5", Effect.succeed("called"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly maxConcurrent: number
  readonly maxQueue: number
  readonly maxWait: Duration.Duration | undefined
  /** The key of a call of the `Claude` service. */
  readonly key: (call: Call) => string
  /** Runs `self` holding a slot of `key`, freed when it ends however it ends. */
  readonly withPermit: <A, E, R>(
    key: string,
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ClaudeError.BulkheadRejectedError, R>
  /** Takes a slot of `key` until the scope closes. */
  readonly permit: (key: string) => Effect.Effect<void, ClaudeError.BulkheadRejectedError, Scope.Scope>
  /** The slots of `key`: in flight and queued. */
  readonly stats: (key: string) => Effect.Effect<Stats>
  /** The keys with a call in flight or queued. */
  readonly keys: Effect.Effect<ReadonlyArray<string>>
}

/**
 * The bulkhead tag: provide it (e.g. {@link layer}) and the `Claude` layers built in its context
 * use it, so several clients can share one set of slots.
 *
 * @example
 * ```ts
 * import { Bulkhead, Claude } from "@claude-resilience/client"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = Claude.layer({ apiKey: Redacted.make("sk-ant-...") }).pipe(
 *   Layer.provide(Bulkhead.layer({ maxConcurrent: 32 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class Bulkhead extends Context.Tag("@claude-resilience/client/Bulkhead")<Bulkhead, Service>() {}

/**
 * Builds a bulkhead.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const bulkhead = yield* Bulkhead.make({ maxConcurrent: 2, maxQueue: 8 })
 *   return yield* bulkhead.withPermit("reports", Effect.succeed(42))
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: Options): Effect.Effect<Service> => Effect.sync(() => internal.make(options))

/**
 * A layer of one bulkhead.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "@claude-resilience/client"
 *
 * const BulkheadLive = Bulkhead.layer({ maxConcurrent: 16, maxQueue: 32, maxWait: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options): Layer.Layer<Bulkhead> => Layer.effect(Bulkhead, make(options))

/**
 * The bulkheads' metrics: `claude_bulkhead_rejections_total` (tags `key`, `reason`: `full` or
 * `timeout`) and `claude_bulkhead_queued_total` (tag `key`: calls that had to wait for a slot).
 *
 * @example
 * ```ts
 * import { Bulkhead } from "@claude-resilience/client"
 * import { Metric } from "effect"
 *
 * const rejections = Metric.value(Bulkhead.metrics.rejections)
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics: {
  readonly rejections: typeof internal.metrics.rejections
  readonly queued: typeof internal.metrics.queued
} = internal.metrics
