/**
 * The public module's functions: the check as an `Either` (with a notice callback) or an `Effect`
 * (notices logged), and the API key check as an `Effect`.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Preflight from "../../Preflight.js"
import { checkApiKey } from "./apiKey.js"
import { DEFAULTS, resolve } from "./config.js"
import { log } from "./notice.js"
import { isFailure, run } from "./run.js"

export const defaults: Preflight.Defaults = { apiKey: true, ...DEFAULTS }

export const validate = <P extends Preflight.Request>(
  params: P,
  options?: Preflight.Options | false,
  onNotice?: (notice: Preflight.Notice) => void
): Either.Either<P, Preflight.Failure> => {
  const config = resolve(options)
  if (config === undefined) return Either.right(params)
  const result = run(params, config, onNotice)
  return isFailure(result) ? Either.left(result) : Either.right(result)
}

export const check = <P extends Preflight.Request>(
  params: P,
  options?: Preflight.Options | false
): Effect.Effect<P, Preflight.Failure> =>
  Effect.suspend(() => {
    const notices: Array<Preflight.Notice> = []
    const result = validate(params, options, (notice) => notices.push(notice))
    return notices.length === 0 ? result : Effect.zipRight(Effect.forEach(notices, log, { discard: true }), result)
  })

export const apiKey = (
  key: Redacted.Redacted<string>,
  options?: Preflight.Options | false
): Effect.Effect<Redacted.Redacted<string>, ClaudeError.PreflightError> =>
  Effect.suspend(() => {
    if (options === false || options?.apiKey === false) return Effect.succeed(key)
    const checked = checkApiKey(Redacted.value(key))
    if ("_tag" in checked) return Effect.fail(checked)
    if (checked.trimmed === 0) return Effect.succeed(key)
    return Effect.as(
      Effect.logWarning(
        `preflight: the API key had ${checked.trimmed} character${checked.trimmed === 1 ? "" : "s"} of whitespace around it (a line break from the environment?); they were trimmed`
      ).pipe(Effect.annotateLogs("claude.preflight", "api_key")),
      Redacted.make(checked.key)
    )
  })
