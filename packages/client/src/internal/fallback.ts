/**
 * Fallback plans on Effect's `ExecutionPlan`: each step provides the `Claude` it calls and
 * {@link CurrentStep} (its model, caps and schedule); the step's call runs with the model replaced
 * and `max_tokens` clamped, under a retry schedule that stops at once on an error that leaves the
 * step; the plan's `while` decides whether the next step is entered.
 */
import { Model } from "@claude-resilience/api"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionPlan from "effect/ExecutionPlan"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Claude from "../Claude.js"
import type * as Fallback from "../Fallback.js"

type Error = ClaudeError.ClaudeError
type Service = Claude.Service

/** @internal */
export const CurrentStep = Context.GenericTag<Fallback.CurrentStep, Fallback.StepInfo>(
  "@claude-resilience/client/Fallback/CurrentStep"
)

/** @internal */
export const DEFAULT_LEAVE_ON: ReadonlyArray<Fallback.LeaveReason> = [
  "OverloadedError",
  "CircuitOpenError",
  "ServiceUnavailableError",
  "RefusalError",
  "exhausted"
]

/** @internal */
export const metrics = {
  fallbacks: Metric.counter("claude_fallbacks_total", {
    description: "Calls that left a model for the next step of their fallback plan, by from, to and reason"
  })
}

/** @internal */
export const make = (
  steps: NonEmptyReadonlyArray<Fallback.Step | string>,
  options: { readonly leaveOn?: ReadonlyArray<Fallback.LeaveReason> | undefined } = {}
): Fallback.Plan => {
  const normalized = steps.map((step) => (typeof step === "string" ? { model: step } : step))
  for (const step of normalized) {
    if (step.attempts !== undefined && !(step.attempts >= 1)) {
      throw new RangeError(`Fallback.make: a step's attempts must be at least 1 (got ${step.attempts})`)
    }
  }
  return {
    steps: normalized as unknown as NonEmptyReadonlyArray<Fallback.Step>,
    leaveOn: options.leaveOn ?? DEFAULT_LEAVE_ON
  }
}

/** The tag a refusal is known by: the error's tag, or a reply whose stop reason is `refusal`. */
const REFUSAL = "RefusalError"

/** @internal */
export const leavesAtOnce = (plan: Fallback.Plan, error: { readonly _tag: string }): boolean =>
  (plan.leaveOn as ReadonlyArray<string>).includes(error._tag)

/** @internal */
export const leaves = (plan: Fallback.Plan, error: { readonly _tag: string }): boolean =>
  leavesAtOnce(plan, error) ||
  (plan.leaveOn.includes("exhausted") && ClaudeError.isClaudeError(error) && ClaudeError.isRetryable(error))

/** @internal */
export const leavesOnRefusal = (plan: Fallback.Plan): boolean =>
  (plan.leaveOn as ReadonlyArray<string>).includes(REFUSAL)

/** @internal */
export const clampMaxTokens = (model: string, maxTokens: number, cap?: number | undefined): number => {
  const output = Model.unsafeGet(model)?.maxOutputTokens
  return Math.max(1, Math.min(maxTokens, cap ?? Number.POSITIVE_INFINITY, output ?? Number.POSITIVE_INFINITY))
}

/** @internal */
export const paramsFor = <P extends { readonly model: string; readonly max_tokens: number }>(
  step: Fallback.Step,
  params: P
): P => {
  const model = step.model ?? params.model
  const maxTokens = clampMaxTokens(model, params.max_tokens, step.maxTokens)
  return model === params.model && maxTokens === params.max_tokens
    ? params
    : { ...params, model, max_tokens: maxTokens }
}

/**
 * The retry schedule of a step: its own, else the call's, else the client's (after a `withPolicy`
 * override), capped at `attempts`; a step with a next one stops at once on an error that leaves it.
 * `onFailure` sees each failure fed to it (so the attempts of the step are counted).
 *
 * @internal
 */
