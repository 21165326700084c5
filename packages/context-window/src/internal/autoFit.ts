/**
 * Auto-fit: after a 400 that says the prompt or `max_tokens` is too large, plan the request to
 * send instead (a fit or a clamp), announce it, and send it once more.
 *
 * @internal
 */
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { Options, Recovered, Recovery } from "../AutoFit.js"
import * as Compactor from "../Compactor.js"
import * as ContextWindow from "../ContextWindow.js"
import { metrics } from "./metrics.js"

const RecoveriesKey: unique symbol = Symbol.for("@claude-resilience/context-window/Recoveries")

/** @internal */
export const recoveriesOf = (message: Claude.Message): ReadonlyArray<Recovery> => {
  const value: unknown = Predicate.hasProperty(message, RecoveriesKey) ? message[RecoveriesKey] : undefined
  return Array.isArray(value) ? (value as ReadonlyArray<Recovery>) : []
}

interface Plan<A extends ContextWindow.Request> {
  readonly request: A
  readonly recovery: Recovery
}

type PlanError = ContextWindow.FitError

/** What to send instead after `error`, or none when the error is not ours to fix. */
const plan = <A extends ContextWindow.Request>(
  base: Claude.Service,
  compactor: Compactor.Service | undefined,
  options: Options,
  request: A,
  error: ClaudeError.ClaudeError,
  done: ReadonlySet<Recovery["_tag"]>
): Effect.Effect<Plan<A> | undefined, PlanError> => {
  if (error._tag !== "InvalidRequestError" || error.phase === "stream") return Effect.succeed(undefined)
  const fitWith = (promptTokens: number, maximum: number) =>
    Effect.map(
      ContextWindow.fit(request, {
        ...options,
        compactor: options.compactor ?? compactor,
        contextWindow: options.contextWindow ?? maximum,
        inputTokens: promptTokens
      }).pipe(Effect.provideService(Claude.Claude, base)),
      (fitted): Plan<A> | undefined =>
        fitted.droppedMessages === 0
          ? undefined
          : {
              request: fitted.request,
              recovery: {
                _tag: "Fitted",
                model: request.model,
                promptTokens,
                maximum,
                inputTokens: fitted.inputTokens,
                droppedMessages: fitted.droppedMessages,
                countCalls: fitted.countCalls,
                compactor: fitted.compactor,
                replacement: fitted.replacement
              }
            }
    )
  const tooLong = error.promptTooLong
  if (tooLong !== undefined && !done.has("Fitted")) return fitWith(tooLong.promptTokens, tooLong.maxTokens)
  const tooLarge = error.maxTokensTooLarge
  if (tooLarge !== undefined && options.clampMaxTokens !== false) {
    const to = tooLarge.inputTokens === undefined ? tooLarge.maximum : tooLarge.maximum - tooLarge.inputTokens
    const floor = Math.min(options.minMaxTokens ?? 1024, request.max_tokens)
    if (!done.has("Clamped") && to >= floor && to < request.max_tokens) {
      return Effect.succeed({
        request: { ...request, max_tokens: to },
        recovery: { _tag: "Clamped", model: request.model, from: request.max_tokens, to, maximum: tooLarge.maximum }
      })
    }
    // input + max_tokens over the window and max_tokens cannot shrink enough: shrink the input
    if (tooLarge.inputTokens !== undefined && !done.has("Fitted")) {
      return fitWith(tooLarge.inputTokens, tooLarge.maximum)
    }
  }
  return Effect.succeed(undefined)
}

const announce = (recovery: Recovery, options: Options) =>
  Effect.gen(function* () {
    yield* Metric.increment(Metric.tagged(metrics.recoveries, "kind", recovery._tag === "Fitted" ? "fit" : "clamp"))
    yield* Effect.logWarning("context_window.recovered").pipe(
      Effect.annotateLogs(
        recovery._tag === "Fitted"
          ? {
              kind: "fit",
              model: recovery.model,
              prompt_tokens: recovery.promptTokens,
              maximum: recovery.maximum,
              input_tokens: recovery.inputTokens,
              dropped_messages: recovery.droppedMessages,
              count_calls: recovery.countCalls,
              compactor: recovery.compactor
            }
          : { kind: "clamp", model: recovery.model, from: recovery.from, to: recovery.to, maximum: recovery.maximum }
      )
    )
    if (options.onRecovery !== undefined) yield* options.onRecovery(recovery)
  })

