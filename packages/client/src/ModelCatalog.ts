/**
 * The Models API with the client's resilience: the models the key may use (`list`), one model's
 * information (`retrieve`), and a check that the configured model ids are served — as an effect or a
 * layer run at start-up. Named `ModelCatalog` so it does not clash with `@claude-resilience/api`'s
 * `Model` table, which holds what the toolkit knows offline (windows, prices, prefill).
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Claude from "./Claude.js"
import * as internal from "./internal/modelCatalog.js"
import type { ModelNotServedError } from "./ResourceError.js"

/**
 * A model as the Models API describes it, as the SDK types it.
 *
 * @example
 * ```ts
 * import type { ModelCatalog } from "@claude-resilience/client"
 *
 * const window = (info: ModelCatalog.ModelInfo) => info.max_input_tokens
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ModelInfo = Anthropic.ModelInfo

/**
 * Options of {@link layerCheck}: those of a call, and what a model that is not served (or a check
 * that fails) does — `"fail"` the layer (default) or `"warn"` in the log and go on.
 *
 * @example
 * ```ts
 * import type { ModelCatalog } from "@claude-resilience/client"
 *
 * const options: ModelCatalog.CheckOptions = { onMissing: "warn", timeout: "10 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface CheckOptions extends Claude.CallOptions {
  readonly onMissing?: "fail" | "warn" | undefined
}

/**
 * Every model the key may use, newest first (all pages; one resilient request each).
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const ids = Effect.map(ModelCatalog.list(), (models) => models.map((m) => m.id))
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const list: (
  options?: Claude.CallOptions
) => Effect.Effect<ReadonlyArray<ModelInfo>, ClaudeError.ClaudeError, Claude.Claude> = internal.list

/**
 * One model's information (an alias or a snapshot id); a model the API does not serve fails with
 * its `NotFoundError`.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@claude-resilience/client"
 *
 * const info = ModelCatalog.retrieve("claude-sonnet-4-6")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retrieve: (
  model: string,
  options?: Claude.CallOptions
) => Effect.Effect<ModelInfo, ClaudeError.ClaudeError, Claude.Claude> = internal.retrieve

/**
 * Checks that a model id is served: its information, or a `ModelNotServedError` (with the nearest
 * ids the toolkit knows) for the API's 404. A model that is no longer `active` is logged as a warning.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const ok = ModelCatalog.check("claude-sonnet-4-6").pipe(Effect.as(true))
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const check: (
  model: string,
  options?: Claude.CallOptions
) => Effect.Effect<ModelInfo, ModelNotServedError | ClaudeError.ClaudeError, Claude.Claude> = internal.check

/**
 * A layer that checks the configured model ids when it is built: it fails with the first model not
 * served (or the check's error), or with `onMissing: "warn"` logs a warning and builds anyway.
 *
 * @example
 * ```ts
 * import { Claude, ModelCatalog } from "@claude-resilience/client"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = Claude.layer({ apiKey: Redacted.make("sk-ant-...") })
 * const Checked = Layer.provideMerge(ModelCatalog.layerCheck(["claude-sonnet-4-6"]), ClaudeLive)
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerCheck: (
  models: ReadonlyArray<string>,
  options?: CheckOptions
) => Layer.Layer<never, ModelNotServedError | ClaudeError.ClaudeError, Claude.Claude> = internal.layerCheck
