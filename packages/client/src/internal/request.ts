/**
 * The generic resilient request: any SDK call (Batches, Files, Models, ...) through the same stages as
 * a message — retry around attempts (breaker → timeout → request), one span, one log line, metrics.
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Claude from "../Claude.js"
import { attempt } from "./attempt.js"
import { type CallContext, requestOptions, retrying, scheduleFor } from "./call.js"
import { finish } from "./observe.js"

/** The circuit of an operation by default: its resource, the part of its name before the first dot. */
export const resourceOf = (operation: string): string => operation.split(".")[0] ?? operation

/** The log field `model` of a request about no model. */
const NO_MODEL = "-"

/** `Service.request` of a client: retry(schedule) → breaker → timeout → `run(sdk, options)`, traced. */
export const request =
  (context: CallContext, sdk: Anthropic) =>
  <A>(
    operation: string,
    run: (sdk: Anthropic, options: Claude.SdkOptions) => Promise<A>,
    options?: Claude.RequestOptions
  ): Effect.Effect<A, ClaudeError.ClaudeError> => {
    const model = options?.model ?? NO_MODEL
    const call: Claude.CallOptions = { ...options, circuitKey: options?.circuitKey ?? resourceOf(operation) }
    return Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const counter = { n: 0 }
      const schedule = yield* scheduleFor(context, options)
      return yield* attempt(context, operation, model, counter, call, (signal) =>
        run(sdk, requestOptions(signal, options))
      ).pipe(
        (self) => retrying(self, schedule),
        Effect.onExit((exit) =>
          finish(context, operation, model, startedAt, counter.n, exit, undefined, undefined, options?.failureLogLevel)
        )
      )
    }).pipe(
      Effect.withSpan(`claude.${operation}`, {
        kind: "client",
        captureStackTrace: false,
        attributes: {
          "gen_ai.system": "anthropic",
          "gen_ai.operation.name": operation,
          ...(options?.model !== undefined ? { "gen_ai.request.model": options.model } : {})
        }
      })
    )
  }
