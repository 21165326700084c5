/**
 * The resilient call: retry (the call's schedule, else the `RetryPolicy` override, else the
 * layer's) around attempts, inside one span (when traced), its outcome recorded once. A stage that runs once per
 * call rather than once per attempt (a preflight check, a fallback plan) wraps {@link resilient}.
 */
import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import type { ClaudeError, Redaction } from "@claude-resilience/errors"
import type { Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Bulkhead from "../Bulkhead.js"
import type * as Claude from "../Claude.js"
import { attempt, type Run } from "./attempt.js"
import { clockOf, finish, isTracing, spanAttributes, type Usage } from "./observe.js"
import type { OnResponse, Stage } from "./quota.js"
import type { RequestOptions, Transport } from "./transport.js"

/** What every call of one client shares. */
export interface CallContext {
  readonly options: Claude.Options
  /** The layer's retry schedule. */
  readonly retry: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  readonly breaker: CircuitBreaker.Service
  /** The bulkhead (none: no limit). */
  readonly bulkhead?: Bulkhead.Service | undefined
  readonly transport: Transport
  /** The layer's attempt timeout, decoded. */
  readonly attemptTimeout: Duration.Duration
  /** What errors, logs and spans must never show (the API key), in any encoding. */
  readonly secrets: Redaction.Secrets
  /** The rate limiter every Messages attempt is admitted by; none: attempts go straight on. */
  readonly quota: Quota.Service | undefined
}

/** The schedule of one call: its own (`false`: none), else the `RetryPolicy` override, else the layer's. */
export const scheduleFor = (
  context: CallContext,
  call?: Claude.CallOptions
): Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> =>
  call?.retry === false
    ? Effect.succeed(Schedule.stop)
    : call?.retry !== undefined
      ? Effect.succeed(call.retry)
      : RetryPolicy.resolve(context.retry)

/** {@link scheduleFor}, read from a running fiber. */
const scheduleIn = (
  context: CallContext,
  call: Claude.CallOptions | undefined,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Schedule.Schedule<unknown, ClaudeError.ClaudeError> =>
  call?.retry === false
    ? Schedule.stop
    : call?.retry !== undefined
      ? call.retry
      : Option.getOrElse(fiber.getFiberRef(RetryPolicy.currentOverride), () => context.retry)

/**
 * `Effect.retry(self, schedule)`, its driver built on the first failure: a call that succeeds at
 * once builds none. The schedule sees the same inputs (every failure, the first one first) and
 * makes the same decisions.
 */
export const retrying = <A, R>(
  self: Effect.Effect<A, ClaudeError.ClaudeError, R>,
  schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
): Effect.Effect<A, ClaudeError.ClaudeError, R> =>
  Effect.catchAll(self, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const retry = (e: ClaudeError.ClaudeError): Effect.Effect<A, ClaudeError.ClaudeError, R> =>
        Effect.matchEffect(driver.next(e), {
          onFailure: () => Effect.fail(e),
          onSuccess: () => Effect.catchAll(self, retry)
        })
      return retry(first)
    })
  )

export const requestOptions = (
  signal: AbortSignal,
  call?: Claude.CallOptions,
  onResponse?: OnResponse | undefined
): RequestOptions => ({
  signal,
  ...(call?.headers !== undefined ? { headers: { ...call.headers } } : {}),
  ...(onResponse !== undefined ? { onResponse } : {})
})

/**
 * retry(schedule) → [stage: the rate limiter] → breaker → timeout → request, with logs and metrics,
 * inside a span when a tracer exports spans. `stage` builds the call's per-attempt stage from its
 * schedule and start time.
 */
export const resilient = <A>(
  context: CallContext,
  operation: string,
  params: { readonly model: string; readonly max_tokens?: number },
  call: Claude.CallOptions | undefined,
  run: Run<A>,
  usageOf: (a: A) => Usage | undefined,
  content: (a: A) => unknown,
  stage?: (
    schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>,
    startedAt: number
  ) => Stage<A, never> | undefined
): Effect.Effect<A, ClaudeError.ClaudeError> =>
  Effect.withFiberRuntime((fiber) => {
    const startedAt = clockOf(fiber).unsafeCurrentTimeMillis()
    const counter = { n: 0 }
    const schedule = scheduleIn(context, call, fiber)
    const self = retrying(
      attempt(context, operation, params.model, counter, call, run, stage?.(schedule, startedAt)),
      schedule
    ).pipe(
      Effect.onExit((exit) =>
        finish(
          context,
          operation,
          params.model,
          startedAt,
          counter.n,
          exit,
          Exit.isSuccess(exit) ? usageOf(exit.value) : undefined,
          Exit.isSuccess(exit) ? { prompt: params, completion: content(exit.value) } : undefined,
          call?.failureLogLevel
        )
      )
    )
    return isTracing(fiber)
      ? Effect.withSpan(self, `claude.messages.${operation}`, {
          kind: "client",
          captureStackTrace: false,
          attributes: spanAttributes(operation, params)
        })
      : self
  })
