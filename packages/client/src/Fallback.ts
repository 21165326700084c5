/**
 * Fallback plans: when a model is overloaded, its circuit is open, its retries run out or it
 * refuses, the call goes on with the next step of a plan — another model, another schedule, even
 * another client (API key, base URL) — built on Effect's `ExecutionPlan`. Per call
 * ({@link create}) or for every call of a layer ({@link layer}). For streams that fall back
 * mid-stream, continuing from the text already received, see `ResumableStream`'s `fallback`
 * option (`@claude-resilience/stream`).
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import type { NonEmptyReadonlyArray } from "effect/Array"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as ExecutionPlan from "effect/ExecutionPlan"
import type * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Claude from "./Claude.js"
import * as internal from "./internal/fallback.js"

/**
 * What leaves a step for the next: a `ClaudeError` tag (left at once, without retrying on the
 * step), `"RefusalError"` (a `RefusalError`, or a reply whose `stop_reason` is `"refusal"`), or
 * `"exhausted"` (the step's retries ended in any other retryable error).
 *
 * @example
 * ```ts
 * import type { Fallback } from "@claude-resilience/client"
 *
 * const reasons: ReadonlyArray<Fallback.LeaveReason> = ["OverloadedError", "exhausted"]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type LeaveReason = ClaudeError.Tag | "RefusalError" | "exhausted"

/**
 * The reasons a step is left by default: `OverloadedError`, `CircuitOpenError` and
 * `ServiceUnavailableError` at once, a refusal, and exhausted retries.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const alsoWhenFull = [...Fallback.defaultLeaveOn, "BulkheadRejectedError" as const]
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const defaultLeaveOn: ReadonlyArray<LeaveReason> = internal.DEFAULT_LEAVE_ON

/**
 * One step of a plan. Every field is optional:
 *
 * | field | default |
 * |---|---|
 * | `model` | the request's model |
 * | `attempts` | the schedule decides: at most this many attempts on the step |
 * | `schedule` | the call's `retry`, else the client's policy (after a `RetryPolicy.withPolicy` override) |
 * | `claude` | the `Claude` in context; a layer over it (another key or base URL: `Claude.layer(...)`, or `AutoFit.layer()`), or a function of it (`(claude) => AutoFit.wrap(claude)`) |
 * | `maxTokens` | none; `max_tokens` is always clamped to the model's output cap (`Model.maxOutputTokens`) |
 * | `options` | none: call options of this step (`timeout`, `headers`, `circuitKey`, …) |
 *
 * A step that has a next one stops retrying at once on a reason in `leaveOn`; the last step
 * retries as any call does.
 *
 * @example
 * ```ts
 * import { Claude, type Fallback } from "@claude-resilience/client"
 * import { Redacted, Schedule } from "effect"
 *
 * const backup: Fallback.Step = {
 *   model: "claude-haiku-4-5",
 *   attempts: 3,
 *   schedule: Schedule.spaced("1 second"),
 *   claude: Claude.layer({ apiKey: Redacted.make("sk-ant-backup"), baseURL: "https://proxy.example" }),
 *   maxTokens: 4_096
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Step {
  readonly model?: string | undefined
  readonly attempts?: number | undefined
  readonly schedule?: Schedule.Schedule<unknown, ClaudeError.ClaudeError> | undefined
  readonly claude?:
    | Layer.Layer<Claude.Claude, ClaudeError.ClaudeError, Claude.Claude>
    | ((claude: Claude.Service) => Claude.Service)
    | undefined
  readonly maxTokens?: number | undefined
  readonly options?: Claude.CallOptions | undefined
}

/**
 * A plan: its steps in order, and what leaves a step ({@link defaultLeaveOn}).
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const plan: Fallback.Plan = Fallback.make(["claude-opus-5-5", "claude-sonnet-4-6"])
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Plan {
  readonly steps: NonEmptyReadonlyArray<Step>
  readonly leaveOn: ReadonlyArray<LeaveReason>
}

/**
 * The step a call of the plan is in, as {@link CurrentStep} provides it.
 *
 * @example
 * ```ts
 * import type { Fallback } from "@claude-resilience/client"
 *
 * const label = (info: Fallback.StepInfo) => `step ${info.index + 1}${info.last ? " (last)" : ""}`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface StepInfo {
  readonly index: number
  readonly step: Step
  readonly last: boolean
}

/**
 * What one step did: its `model`, its `attempts` (HTTP attempts and circuit rejections), whether
 * it `answered`, was `refused` or `failed` (with the `error`), and the tokens its reply reported
 * (a refusal is billed too; a failure reports none).
 *
 * @example
 * ```ts
 * import type { Fallback } from "@claude-resilience/client"
 *
 * const failed = (steps: ReadonlyArray<Fallback.StepReport>) => steps.filter((s) => s.outcome === "failed")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface StepReport {
  readonly model: string
  readonly attempts: number
  readonly outcome: "answered" | "refused" | "failed"
  readonly error: ClaudeError.ClaudeError | undefined
  readonly inputTokens: number
  readonly outputTokens: number
}

/**
 * Attempts, tokens and list price (`Model.cost`, `undefined` for a model the table does not know)
 * summed per model.
 *
 * @example
 * ```ts
 * import type { Fallback } from "@claude-resilience/client"
 *
 * const line = (m: Fallback.ModelUsage) => `${m.model}: ${m.attempts} attempts, ${m.outputTokens} tokens out`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface ModelUsage {
  readonly model: string
  readonly attempts: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cost: number | undefined
}

/**
 * The outcome of {@link create}: the `message`, the `model` that answered it, how many
 * `fallbacks` it took, every step's report, usage per model and the total `cost`.
 *
 * @example
 * ```ts
 * import type { Fallback } from "@claude-resilience/client"
 *
 * const summary = (r: Fallback.Result) => `${r.model} answered after ${r.fallbacks} fallbacks ($${r.cost ?? "?"})`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Result {
  readonly message: Claude.Message
  readonly model: string
  readonly fallbacks: number
  readonly steps: ReadonlyArray<StepReport>
  readonly models: ReadonlyArray<ModelUsage>
  readonly cost: number | undefined
}

/**
 * The identifier of {@link CurrentStep}.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const step: Effect.Effect<Fallback.StepInfo, never, Fallback.CurrentStep> = Fallback.CurrentStep
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export interface CurrentStep {
  readonly _: unique symbol
}

/**
 * The step a call runs in, provided by each step of {@link toExecutionPlan}.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const model = Effect.map(Fallback.CurrentStep, (info) => info.step.model)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export const CurrentStep: Context.Tag<CurrentStep, StepInfo> = internal.CurrentStep

/**
 * Builds a plan from steps (a string is a model) and the reasons that leave a step. A step's
 * `attempts` below 1 is a programming error (a `RangeError`, as `ExecutionPlan.make` throws).
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const plan = Fallback.make(
 *   [{ model: "claude-opus-5-5", attempts: 2 }, "claude-sonnet-4-6", "claude-haiku-4-5"],
 *   { leaveOn: ["OverloadedError", "CircuitOpenError", "exhausted"] }
 * )
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: (
  steps: NonEmptyReadonlyArray<Step | string>,
  options?: { readonly leaveOn?: ReadonlyArray<LeaveReason> | undefined }
) => Plan = internal.make

/**
 * One Messages call through a plan: the first step's model, then the next whenever a step is left
 * (see {@link LeaveReason}). Each step is a call of its `Claude` (retries, breaker, bulkhead,
 * preflight apply per step) with the model replaced and `max_tokens` clamped to the model's
 * output cap. Fails with the last step's error when every step is left; a refusal of the last
 * step is its answer.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const plan = Fallback.make(["claude-opus-5-5", "claude-haiku-4-5"])
 * const answer = Fallback.create(plan, {
 *   model: "claude-opus-5-5",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }).pipe(Effect.tap((result) => Effect.log(`answered by ${result.model}`)))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const create: (
  plan: Plan,
  params: Claude.MessageCreateParams,
  options?: Claude.CallOptions
) => Effect.Effect<Result, ClaudeError.ClaudeError, Claude.Claude> = internal.create

/**
 * A `Claude` over the one in context whose `create` runs every call through the plan, and whose
 * `stream` falls back while nothing has been received yet (a stream cut later fails as before:
 * use `ResumableStream`'s `fallback` to continue on another model mid-stream). Steps with a
 * `claude` layer are built once, with this layer (its error is theirs: a `PreflightError` for a
 * malformed key). `countTokens` counts for the first step's model.
 *
 * @example
 * ```ts
 * import { Claude, Fallback } from "@claude-resilience/client"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = Fallback.layer(Fallback.make([{}, "claude-haiku-4-5"])).pipe(
 *   Layer.provide(Claude.layer({ apiKey: Redacted.make("sk-ant-...") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer: (plan: Plan) => Layer.Layer<Claude.Claude, ClaudeError.ClaudeError, Claude.Claude> = internal.layer

/**
 * The plan as Effect's `ExecutionPlan`, for your own effect or stream: each step provides its
 * `Claude` and {@link CurrentStep}; the next step is entered on a failure that leaves the step.
 * (Your effect replaces the model itself, e.g. with {@link paramsFor}.)
 *
 * @example
 * ```ts
 * import { Claude, Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const plan = Fallback.make(["claude-sonnet-4-6", "claude-haiku-4-5"])
 * const params = { model: "claude-sonnet-4-6", max_tokens: 512, messages: [{ role: "user" as const, content: "Hi" }] }
 * const answer = Effect.gen(function* () {
 *   const { step } = yield* Fallback.CurrentStep
 *   const claude = yield* Claude.Claude
 *   return yield* claude.messages.create(Fallback.paramsFor(step, params))
 * }).pipe(Effect.withExecutionPlan(Fallback.toExecutionPlan(plan)))
 * ```
 *
 * @since 0.1.0
 * @category Conversions
 */