export const scheduleFor = (
  plan: Fallback.Plan,
  info: Fallback.StepInfo,
  claude: Service,
  call: Claude.CallOptions | undefined,
  onFailure: () => void
): Effect.Effect<Schedule.Schedule<unknown, Error>> =>
  Effect.gen(function* () {
    const step = info.step
    const base: Schedule.Schedule<unknown, Error> =
      step.schedule ??
      (call?.retry === false ? Schedule.stop : (call?.retry ?? (yield* RetryPolicy.resolve(claude.retrySchedule))))
    const capped =
      step.attempts === undefined ? base : Schedule.intersect(base, Schedule.recurs(Math.max(0, step.attempts - 1)))
    const bounded = info.last ? capped : Schedule.whileInput(capped, (e: Error) => !leavesAtOnce(plan, e))
    return Schedule.tapInput(bounded, () => Effect.sync(onFailure))
  })

const labels = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

/** Records one fallback: the metric (from, to, reason), a log line, an event on the current span. @internal */
export const recordFallback = (from: string, to: string, reason: string): Effect.Effect<void> =>
  Effect.gen(function* () {
    const id = `${from}\u0000${to}\u0000${reason}`
    let tags = labels.get(id)
    if (tags === undefined) {
      if (labels.size >= 1_000) labels.clear()
      tags = [MetricLabel.make("from", from), MetricLabel.make("to", to), MetricLabel.make("reason", reason)]
      labels.set(id, tags)
    }
    metrics.fallbacks.unsafeUpdate(1, tags)
    const span = yield* Effect.option(Effect.currentSpan)
    if (Option.isSome(span)) {
      const nanos = yield* Clock.currentTimeNanos
      span.value.event("claude.fallback", nanos, { "claude.fallback.from": from, "claude.fallback.to": to, reason })
    }
    yield* Effect.logInfo("claude.fallback").pipe(Effect.annotateLogs({ from, to, reason }))
  })

/** @internal */
export const usage = (reports: ReadonlyArray<Fallback.StepReport>): ReadonlyArray<Fallback.ModelUsage> => {
  const byModel = new Map<string, { attempts: number; inputTokens: number; outputTokens: number }>()
  for (const report of reports) {
    const sum = byModel.get(report.model) ?? { attempts: 0, inputTokens: 0, outputTokens: 0 }
    sum.attempts += report.attempts
    sum.inputTokens += report.inputTokens
    sum.outputTokens += report.outputTokens
    byModel.set(report.model, sum)
  }
  return [...byModel].map(([model, sum]) => ({
    model,
    ...sum,
    cost: Model.cost(model, { inputTokens: sum.inputTokens, outputTokens: sum.outputTokens })
  }))
}

/** @internal */
export const totalCost = (models: ReadonlyArray<Fallback.ModelUsage>): number | undefined =>
  models.reduce<number | undefined>(
    (total, m) => (total === undefined || m.cost === undefined ? undefined : total + m.cost),
    0
  )

// -----------------------------------------------------------------------------
// The execution plan
// -----------------------------------------------------------------------------

const infoOf = (plan: Fallback.Plan, index: number): Fallback.StepInfo => ({
  index,
  step: plan.steps[index]!,
  last: index === plan.steps.length - 1
})

/** The `Claude` a step calls, as a layer over the `Claude` in context. */
const claudeLayer = (step: Fallback.Step): Layer.Layer<Claude.Claude, Error, Claude.Claude> =>
  step.claude === undefined
    ? Layer.effect(Claude.Claude, Claude.Claude)
    : typeof step.claude === "function"
      ? Layer.effect(Claude.Claude, Effect.map(Claude.Claude, step.claude))
      : step.claude

type Provide =
  | Context.Context<Claude.Claude | Fallback.CurrentStep>
  | Layer.Layer<Claude.Claude | Fallback.CurrentStep, Error, Claude.Claude>

const executionPlan = <In extends { readonly _tag: string }>(
  provides: NonEmptyReadonlyArray<Provide>,
  leave: (error: In) => boolean
) =>
  ExecutionPlan.make(
    ...(provides.map((provide, i) =>
      i === 0 ? { provide } : { provide, while: (error: In) => leave(error) }
    ) as unknown as readonly [{ readonly provide: Provide; readonly while?: (error: In) => boolean }])
  ) as unknown as ExecutionPlan.ExecutionPlan<{
    provides: Claude.Claude | Fallback.CurrentStep
    input: In
    error: Error
    requirements: Claude.Claude
  }>

