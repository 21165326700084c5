/**
 * What a call leaves behind: span attributes (`gen_ai.*`), one log line per call, and the
 * client's metrics — each only as far as someone is there to see it: spans when a tracer other
 * than Effect's native one is installed, the log line when its level is enabled (a success at
 * Debug, a failure at Warning), so that a call nobody watches pays for its counters alone.
 */
import { type ClaudeError, Redaction } from "@claude-resilience/errors"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import type { CallContext } from "./call.js"
import { callCounter, metrics, successCounter } from "./metrics.js"

/** The usage a successful call reported, checked at the boundary (counts are non-negative integers). */
export interface Usage {
  input: number
  output: number
  stopReason: string | undefined
  id: string | undefined
}

/** A running fiber, as `Effect.withFiberRuntime` hands it over. */
type Running = Fiber.RuntimeFiber<unknown, unknown>

/** Effect's own tracer: its spans go nowhere, so the client makes none under it. */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Whether the fiber's spans reach anyone: tracing is on and a tracer other than Effect's native
 * one is installed (`Effect.withTracer`, `Layer.setTracer`, `@effect/opentelemetry`).
 */
export const isTracing = (fiber: Running): boolean =>
  fiber.getFiberRef(FiberRef.currentTracerEnabled) &&
  Context.get(fiber.getFiberRef(DefaultServices.currentServices), Tracer.Tracer) !== nativeTracer

/** The fiber's clock (a `TestClock` in tests). */
export const clockOf = (fiber: Running): Clock.Clock =>
  Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)

/** Whether a log line at `level` would be written (the fiber's minimum log level allows it). */
const logs = (fiber: Running, level: LogLevel.LogLevel): boolean =>
  !LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), level)

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

/**
 * Records the call's outcome: metrics always (updated in place, no Effect per metric), span
 * attributes when traced, and one log line when its level is enabled — a success at Debug, a
 * failure at `failureLevel` (the call's `failureLogLevel`: Warning by default, Debug for a
 * connection a `ResumableStream` may resume).
 */
export const finish = (
  context: Pick<CallContext, "options" | "secrets">,
  operation: string,
  model: string,
  startedAt: number,
  attempts: number,
  exit: Exit.Exit<unknown, ClaudeError.ClaudeError>,
  usage: Usage | undefined,
  content?: { readonly prompt: unknown; readonly completion: unknown },
  failureLevel: LogLevel.LogLevel = LogLevel.Warning
): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const durationMs = clockOf(fiber).unsafeCurrentTimeMillis() - startedAt
    const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
    metrics.latency.unsafeUpdate(durationMs, labels)
    if (attempts > 1) metrics.retries.unsafeUpdate(attempts - 1, labels)
    const tracing = isTracing(fiber)
    if (Exit.isSuccess(exit)) {
      successCounter.unsafeUpdate(1, labels)
      if (usage !== undefined) {
        metrics.inputTokens.unsafeUpdate(usage.input, labels)
        metrics.outputTokens.unsafeUpdate(usage.output, labels)
      }
      const logged = logs(fiber, LogLevel.Debug)
      if (!logged && (!tracing || usage === undefined)) return Effect.void
      const stopReason = usage?.stopReason === undefined ? undefined : clean(context, usage.stopReason)
      const annotate =
        tracing && usage !== undefined
          ? Effect.annotateCurrentSpan({
              "gen_ai.usage.input_tokens": usage.input,
              "gen_ai.usage.output_tokens": usage.output,
              ...(stopReason !== undefined ? { "gen_ai.response.finish_reasons": [stopReason] } : {}),
              ...(usage.id !== undefined ? { "gen_ai.response.id": clean(context, usage.id) } : {})
            })
          : Effect.void
      if (!logged) return annotate
      const logContent = context.options.logContent === true
      return Effect.zipRight(
        annotate,
        Effect.annotateLogs(Effect.logDebug("claude.call"), {
          model,
          operation,
          duration_ms: durationMs,
          attempts,
          outcome: "success",
          ...(usage !== undefined
            ? { input_tokens: usage.input, output_tokens: usage.output, stop_reason: stopReason ?? "none" }
            : {}),
          ...(logContent && content !== undefined ? { prompt: content.prompt, completion: content.completion } : {})
        })
      )
    }
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    const tag = failure?._tag ?? "Interrupted"
    callCounter("failure", tag).unsafeUpdate(1, labels)
    const logged = logs(fiber, failureLevel)
    const annotate = tracing ? Effect.annotateCurrentSpan("error.type", tag) : Effect.void
    if (!logged) return annotate
    return Effect.zipRight(
      annotate,
      Effect.annotateLogs(Effect.logWithLevel(failureLevel, "claude.call"), {
        model,
        operation,
        duration_ms: durationMs,
        attempts,
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
  })
