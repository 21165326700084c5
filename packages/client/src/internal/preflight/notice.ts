/**
 * What the preflight lets through but says: a clamped `max_tokens` (Info), an unknown or retired
 * model id sent anyway (Warning). The client logs each once per model id (a bounded memory of the
 * ids it has logged); `Preflight.check` logs every one.
 */
import * as Effect from "effect/Effect"
import type * as Preflight from "../../Preflight.js"
import { show } from "./fail.js"
import { suggestionsFor } from "./model.js"

export const message = (notice: Preflight.Notice): string => {
  switch (notice._tag) {
    case "Clamped":
      return `preflight: max_tokens ${notice.from} is above the output cap of ${notice.model}; sent as ${notice.to}`
    case "UnknownModel": {
      const suggestions = suggestionsFor(notice.model)
      return `preflight: unknown model id ${show(notice.model)}, sent as is${suggestions.length > 0 ? ` (did you mean ${suggestions.join(", ")}?)` : ""}`
    }
    case "RetiredModel":
      return `preflight: model ${show(notice.model)} is retired (the API answers 404), sent as is; current ids: ${suggestionsFor(notice.model).join(", ")}`
  }
}

/** Logs a notice: a clamp at Info, a model id at Warning. */
export const log = (notice: Preflight.Notice): Effect.Effect<void> =>
  (notice._tag === "Clamped" ? Effect.logInfo(message(notice)) : Effect.logWarning(message(notice))).pipe(
    Effect.annotateLogs("claude.preflight", notice._tag === "Clamped" ? "max_tokens" : "model")
  )

const REMEMBERED = 1024

/**
 * A memory of the (kind, model id) pairs already logged: `fresh` keeps the notices not logged yet
 * and remembers them. Past 1024 pairs it forgets them all, so it stays bounded.
 */
export const memory = () => {
  const seen = new Set<string>()
  return (notices: ReadonlyArray<Preflight.Notice>): ReadonlyArray<Preflight.Notice> =>
    notices.filter((notice) => {
      const key = `${notice._tag}:${notice.model}`
      if (seen.has(key)) return false
      if (seen.size >= REMEMBERED) seen.clear()
      seen.add(key)
      return true
    })
}
