/**
 * One attempt of a call: the request under an `AbortSignal` tied to fiber interruption, mapped to
 * a `ClaudeError`, bounded by the attempt timeout, counted by the circuit breaker, holding a slot of
 * the bulkhead, admitted by the rate limiter (a `Stage`, see `quota.ts`), in its own span. The
 * stages, from the inside out, are the functions below.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Claude from "../Claude.js"
import type { CallContext } from "./call.js"
import { metrics } from "./metrics.js"
import { annotateFailure } from "./observe.js"
import type { OnResponse, Stage } from "./quota.js"

/** What sends one attempt: the request under the attempt's signal and response observer. */
export type Run<A> = (signal: AbortSignal, onResponse: OnResponse | undefined) => Promise<A>

/** The circuit a call counts in: the call's key, else the layer's rule, else the model. */
export const circuitKey = (context: CallContext, model: string, call: Claude.CallOptions | undefined): string =>
  call?.circuitKey ?? context.options.circuitKey?.({ model }) ?? model

/**
 * The bulkhead stage: the attempt holds a slot of its key while it runs (none without a bulkhead).
 * Outside the breaker, so a rejection is never counted as the model's failure.
 */
export const withBulkhead = <A>(
  context: CallContext,
  key: string,
  model: string,
  self: Effect.Effect<A, ClaudeError.ClaudeError>
): Effect.Effect<A, ClaudeError.ClaudeError> =>
  context.bulkhead === undefined
    ? self
    : context.bulkhead.withPermit(context.bulkhead.key({ model, circuitKey: key }), self)

/** The request itself, its rejection mapped to a `ClaudeError` (the key redacted from it). */
const request = <A>(
  context: CallContext,
  run: Run<A>,
  onResponse: OnResponse | undefined
): Effect.Effect<A, ClaudeError.ClaudeError> =>
  Effect.tryPromise({ try: (signal) => run(signal, onResponse), catch: (e) => e }).pipe(
    Effect.catchAll((e) => Effect.flatMap(ClaudeError.fromUnknown(e, { secrets: context.secrets }), Effect.fail))
  )

/** The attempt timeout: the call's, else the layer's. */
const withTimeout = <A>(
  context: CallContext,
  call: Claude.CallOptions | undefined,
  self: Effect.Effect<A, ClaudeError.ClaudeError>
): Effect.Effect<A, ClaudeError.ClaudeError> => {
  const timeout = call?.timeout !== undefined ? Duration.decode(call.timeout) : context.attemptTimeout
  return Effect.timeoutFail(self, {
    duration: timeout,
    onTimeout: () =>
      new ClaudeError.TimeoutError({
        message: `attempt timed out after ${Duration.format(timeout)}`,
        timeout
      })
  })
}

/**
 * One attempt: the SDK call under an AbortSignal tied to fiber interruption, mapped to a
 * ClaudeError, bounded by the attempt timeout, counted by the breaker, admitted by the rate
 * limiter (`stage`, outside the breaker so that a breaker rejection gives its tokens back, and
 * outside the timeout so that waiting for admission does not eat the attempt's time), traced.
 * `counter` counts the attempts of the call.
 */
export const attempt = <A, R = never>(
  context: CallContext,
  operation: string,
  model: string,
  counter: { n: number },
  call: Claude.CallOptions | undefined,
  run: Run<A>,
  stage?: Stage<A, R> | undefined
): Effect.Effect<A, ClaudeError.ClaudeError, R> => {
  const key = circuitKey(context, model, call)
  const send = (onResponse: OnResponse | undefined) =>
    withBulkhead(
      context,
      key,
      model,
      context.breaker.execute(key, withTimeout(context, call, request(context, run, onResponse)))
    )
  const unlimited = send(undefined)
  return Effect.suspend(() => {
    counter.n += 1
    const n = counter.n
    return (stage === undefined ? (unlimited as Effect.Effect<A, ClaudeError.ClaudeError, R>) : stage(send)).pipe(
      Effect.tapError((e) => annotateFailure(context, e)),
      Effect.ensuring(Metric.increment(metrics.attempts)),
      Effect.withSpan(`claude.attempt`, {
        // A stack trace per span costs more than the rest of the attempt's bookkeeping.
        captureStackTrace: false,
        kind: "client",
        attributes: { "claude.operation": operation, "claude.attempt": n, "gen_ai.request.model": model }
      })
    )
  })
}