const createLoop = <E>(
  base: Claude.Service,
  compactor: Compactor.Service | undefined,
  options: Options,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined,
  recoveries: ReadonlyArray<Recovery>,
  onPlanError: (error: ClaudeError.ClaudeError) => (reason: PlanError) => Effect.Effect<never, E>
): Effect.Effect<Recovered, ClaudeError.ClaudeError | E> =>
  base.messages.create(params, call).pipe(
    Effect.map((message): Recovered => ({ message, recoveries })),
    Effect.catchAll((error) =>
      plan(base, compactor, options, params, error, new Set(recoveries.map((r) => r._tag))).pipe(
        Effect.catchAll(onPlanError(error)),
        Effect.flatMap(
          (next): Effect.Effect<Recovered, ClaudeError.ClaudeError | E> =>
            next === undefined
              ? Effect.fail(error)
              : Effect.zipRight(
                  announce(next.recovery, options),
                  createLoop(base, compactor, options, next.request, call, [...recoveries, next.recovery], onPlanError)
                )
        )
      )
    )
  )

const compactorInContext = Effect.map(Effect.serviceOption(Compactor.Compactor), Option.getOrUndefined)

/** @internal */
export const create = (
  params: Claude.MessageCreateParams,
  options: Options & { readonly call?: Claude.CallOptions | undefined } = {}
): Effect.Effect<Recovered, PlanError, Claude.Claude> =>
  Effect.gen(function* () {
    const base = yield* Claude.Claude
    const compactor = yield* compactorInContext
    return yield* createLoop(base, compactor, options, params, options.call, [], () => Effect.fail)
  }).pipe(Effect.withSpan("AutoFit.create"))

/** @internal */
export const wrap = (
  base: Claude.Service,
  options: Options = {},
  compactor?: Compactor.Service | undefined
): Claude.Service => {
  const giveUp = (error: ClaudeError.ClaudeError) => (reason: PlanError) =>
    Effect.zipRight(
      Effect.logWarning("context_window.recovery_failed").pipe(
        Effect.annotateLogs({ error_tag: error._tag, reason: reason._tag, detail: reason.message })
      ),
      Effect.fail(error)
    )
  const create = (params: Claude.MessageCreateParams, call?: Claude.CallOptions) =>
    createLoop(base, compactor, options, params, call, [], giveUp).pipe(
      Effect.map(({ message, recoveries }) =>
        recoveries.length === 0 ? message : ({ ...message, [RecoveriesKey]: recoveries } as Claude.Message)
      )
    )
  const streamLoop = (
    params: Claude.MessageStreamParams,
    call: Claude.CallOptions | undefined,
    done: ReadonlyArray<Recovery>
  ): Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError> =>
    base.messages.stream(params, call).pipe(
      Stream.catchAll((error) =>
        Stream.unwrap(
          plan(base, compactor, options, params, error, new Set(done.map((r) => r._tag))).pipe(
            Effect.catchAll(giveUp(error)),
            Effect.flatMap((next) =>
              next === undefined
                ? Effect.succeed(Stream.fail(error))
                : Effect.as(announce(next.recovery, options), streamLoop(next.request, call, [...done, next.recovery]))
            )
          )
        )
      )
    )
  return {
    messages: {
      create,
      stream: (params, call) => streamLoop(params, call, []),
      countTokens: base.messages.countTokens
    },
    sdk: base.sdk,
    retrySchedule: base.retrySchedule,
    request: base.request
  }
}

/** @internal */
export const layer = (options: Options = {}): Layer.Layer<Claude.Claude, never, Claude.Claude> =>
  Layer.effect(
    Claude.Claude,
    Effect.gen(function* () {
      const base = yield* Claude.Claude
      const compactor = yield* compactorInContext
      return wrap(base, options, compactor)
    })
  )
