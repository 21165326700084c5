/**
 * The preflight in the client: each operation of the service runs the check once per call, before
 * the resilient call (retry loop, breaker, rate limiting, span) starts, so a refused request costs
 * no attempt and no round trip. The layer's options are resolved once; a call's own options are
 * merged over them. Notices are logged once per model id.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Claude from "../../Claude.js"
import type * as Preflight from "../../Preflight.js"
import { type Config, merge, resolve } from "./config.js"
import { log, memory } from "./notice.js"
import { isFailure, run, STREAM_BYTES } from "./run.js"

export const withPreflight = (options: Claude.Options, service: Claude.Service): Claude.Service => {
  const layer = resolve(options.preflight)
  const fresh = memory()
  // `run` is synchronous: the notices of one call are collected here and taken right after it.
  const pending: Array<Preflight.Notice> = []
  const sink = (notice: Preflight.Notice) => {
    pending.push(notice)
  }
  const configOf = (call: Claude.CallOptions | undefined): Config | undefined =>
    call?.preflight === undefined ? layer : merge(layer, call.preflight)

  const checked = <P extends Preflight.Request>(
    params: P,
    call: Claude.CallOptions | undefined,
    extraBytes: number
  ): Effect.Effect<P, Preflight.Failure> =>
    Effect.suspend(() => {
      const config = configOf(call)
      if (config === undefined) return Effect.succeed(params)
      const result = run(params, config, sink, extraBytes)
      const outcome = isFailure(result) ? Effect.fail(result) : Effect.succeed(result)
      if (pending.length === 0) return outcome
      const notices = fresh(pending.splice(0))
      return notices.length === 0 ? outcome : Effect.zipRight(Effect.forEach(notices, log, { discard: true }), outcome)
    })

  const { countTokens, create, stream } = service.messages
  return {
    ...service,
    messages: {
      create: (params, call) => Effect.flatMap(checked(params, call, 0), (p) => create(p, call)),
      stream: (params, call) => Stream.unwrap(Effect.map(checked(params, call, STREAM_BYTES), (p) => stream(p, call))),
      countTokens: (params, call) => Effect.flatMap(checked(params, call, 0), (p) => countTokens(p, call))
    }
  }
}
