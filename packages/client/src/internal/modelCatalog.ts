/**
 * The Models endpoints over `Claude.request`, and the start-up check of configured model ids.
 */
import { Model } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Claude from "../Claude.js"
import type * as ModelCatalog from "../ModelCatalog.js"
import { ModelNotServedError } from "../ResourceError.js"

/** Every model the key may use, newest first: all pages, one resilient request each. */
export const list = (
  options?: Claude.CallOptions
): Effect.Effect<ReadonlyArray<ModelCatalog.ModelInfo>, ClaudeError.ClaudeError, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const out: Array<ModelCatalog.ModelInfo> = []
    let after: string | undefined
    for (;;) {
      const page = yield* claude.request(
        "models.list",
        (sdk, request) =>
          sdk.models.list({ limit: 1000, ...(after !== undefined ? { after_id: after } : {}) }, request),
        options
      )
      out.push(...page.data)
      if (!page.has_more || page.last_id === null || page.data.length === 0) return out
      after = page.last_id
    }
  })

/** One model's information. */
export const retrieve = (model: string, options?: Claude.CallOptions) =>
  Effect.flatMap(Claude.Claude, (claude) =>
    claude.request("models.retrieve", (sdk, request) => sdk.models.retrieve(model, {}, request), { ...options, model })
  )

/** A model's information, or `ModelNotServedError` for the API's 404; a deprecated model is logged. */
export const check = (
  model: string,
  options?: Claude.CallOptions
): Effect.Effect<ModelCatalog.ModelInfo, ModelNotServedError | ClaudeError.ClaudeError, Claude.Claude> =>
  retrieve(model, options).pipe(
    Effect.catchTag("NotFoundError", (e) =>
      Effect.fail(
        new ModelNotServedError({
          message: `The API does not serve ${model}: ${e.message}`,
          model,
          suggestions: Model.suggest(model)
        })
      )
    ),
    Effect.tap((info) =>
      info.lifecycle === "active"
        ? Effect.void
        : Effect.logWarning("claude.model_lifecycle").pipe(
            Effect.annotateLogs({ model, lifecycle: info.lifecycle, retires_at: info.retires_at ?? "unknown" })
          )
    )
  )

/** The check of every model at start-up: fail, or warn and go on. */
export const layerCheck = (
  models: ReadonlyArray<string>,
  options?: ModelCatalog.CheckOptions
): Layer.Layer<never, ModelNotServedError | ClaudeError.ClaudeError, Claude.Claude> =>
  Layer.effectDiscard(
    Effect.forEach(
      models,
      (model) =>
        options?.onMissing === "warn"
          ? check(model, options).pipe(
              Effect.catchAll((e) =>
                Effect.logWarning("claude.model_check_failed").pipe(
                  Effect.annotateLogs({ model, error_tag: e._tag, detail: e.message })
                )
              )
            )
          : check(model, options),
      { discard: true }
    )
  )
