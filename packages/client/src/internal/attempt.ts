/**
 * One attempt of a call: the request under an `AbortSignal` tied to fiber interruption, mapped to
 * a `ClaudeError`, bounded by the attempt timeout, counted by the circuit breaker, holding a slot of
 * the bulkhead, admitted by the rate limiter (a `Stage`, see `quota.ts`), in its own span. The
 * stages, from the inside out, are the functions below.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Claude from "../Claude.js"
import type { CallContext } from "./call.js"
import * as Deadlines from "./deadlines.js"
import { metrics } from "./metrics.js"
import { annotateFailure, clockOf, isTracing } from "./observe.js"
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

/** A rejection of the request, mapped to a `ClaudeError` (the key redacted from it). */
const failure = (context: CallContext, e: unknown): Effect.Effect<never, ClaudeError.ClaudeError> =>
  Effect.flatMap(ClaudeError.fromUnknown(e, { secrets: context.secrets }), Effect.fail)

const timedOut = (timeout: Duration.Duration): ClaudeError.TimeoutError =>
  new ClaudeError.TimeoutError({ message: `attempt timed out after ${Duration.format(timeout)}`, timeout })

/**
 * The request itself under the attempt timeout (the call's, else the layer's), its rejection
 * mapped to a `ClaudeError`. One `AbortController` carries both ends of the attempt: fiber
 * interruption and the timeout abort it. The timeout is a deadline on the fiber's `Clock` (see
 * `deadlines.ts`: one sleeping fiber per clock for every attempt in flight, so a `TestClock`
 * drives it in tests), cancelled as soon as the request settles — no race of forked fibers.
 */
const request = <A>(
  context: CallContext,
  call: Claude.CallOptions | undefined,
  run: Run<A>,
  onResponse: OnResponse | undefined
): Effect.Effect<A, ClaudeError.ClaudeError> => {
  const timeout = call?.timeout !== undefined ? Duration.decode(call.timeout) : context.attemptTimeout
  const millis = Duration.isFinite(timeout) ? Duration.toMillis(timeout) : undefined
  return Effect.withFiberRuntime((fiber) => {
    const clock = clockOf(fiber)
    return Effect.async<A, ClaudeError.ClaudeError>((resume) => {
      const controller = new AbortController()
      let settled = false
      const deadline =
        millis === undefined
          ? undefined
          : Deadlines.schedule(clock, millis, () => {
              if (settled) return
              settled = true
              controller.abort()
              resume(Effect.fail(timedOut(timeout)))
            })
      const settle = (result: Effect.Effect<A, ClaudeError.ClaudeError>): void => {
        if (settled) return
        settled = true
        if (deadline !== undefined) Deadlines.cancel(clock, deadline)
        resume(result)
      }
      if (!settled) {
        let promise: Promise<A>
        try {
          promise = run(controller.signal, onResponse)
        } catch (e) {
          promise = Promise.reject(e)
        }
        promise.then(
          (a) => settle(Effect.succeed(a)),
          (e: unknown) => settle(failure(context, e))
        )
      }
      // interrupted: the deadline cancelled, the request aborted
      return Effect.sync(() => {
        if (settled) return
        settled = true
        if (deadline !== undefined) Deadlines.cancel(clock, deadline)
        controller.abort()
      })
    })
  })
}

/**
 * One attempt: the SDK call under an AbortSignal tied to fiber interruption and the attempt
 * timeout, mapped to a ClaudeError, counted by the breaker, admitted by the rate limiter (`stage`,
 * outside the breaker so that a breaker rejection gives its tokens back, and outside the timeout
 * so that waiting for admission does not eat the attempt's time), traced when a tracer exports
 * spans. `counter` counts the attempts of the call.
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
    withBulkhead(context, key, model, context.breaker.execute(key, request(context, call, run, onResponse)))
  const unlimited = send(undefined)
  return Effect.withFiberRuntime((fiber) => {
    counter.n += 1
    metrics.attempts.unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))
    const self = stage === undefined ? (unlimited as Effect.Effect<A, ClaudeError.ClaudeError, R>) : stage(send)
    // Spans only for a tracer that exports them (see `isTracing`).
    if (!isTracing(fiber)) return self
    return self.pipe(
      Effect.tapError((e) => annotateFailure(context, e)),
      Effect.withSpan(`claude.attempt`, {
        // A stack trace per span costs more than the rest of the attempt's bookkeeping.
        captureStackTrace: false,
        kind: "client",
        attributes: { "claude.operation": operation, "claude.attempt": counter.n, "gen_ai.request.model": model }
      })
    )
  })
}
