/**
 * Which models accept an assistant prefill when a stream resumes. The defaults come from
 * `@claude-resilience/api`'s `Model` table (one table for the whole project); your overrides come
 * first; and what is learned at run time comes before both: a model that answers a prefill with
 * the API's 400 is sent none again for the life of the layer.
 *
 * @since 0.1.0
 */
import type { Model } from "@claude-resilience/api"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/prefillSupport.js"

/**
 * Your entries over the `Model` table: exact ids, or prefixes ending in `*` (`"my-proxy-model*"`
 * matches every id that starts with `my-proxy-model`). The longest matching entry wins.
 *
 * @example
 * ```ts
 * import type { PrefillSupport } from "@claude-resilience/stream"
 *
 * const overrides: PrefillSupport.Overrides = { "my-proxy-model*": "continuation" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Overrides = Readonly<Record<string, Model.ResumeMode>>

/**
 * The service: the resume mode for a model, and what it learned.
 *
 * @example
 * ```ts
 * import { PrefillSupport } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const check = Effect.flatMap(PrefillSupport.PrefillSupport, (s) => s.resumeMode("claude-sonnet-4-6"))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The learned answer if there is one, else {@link known}'s. */
  readonly resumeMode: (model: string) => Effect.Effect<Model.ResumeMode>
  /** Records that `model` refused a prefill; `true` the first time. */
  readonly learnRejection: (model: string) => Effect.Effect<boolean>
  /** The models learned so far. */
  readonly learned: Effect.Effect<ReadonlyMap<string, Model.ResumeMode>>
}

/**
 * The tag of the service. Without it in context, each stream learns for itself only.
 *
 * @example
 * ```ts
 * import { PrefillSupport, ResumableStream } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const program = ResumableStream.finalMessage({
 *   model: "claude-haiku-4-5",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }).pipe(Effect.provide(PrefillSupport.layer()))
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class PrefillSupport extends Context.Tag("@claude-resilience/stream/PrefillSupport")<
  PrefillSupport,
  Service
>() {}

/**
 * What the overrides, then `Model.resumeMode` (the `Model` table; for an unknown id, its
 * generation: 4.6 and later reject a prefill), say for a model, without learning.
 *
 * @example
 * ```ts
 * import { PrefillSupport } from "@claude-resilience/stream"
 *
 * PrefillSupport.known("claude-sonnet-4-6") // "continuation"
 * PrefillSupport.known("claude-haiku-4-5") // "prefill"
 * PrefillSupport.known("my-proxy-model-1", { "my-proxy-model*": "continuation" }) // "continuation"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const known: (model: string, overrides?: Overrides) => Model.ResumeMode = internal.known

/**
 * Options: `overrides` come before the `Model` table.
 *
 * @example
 * ```ts
 * import type { PrefillSupport } from "@claude-resilience/stream"
 *
 * const options: PrefillSupport.Options = { overrides: { "claude-sonnet-4-6": "prefill" } }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly overrides?: Overrides | undefined
}

/**
 * Builds the service; what it learns lives in a `Ref` as long as the service.
 *
 * @example
 * ```ts
 * import { PrefillSupport } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const support = yield* PrefillSupport.make()
 *   yield* support.learnRejection("my-model")
 *   return yield* support.resumeMode("my-model") // "continuation"
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: (options?: Options) => Effect.Effect<Service> = internal.make

/**
 * The service as a layer: provide it once, beside the `Claude` layer, so every stream shares what
 * was learned.
 *
 * @example
 * ```ts
 * import { PrefillSupport } from "@claude-resilience/stream"
 *
 * const PrefillSupportLive = PrefillSupport.layer({ overrides: { "my-proxy-model*": "continuation" } })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options?: Options): Layer.Layer<PrefillSupport> => Layer.effect(PrefillSupport, make(options))
