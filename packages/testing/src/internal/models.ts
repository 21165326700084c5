/**
 * What the server knows of models: which ids it serves, which reject an assistant prefill, and each
 * one's context window. Read from `@claude-resilience/api`'s `Model` table unless the options override
 * it, so FakeClaude answers like the API the rest of the toolkit describes.
 *
 * @internal
 */
import { Model } from "@claude-resilience/api"
import type { Options } from "../FakeClaude.js"

/** @internal */
export interface Models {
  /** whether the id is served (else 404 `not_found_error`) */
  readonly accepts: (model: string) => boolean
  /** whether a request ending in an assistant turn is refused with the API's 400 */
  readonly rejectsPrefill: (model: string) => boolean
  /** the window, in estimated input tokens, over which the prompt is too long */
  readonly contextWindow: (model: string) => number
}

/** Every id the table knows (aliases and snapshots) but those of retired models. @internal */
export const DEFAULT_MODELS: ReadonlyArray<string> = Model.ids.filter((id) => Model.unsafeGet(id)?.status !== "retired")

/** An exact id, or a prefix ending in `*`. */
const matches = (patterns: ReadonlyArray<string>) => (model: string) =>
  patterns.some((p) => (p.endsWith("*") ? model.startsWith(p.slice(0, -1)) : model === p))

/** @internal */
export const make = (options: Options): Models => {
  const models = options.models
  const rejectPrefill = options.rejectPrefill
  const window = options.contextWindow
  return {
    // the table's lookup rule also serves a new dated snapshot of a known alias; a retired id gets the API's 404
    accepts:
      models === undefined
        ? (model) => {
            const known = Model.unsafeGet(model)
            return known !== undefined && known.status !== "retired"
          }
        : (model) => models.includes(model),
    rejectsPrefill:
      rejectPrefill === undefined ? (model) => Model.resumeMode(model) === "continuation" : matches(rejectPrefill),
    contextWindow: window === undefined ? (model) => Model.contextWindow(model) : () => window
  }
}
