/**
 * Which models accept a prefill: overrides first, then `@claude-resilience/api`'s `Model` table
 * (and its rule for unknown ids), and what was learned in a `Ref`.
 *
 * @internal
 */
import { Model } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as PrefillSupport from "../PrefillSupport.js"

/** The longest matching override: exact ids, or prefixes ending in `*`. */
const lookup = (overrides: PrefillSupport.Overrides, model: string): Model.ResumeMode | undefined => {
  let best: Model.ResumeMode | undefined
  let length = -1
  for (const [pattern, mode] of Object.entries(overrides)) {
    const prefix = pattern.endsWith("*") ? pattern.slice(0, -1) : undefined
    const matches = prefix !== undefined ? model.startsWith(prefix) : model === pattern
    const size = prefix !== undefined ? prefix.length : Number.MAX_SAFE_INTEGER
    if (matches && size > length) {
      best = mode
      length = size
    }
  }
  return best
}

/** @internal */
export const known = (model: string, overrides: PrefillSupport.Overrides = {}): Model.ResumeMode =>
  lookup(overrides, model) ?? Model.resumeMode(model)

/** @internal */
export const make = (options: PrefillSupport.Options = {}): Effect.Effect<PrefillSupport.Service> =>
  Effect.gen(function* () {
    const overrides = options.overrides ?? {}
    const learned = yield* Ref.make<ReadonlyMap<string, Model.ResumeMode>>(new Map())
    return {
      resumeMode: (model) => Effect.map(Ref.get(learned), (map) => map.get(model) ?? known(model, overrides)),
      learnRejection: (model) =>
        Ref.modify(learned, (map) =>
          map.get(model) === "continuation" ? [false, map] : [true, new Map([...map, [model, "continuation" as const]])]
        ),
      learned: Ref.get(learned)
    }
  })