export const toExecutionPlan: (plan: Plan) => ExecutionPlan.ExecutionPlan<{
  provides: Claude.Claude | CurrentStep
  input: ClaudeError.ClaudeError
  error: ClaudeError.ClaudeError
  requirements: Claude.Claude
}> = internal.toExecutionPlan

/**
 * A request as a step sends it: the step's model, `max_tokens` clamped to the step's `maxTokens`
 * and to the model's output cap (`Model.maxOutputTokens`).
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const params = Fallback.paramsFor(
 *   { model: "claude-haiku-4-5" },
 *   { model: "claude-opus-5-5", max_tokens: 100_000, messages: [{ role: "user", content: "Hi" }] }
 * )
 * params.max_tokens // 64000 (Haiku 4.5's output cap)
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const paramsFor: <P extends { readonly model: string; readonly max_tokens: number }>(
  step: Step,
  params: P
) => P = internal.paramsFor

/**
 * Whether a failure leaves a step at once (its tag is in the plan's `leaveOn`).
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const plan = Fallback.make(["claude-opus-5-5", "claude-haiku-4-5"])
 * Fallback.leavesAtOnce(plan, new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })) // true
 * ```
 *
 * @since 0.1.0
 * @category Predicates
 */
export const leavesAtOnce: (plan: Plan, error: { readonly _tag: string }) => boolean = internal.leavesAtOnce