/** @internal */
export const toExecutionPlan = (plan: Fallback.Plan) =>
  executionPlan<Error>(
    plan.steps.map((step, i) =>
      Layer.merge(claudeLayer(step), Layer.succeed(CurrentStep, infoOf(plan, i)))
    ) as unknown as NonEmptyReadonlyArray<Provide>,
    (error) => leaves(plan, error)
  )

// -----------------------------------------------------------------------------
// create
// -----------------------------------------------------------------------------

/** A reply whose stop reason is `refusal`, carried to the plan as a failure so the step is left. */
interface Refused {
  readonly _tag: typeof REFUSAL
  readonly message: Claude.Message
}

const isRefused = (u: Error | Refused): u is Refused => !ClaudeError.isClaudeError(u)

const reasonOf = (report: Fallback.StepReport | undefined): string =>
  report?.outcome === "refused" ? REFUSAL : (report?.error?._tag ?? "unknown")

/** One step of a `create`: the call with the step's model and schedule, its report recorded. */
const createStep = (
  plan: Fallback.Plan,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined,
  reports: Array<Fallback.StepReport>
): Effect.Effect<Claude.Message, Error | Refused, Claude.Claude | Fallback.CurrentStep> =>
  Effect.gen(function* () {
    const info = yield* CurrentStep
    const claude = yield* Claude.Claude
    const stepParams = paramsFor(info.step, params)
    const previous = reports.at(-1)
    if (info.index > 0 && previous !== undefined) {
      yield* recordFallback(previous.model, stepParams.model, reasonOf(previous))
    }
    let failures = 0
    const schedule = yield* scheduleFor(plan, info, claude, call, () => failures++)
    const exit = yield* Effect.exit(
      claude.messages.create(stepParams, { ...call, ...info.step.options, retry: schedule })
    )
    if (Exit.isFailure(exit)) {
      const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
      // a refusal was answered (and billed): its usage is the refused reply's
      const refused = error?._tag === "RefusalError" ? error.response.usage : undefined
      reports.push({
        model: stepParams.model,
        attempts: failures,
        outcome: refused !== undefined ? "refused" : "failed",
        error,
        inputTokens: refused?.input_tokens ?? 0,
        outputTokens: refused?.output_tokens ?? 0
      })
      return yield* exit
    }
    const message = exit.value
    const refused = message.stop_reason === "refusal"
    reports.push({
      model: stepParams.model,
      attempts: failures + 1,
      outcome: refused ? "refused" : "answered",
      error: undefined,
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens
    })
    if (refused && !info.last && leavesOnRefusal(plan)) return yield* Effect.fail<Refused>({ _tag: REFUSAL, message })
    return message
  })

/** The plan of a call, over the contexts of its steps (built once by a layer) or their layers. */
const run = (
  plan: Fallback.Plan,
  provides: NonEmptyReadonlyArray<Provide>,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined
): Effect.Effect<Fallback.Result, Error, Claude.Claude> =>
  Effect.suspend(() => {
    const reports: Array<Fallback.StepReport> = []
    const steps = executionPlan<Error | Refused>(provides, (error) => leaves(plan, error))
    return createStep(plan, params, call, reports).pipe(
      Effect.withExecutionPlan(steps),
      // a refusal on a step whose next one did not take it (leaveOn): the refusal is the answer
      Effect.catchIf(isRefused, (refused) => Effect.succeed(refused.message)),
      Effect.map((message): Fallback.Result => {
        const models = usage(reports)
        return {
          message,
          model: reports.at(-1)?.model ?? message.model,
          fallbacks: reports.length - 1,
          steps: reports,
          models,
          cost: totalCost(models)
        }
      }),
      Effect.tap((result) =>
        Effect.annotateCurrentSpan({
          "claude.fallback.answered_by": result.model,
          "claude.fallback.count": result.fallbacks,
          "claude.fallback.path": reports.map((r) => r.model).join(" > ")
        })
      ),
      Effect.tapError(() =>
        Effect.annotateCurrentSpan({
          "claude.fallback.count": Math.max(0, reports.length - 1),
          "claude.fallback.path": reports.map((r) => r.model).join(" > ")
        })
      ),
      Effect.withSpan("claude.fallback", {
        kind: "internal",
        captureStackTrace: false,
        attributes: { "claude.fallback.steps": plan.steps.map((s) => s.model ?? params.model).join(" > ") }
      })
    )
  })

