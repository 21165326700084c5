/**
 * A 402 `billing_error` surfaced for an alert: never retried (see `ClaudeError.isRetryable`), and
 * each call that fails with one counted in `claude_billing_errors_total` and logged once, at Error
 * level, with the advice.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import { metrics } from "./metrics.js"

const report = (operation: string, model: string, error: ClaudeError.ClaudeError): Effect.Effect<void> =>
  error._tag !== "BillingError"
    ? Effect.void
    : Effect.logError("claude.billing_error").pipe(
        Effect.annotateLogs({
          model,
          operation,
          status: error.status ?? 402,
          request_id: error.requestId ?? "",
          error_message: error.message,
          action: ClaudeError.advice.BillingError.action
        }),
        Effect.zipRight(Metric.increment(metrics.billingErrors))
      )

/** The call, its billing failure reported. */
export const watch = <A, R>(
  operation: string,
  model: string,
  self: Effect.Effect<A, ClaudeError.ClaudeError, R>
): Effect.Effect<A, ClaudeError.ClaudeError, R> => Effect.tapError(self, (error) => report(operation, model, error))

/** The stream, its billing failure reported. */
export const watchStream = <A, R>(
  model: string,
  self: Stream.Stream<A, ClaudeError.ClaudeError, R>
): Stream.Stream<A, ClaudeError.ClaudeError, R> => Stream.tapError(self, (error) => report("stream", model, error))