/**
 * Whether a step that ended with this failure is left: at once ({@link leavesAtOnce}), or because
 * its retries ran out on a retryable error (`"exhausted"` in `leaveOn`).
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const plan = Fallback.make(["claude-opus-5-5", "claude-haiku-4-5"])
 * Fallback.leaves(plan, new ClaudeError.ApiError({ message: "Internal", status: 500 })) // true
 * Fallback.leaves(plan, new ClaudeError.InvalidRequestError({ message: "bad", status: 400 })) // false
 * ```
 *
 * @since 0.1.0
 * @category Predicates
 */
export const leaves: (plan: Plan, error: { readonly _tag: string }) => boolean = internal.leaves

/**
 * Whether a refusal (`stop_reason: "refusal"`) leaves a step.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * Fallback.leavesOnRefusal(Fallback.make(["claude-opus-5-5", "claude-haiku-4-5"])) // true
 * ```
 *
 * @since 0.1.0
 * @category Predicates
 */
export const leavesOnRefusal: (plan: Plan) => boolean = internal.leavesOnRefusal

/**
 * The retry schedule of a step's calls: the step's, else the call's `retry`, else the client's
 * policy; capped at the step's `attempts`; for a step with a next one, stopped at once by a
 * failure that leaves it. `onFailure` runs for every failure the schedule sees.
 *
 * @example
 * ```ts
 * import { Claude, Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const plan = Fallback.make(["claude-opus-5-5", "claude-haiku-4-5"])
 * const schedule = Effect.flatMap(Claude.Claude, (claude) =>
 *   Fallback.scheduleFor(plan, { index: 0, step: plan.steps[0], last: false }, claude, undefined, () => {})
 * )
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const scheduleFor: (
  plan: Plan,
  info: StepInfo,
  claude: Claude.Service,
  call: Claude.CallOptions | undefined,
  onFailure: () => void
) => Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> = internal.scheduleFor

/**
 * The `Claude` service a step calls through: its own client (a layer, built in the current scope
 * on top of `base`, or a function of `base`), else `base` itself. Build it once per step and keep
 * it (its breaker remembers).
 *
 * @example
 * ```ts
 * import { Claude, Fallback } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const client = Effect.flatMap(Claude.Claude, (base) =>
 *   Fallback.stepClient({ model: "claude-haiku-4-5" }, base)
 * ).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const stepClient: (
  step: Step,
  base: Claude.Service
) => Effect.Effect<Claude.Service, ClaudeError.ClaudeError, Scope.Scope> = internal.stepClient

/**
 * Records one fallback: `claude_fallbacks_total` (tags `from`, `to`, `reason`), a
 * `claude.fallback` event on the current span and an Info log line of that name.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const recorded = Fallback.recordFallback("claude-opus-5-5", "claude-haiku-4-5", "OverloadedError")
 * ```
 *
 * @since 0.1.0
 * @category Observability
 */
export const recordFallback: (from: string, to: string, reason: string) => Effect.Effect<void> = internal.recordFallback

/**
 * Step reports summed per model, with each model's list price.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 *
 * const models = Fallback.usage([
 *   { model: "claude-opus-5-5", attempts: 1, outcome: "failed", error: undefined, inputTokens: 0, outputTokens: 0 },
 *   { model: "claude-haiku-4-5", attempts: 1, outcome: "answered", error: undefined, inputTokens: 20, outputTokens: 200 }
 * ])
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const usage: (reports: ReadonlyArray<StepReport>) => ReadonlyArray<ModelUsage> = internal.usage

/**
 * The metrics of fallbacks: `claude_fallbacks_total`, tagged `from`, `to` and `reason`.
 *
 * @example
 * ```ts
 * import { Fallback } from "@claude-resilience/client"
 * import { Metric } from "effect"
 *
 * const fallbacks = Metric.value(Fallback.metrics.fallbacks)
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics: { readonly fallbacks: typeof internal.metrics.fallbacks } = internal.metrics
