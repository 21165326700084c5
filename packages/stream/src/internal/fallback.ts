/**
 * The fallback steps of one resumable stream: which model (and client, schedule, caps) the next
 * attempt asks, when a failure leaves the model in force, and the refusal that ends an attempt
 * before its `message_stop` so the stream can go on elsewhere.
 *
 * @internal
 */
import { type Claude, Fallback } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as ResumableStream from "../ResumableStream.js"
import type { Resumer } from "./resumer.js"

type Params = Claude.MessageStreamParams

/** One step as the stream runs it. @internal */
export interface Step {
  readonly info: Fallback.StepInfo
  /** the request's model and `max_tokens` on this step */
  readonly params: Params
  readonly claude: Claude.Service
  /** bounds and spaces the resumptions on this step */
  readonly schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  readonly state: { value: unknown }
  /** the options of each attempt's `claude.messages.stream` */
  readonly call: Claude.CallOptions | undefined
}

/** @internal */
export interface Steps {
  readonly current: () => Step
  /** whether a failure of the current step leaves it at once */
  readonly leavesAtOnce: (error: ClaudeError.ClaudeError) => boolean
  /** whether the current step, its resumptions exhausted by this failure, is left */
  readonly leavesExhausted: (error: ClaudeError.ClaudeError) => boolean
  /** whether a refusal of the current step leaves it */
  readonly leavesOnRefusal: () => boolean
  /** moves to the next step, building its client */
  readonly advance: Effect.Effect<Step, ClaudeError.ClaudeError>
}

const planOf = (fallback: ResumableStream.Options["fallback"]): Fallback.Plan =>
  fallback === undefined ? Fallback.make([{}]) : "steps" in fallback ? fallback : Fallback.make([{}, ...fallback])

/** @internal */
export const make = (
  params: Params,
  options: ResumableStream.Options,
  call: Claude.CallOptions,
  base: Claude.Service,
  /** where a step's client layer is built; `undefined` only without a fallback (no step has one) */
  scope: Scope.Scope | undefined
): Effect.Effect<Steps, ClaudeError.ClaudeError> =>
  Effect.gen(function* () {
    const plan = planOf(options.fallback)
    const falling = plan.steps.length > 1
    const build = (index: number): Effect.Effect<Step, ClaudeError.ClaudeError> =>
      Effect.gen(function* () {
        const step = plan.steps[index]!
        const info: Fallback.StepInfo = { index, step, last: index === plan.steps.length - 1 }
        const claude =
          scope === undefined && step.claude !== undefined && typeof step.claude !== "function"
            ? yield* Effect.dieMessage("a fallback step's client layer needs the stream's scope")
            : scope === undefined
              ? yield* Effect.scoped(Fallback.stepClient(step, base))
              : yield* Effect.provideService(Fallback.stepClient(step, base), Scope.Scope, scope)
        const resumptions = step.schedule ?? options.schedule ?? (yield* RetryPolicy.resolve(claude.retrySchedule))
        const schedule =
          step.attempts === undefined
            ? resumptions
            : Schedule.intersect(resumptions, Schedule.recurs(Math.max(0, step.attempts - 1)))
        // without a fallback, each attempt's connection phase is the client's as before; with one,
        // a step with a next one stops its connection retries at once on a failure that leaves it
        const stepCall = falling
          ? { ...call, ...step.options, retry: yield* Fallback.scheduleFor(plan, info, claude, call, () => {}) }
          : call
        return {
          info,
          params: Fallback.paramsFor(step, params),
          claude,
          schedule,
          state: { value: schedule.initial },
          call: stepCall
        }
      })
    let current = yield* build(0)
    const hasNext = () => !current.info.last
    return {
      current: () => current,
      leavesAtOnce: (error) => hasNext() && Fallback.leavesAtOnce(plan, error),
      leavesExhausted: (error) => hasNext() && Fallback.leaves(plan, error),
      leavesOnRefusal: () => hasNext() && Fallback.leavesOnRefusal(plan),
      advance: Effect.tap(
        Effect.suspend(() => build(current.info.index + 1)),
        (next) => (current = next)
      )
    }
  })

/**
 * The attempt's events up to a `refusal` stop reason, which ends it with a `RefusalError` instead
 * (its `message_delta` and `message_stop` are not passed on; the usage it reported is counted).
 *
 * @internal
 */
export const cutAtRefusal = <E, R>(
  self: Stream.Stream<Claude.MessageStreamEvent, E, R>,
  resumer: Resumer
): Stream.Stream<Claude.MessageStreamEvent, E | ClaudeError.ClaudeError, R> =>
  Stream.suspend(() => {
    let start: Claude.Message | undefined
    let refusal: ClaudeError.RefusalError | undefined
    return self.pipe(
      Stream.takeWhile((event) => {
        if (event.type === "message_start") start = event.message
        else if (event.type === "message_delta" && event.delta.stop_reason === "refusal") {
          resumer.countUsage(event.usage)
          refusal = refusalOf(resumer.model, start, event)
          return false
        }
        return true
      }),
      Stream.concat(Stream.suspend(() => (refusal === undefined ? Stream.empty : Stream.fail(refusal))))
    )
  })

const refusalOf = (
  model: string,
  start: Claude.Message | undefined,
  delta: Extract<Claude.MessageStreamEvent, { type: "message_delta" }>
): ClaudeError.RefusalError => {
  const details = delta.delta.stop_details ?? undefined
  return new ClaudeError.RefusalError({
    message: `${model} refused to answer${details?.category ? ` (${details.category})` : ""}`,
    model,
    ...(details !== undefined ? { stopDetails: { category: details.category, explanation: details.explanation } } : {}),
    response: {
      id: start?.id ?? "",
      model,
      content: [],
      stop_reason: "refusal",
      usage: {
        input_tokens: start?.usage.input_tokens ?? 0,
        output_tokens: delta.usage.output_tokens ?? 0
      }
    }
  })
}
