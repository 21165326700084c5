/**
 * The checks that read the `Model` table: the model id (unknown, retired) and `max_tokens` (a
 * whole number of at least 1, at most the model's output cap — clamped or refused).
 */
import { Model } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Preflight from "../../Preflight.js"
import type { Config } from "./config.js"
import { ADVICE, preflightError, show } from "./fail.js"

export type Sink = ((notice: Preflight.Notice) => void) | undefined

/** The nearest ids the API still serves. */
export const suggestionsFor = (id: string): ReadonlyArray<string> => Model.suggest(id, 3, { exclude: ["retired"] })

/** An unknown or retired id: a failure, a notice, or nothing, by the config. */
export const checkModel = (
  id: string,
  model: Model.Model | undefined,
  config: Config,
  sink: Sink
): ClaudeError.PreflightError | undefined => {
  if (model === undefined) {
    if (config.unknownModel === false) return undefined
    if (config.unknownModel === "warn") {
      sink?.({ _tag: "UnknownModel", model: id })
      return undefined
    }
    const suggestions = suggestionsFor(id)
    return preflightError(
      "model",
      "model",
      `unknown model id ${show(id)}`,
      ADVICE.unknownModel(suggestions),
      suggestions
    )
  }
  if (model.status !== "retired" || config.retiredModel === false) return undefined
  if (config.retiredModel === "warn") {
    sink?.({ _tag: "RetiredModel", model: id })
    return undefined
  }
  const suggestions = suggestionsFor(id)
  return preflightError("model", "model", `model ${show(id)} is retired`, ADVICE.retiredModel(suggestions), suggestions)
}

/**
 * `max_tokens`: `undefined` when it passes, the clamped value when it is over the cap and the
 * config clamps, a failure otherwise. Absent (a token count) passes.
 */
export const checkMaxTokens = (
  maxTokens: unknown,
  id: string,
  model: Model.Model | undefined,
  config: Config,
  sink: Sink
): ClaudeError.PreflightError | number | undefined => {
  if (maxTokens === undefined || config.maxTokens === false) return undefined
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return preflightError(
      "max_tokens",
      "max_tokens",
      `max_tokens must be an integer of at least 1, got ${show(maxTokens)}`,
      ADVICE.maxTokensInvalid
    )
  }
  if (model === undefined || maxTokens <= model.maxOutputTokens) return undefined
  if (config.maxTokens === "clamp") {
    sink?.({ _tag: "Clamped", model: id, from: maxTokens, to: model.maxOutputTokens })
    return model.maxOutputTokens
  }
  return preflightError(
    "max_tokens",
    "max_tokens",
    `max_tokens ${maxTokens} is above the output cap of ${id} (${model.maxOutputTokens} tokens)`,
    ADVICE.maxTokensOver(id, model.maxOutputTokens)
  )
}
