/**
 * What a call leaves behind: span attributes (`gen_ai.*`), one log line per call, and the
 * client's metrics.
 */
import { type ClaudeError, Redaction } from "@claude-resilience/errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import type { CallContext } from "./call.js"
import { callCounter, metrics } from "./metrics.js"

/** The usage a successful call reported, checked at the boundary (counts are non-negative integers). */
export interface Usage {
  input: number
  output: number
  stopReason: string | undefined
  id: string | undefined
}

/** The attributes of a call's span. */
export const spanAttributes = (
  operation: string,
  params: { readonly model: string; readonly max_tokens?: number }
) => ({
  "gen_ai.system": "anthropic",
  "gen_ai.operation.name": operation,
  "gen_ai.request.model": params.model,
  ...(params.max_tokens !== undefined ? { "gen_ai.request.max_tokens": params.max_tokens } : {})
})

/**
 * A server's string on its way to a span or a log line. The decoders already redacted the
 * errors' fields; ids and stop reasons of successful replies are redacted here, once per call.
 */
const clean = (context: Pick<CallContext, "secrets">, text: string): string => Redaction.redact(text, context.secrets)

/** Annotates the current (attempt) span with a failure: its tag, HTTP status and request id. */
export const annotateFailure = (
  context: Pick<CallContext, "secrets">,
  e: ClaudeError.ClaudeError
): Effect.Effect<void> =>
  Effect.annotateCurrentSpan({
    "error.type": e._tag,
    ...("status" in e && e.status !== undefined ? { "http.response.status_code": e.status } : {}),
    ...("requestId" in e && e.requestId !== undefined ? { "claude.request_id": clean(context, e.requestId) } : {})
  })

/** Records the call's outcome: span attributes, one log line, metrics. */
export const finish = (
  context: Pick<CallContext, "options" | "secrets">,
  operation: string,
  model: string,
  startedAt: number,
  attempts: number,
  exit: Exit.Exit<unknown, ClaudeError.ClaudeError>,
  usage: Usage | undefined,
  content?: { readonly prompt: unknown; readonly completion: unknown }
) =>
  Effect.gen(function* () {
    const logContent = context.options.logContent === true
    const now = yield* Clock.currentTimeMillis
    const durationMs = now - startedAt
    yield* Metric.update(metrics.latency, durationMs)
    if (attempts > 1) yield* Metric.incrementBy(metrics.retries, attempts - 1)
    const base = { model, operation, duration_ms: durationMs, attempts }
    if (Exit.isSuccess(exit)) {
      yield* Metric.increment(callCounter("success", "none"))
      const stopReason = usage?.stopReason === undefined ? undefined : clean(context, usage.stopReason)
      if (usage !== undefined) {
        yield* Metric.incrementBy(metrics.inputTokens, usage.input)
        yield* Metric.incrementBy(metrics.outputTokens, usage.output)
        yield* Effect.annotateCurrentSpan({
          "gen_ai.usage.input_tokens": usage.input,
          "gen_ai.usage.output_tokens": usage.output,
          ...(stopReason !== undefined ? { "gen_ai.response.finish_reasons": [stopReason] } : {}),
          ...(usage.id !== undefined ? { "gen_ai.response.id": clean(context, usage.id) } : {})
        })
      }
      yield* Effect.logInfo("claude.call").pipe(
        Effect.annotateLogs({
          ...base,
          outcome: "success",
          ...(usage !== undefined
            ? { input_tokens: usage.input, output_tokens: usage.output, stop_reason: stopReason ?? "none" }
            : {}),
          ...(logContent && content !== undefined ? { prompt: content.prompt, completion: content.completion } : {})
        })
      )
    } else {
      const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      const tag = failure?._tag ?? "Interrupted"
      yield* Metric.increment(callCounter("failure", tag))
      yield* Effect.annotateCurrentSpan({ "error.type": tag })
      yield* Effect.logWarning("claude.call").pipe(
        Effect.annotateLogs({
          ...base,
          outcome: "failure",
          error_tag: tag,
          ...(failure !== undefined && "status" in failure && failure.status !== undefined
            ? { status: failure.status }
            : {}),
          ...(failure !== undefined && "requestId" in failure && failure.requestId !== undefined
            ? { request_id: clean(context, failure.requestId) }
            : {})
        })
      )
    }
  })