/** @internal */
export const create = (
  plan: Fallback.Plan,
  params: Claude.MessageCreateParams,
  call?: Claude.CallOptions
): Effect.Effect<Fallback.Result, Error, Claude.Claude> =>
  run(
    plan,
    plan.steps.map((step, i) =>
      Layer.merge(claudeLayer(step), Layer.succeed(CurrentStep, infoOf(plan, i)))
    ) as unknown as NonEmptyReadonlyArray<Provide>,
    params,
    call
  )

// -----------------------------------------------------------------------------
// The layer
// -----------------------------------------------------------------------------

/** One stream's connection through the plan: before its first event a failure may leave the step. */
const streamStep = (
  plan: Fallback.Plan,
  params: Claude.MessageStreamParams,
  call: Claude.CallOptions | undefined,
  from: { model: string | undefined; error: string | undefined }
): Stream.Stream<Claude.MessageStreamEvent, Error, Claude.Claude | Fallback.CurrentStep> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const info = yield* CurrentStep
      const claude = yield* Claude.Claude
      const stepParams = paramsFor(info.step, params)
      if (info.index > 0 && from.model !== undefined) {
        yield* recordFallback(from.model, stepParams.model, from.error ?? "unknown")
      }
      from.model = stepParams.model
      const schedule = yield* scheduleFor(plan, info, claude, call, () => {})
      return claude.messages
        .stream(stepParams, { ...call, ...info.step.options, retry: schedule })
        .pipe(Stream.tapError((e) => Effect.sync(() => (from.error = e._tag))))
    })
  )

/** @internal */
export const stepClient = (
  step: Fallback.Step,
  base: Claude.Service
): Effect.Effect<Claude.Service, ClaudeError.ClaudeError, Scope.Scope> =>
  step.claude === undefined
    ? Effect.succeed(base)
    : typeof step.claude === "function"
      ? Effect.sync(() => (step.claude as (claude: Claude.Service) => Claude.Service)(base))
      : Effect.map(Layer.build(step.claude).pipe(Effect.provideService(Claude.Claude, base)), (context) =>
          Context.get(context, Claude.Claude)
        )

export const layer = (plan: Fallback.Plan): Layer.Layer<Claude.Claude, Error, Claude.Claude> =>
  Layer.scoped(
    Claude.Claude,
    Effect.gen(function* () {
      const base = yield* Claude.Claude
      const scope = yield* Effect.scope
      // each step's client is built once, for the life of this layer (so its breaker remembers)
      const provides: Array<Provide> = []
      for (let i = 0; i < plan.steps.length; i++) {
        const step = plan.steps[i]!
        const claude = yield* Effect.provideService(stepClient(step, base), Scope.Scope, scope)
        provides.push(Context.make(Claude.Claude, claude).pipe(Context.add(CurrentStep, infoOf(plan, i))))
      }
      const contexts = provides as unknown as NonEmptyReadonlyArray<Provide>
      const streams = executionPlan<Error>(contexts, (error) => leaves(plan, error))
      const service: Service = {
        messages: {
          create: (params, call) =>
            Effect.map(Effect.provideService(run(plan, contexts, params, call), Claude.Claude, base), (r) => r.message),
          stream: (params, call) =>
            Stream.suspend(() =>
              streamStep(plan, params, call, { model: undefined, error: undefined }).pipe(
                Stream.withExecutionPlan(streams, { preventFallbackOnPartialStream: true }),
                Stream.provideService(Claude.Claude, base)
              )
            ),
          countTokens: (params, call) =>
            base.messages.countTokens({ ...params, model: plan.steps[0].model ?? params.model }, call)
        },
        request: base.request,
        sdk: base.sdk,
        retrySchedule: base.retrySchedule
      }
      return service
    })
  )
