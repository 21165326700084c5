/**
 * Which resumption a model accepts: an assistant prefill, or only a user-turn continuation. Known
 * from a table (overridable) and learned at run time: a prefill the API refuses with its 400
 * switches that model to continuation for the life of the layer.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

/**
 * How a model can be resumed: `"prefill"` (it accepts an assistant prefill) or `"continuation"`
 * (the conversation must end with a user turn).
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 *
 * const resumption: ModelStrategy.Resumption = "continuation"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Resumption = "prefill" | "continuation"

/**
 * A table of models: exact ids, or prefixes ending in `*` (`"claude-opus-4-6*"` matches the
 * dated ids too). The longest matching entry wins.
 *
 * @example
 * ```ts
 * import type { ModelStrategy } from "@claude-resilience/stream"
 *
 * const table: ModelStrategy.Table = { "my-proxy-model*": "continuation" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Table = Readonly<Record<string, Resumption>>

/**
 * The service: the strategy for a model, and what it learned.
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const check = Effect.flatMap(ModelStrategy.ModelStrategy, (s) => s.resumptionFor("claude-opus-4-6"))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The learned answer if there is one, else the table's. */
  readonly resumptionFor: (model: string) => Effect.Effect<Resumption>
  /** Records that `model` refused a prefill; `true` the first time. */
  readonly learnRejection: (model: string) => Effect.Effect<boolean>
  /** The models learned so far. */
  readonly learned: Effect.Effect<ReadonlyMap<string, Resumption>>
}

/**
 * The tag of the service. Without it in context, each stream learns for itself only.
 *
 * @example
 * ```ts
 * import { ModelStrategy, ResumableStream } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const program = ResumableStream.finalMessage({
 *   model: "claude-opus-4-6",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }).pipe(Effect.provide(ModelStrategy.layer()))
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class ModelStrategy extends Context.Tag("@claude-resilience/stream/ModelStrategy")<ModelStrategy, Service>() {}

/**
 * The built-in table, read before the generation rule: models from the Claude 4.6 generation on
 * refuse an assistant prefill; older ones accept it. Ids this table and the rule do not cover
 * default to `"prefill"` and are learned on the first refusal.
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 *
 * const table = { ...ModelStrategy.defaultTable, "claude-sonnet-4-5*": "continuation" as const }
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const defaultTable: Table = {
  "claude-opus-4-6*": "continuation",
  "claude-sonnet-4-6*": "continuation",
  "claude-3*": "prefill"
}

const lookup = (table: Table, model: string): Resumption | undefined => {
  let best: Resumption | undefined
  let length = -1
  for (const [pattern, resumption] of Object.entries(table)) {
    const prefix = pattern.endsWith("*") ? pattern.slice(0, -1) : undefined
    const matches = prefix !== undefined ? model.startsWith(prefix) : model === pattern
    const size = prefix !== undefined ? prefix.length : Number.MAX_SAFE_INTEGER
    if (matches && size > length) {
      best = resumption
      length = size
    }
  }
  return best
}

/** `claude-<family>-<major>[-<minor>]`: the generation of an id, a date suffix read as no minor. */
const generation = (model: string): readonly [number, number] | undefined => {
  const match = /^claude-[a-z]+-(\d+)(?:-(\d+))?/.exec(model)
  if (match === null) return undefined
  const major = Number(match[1])
  const minor = match[2] !== undefined && match[2].length <= 2 ? Number(match[2]) : 0
  return [major, minor]
}

/**
 * What the table (then the generation rule, then `"prefill"`) says for a model, without learning.
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 *
 * ModelStrategy.known("claude-opus-4-6") // "continuation"
 * ModelStrategy.known("claude-sonnet-4-5-20250929") // "prefill"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const known = (model: string, table: Table = defaultTable): Resumption => {
  const listed = lookup(table, model)
  if (listed !== undefined) return listed
  const version = generation(model)
  if (version !== undefined && (version[0] > 4 || (version[0] === 4 && version[1] >= 6))) return "continuation"
  return "prefill"
}

/**
 * Options: `table` entries override (and extend) {@link defaultTable}.
 *
 * @example
 * ```ts
 * import type { ModelStrategy } from "@claude-resilience/stream"
 *
 * const options: ModelStrategy.Options = { table: { "claude-opus-4-6*": "prefill" } }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly table?: Table | undefined
}

/**
 * Builds the service; what it learns lives in a `Ref` as long as the service.
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const strategies = yield* ModelStrategy.make()
 *   yield* strategies.learnRejection("my-model")
 *   return yield* strategies.resumptionFor("my-model") // "continuation"
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.gen(function* () {
    const table: Table = { ...defaultTable, ...options.table }
    const learned = yield* Ref.make<ReadonlyMap<string, Resumption>>(new Map())
    return {
      resumptionFor: (model) => Effect.map(Ref.get(learned), (map) => map.get(model) ?? known(model, table)),
      learnRejection: (model) =>
        Ref.modify(learned, (map) =>
          map.get(model) === "continuation" ? [false, map] : [true, new Map([...map, [model, "continuation" as const]])]
        ),
      learned: Ref.get(learned)
    }
  })

/**
 * The service as a layer: provide it once, beside the `Claude` layer, so every stream shares what
 * was learned.
 *
 * @example
 * ```ts
 * import { ModelStrategy } from "@claude-resilience/stream"
 *
 * const StrategyLive = ModelStrategy.layer({ table: { "my-proxy-model*": "continuation" } })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options?: Options): Layer.Layer<ModelStrategy> => Layer.effect(ModelStrategy, make(options))
