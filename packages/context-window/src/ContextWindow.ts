/**
 * Fit a conversation into the model's context window in O(log n) count calls without ever breaking
 * it: roles alternate, tool pairs stay together, the system prompt, the pinned prefix and the last
 * user turn stay. What stands in for the dropped messages is a `Compactor`'s choice; recovering
 * from "prompt is too long" after the fact is `AutoFit`'s.
 *
 * @since 0.1.0
 */
import type { Content } from "@claude-resilience/api"
import type { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"
import type * as Compactor from "./Compactor.js"
import * as cut from "./internal/cut.js"
import * as internal from "./internal/fit.js"
import { metrics as internalMetrics } from "./internal/metrics.js"
import * as internalSearch from "./internal/search.js"

/**
 * What `fit` accepts: a Messages API request, streaming or not.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const request: ContextWindow.Request = {
 *   model: "claude-sonnet-4-6",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Request = Claude.MessageCreateParams | Claude.MessageStreamParams

/**
 * Even the smallest valid conversation (system prompt, pinned prefix, the last user turn and what
 * it needs) does not fit the budget. Carries the counts so the caller can decide: a larger window,
 * a smaller `max_tokens`, or a shorter last turn.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const fitted: Effect.Effect<string, ContextWindow.ContextOverflowError>
 * fitted.pipe(
 *   Effect.catchTag("ContextOverflowError", (e) => Effect.succeed(`over by ${(e.minimalInputTokens ?? 0) - e.budget}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ContextOverflowError extends Schema.TaggedError<ContextOverflowError>()("ContextOverflowError", {
  model: Schema.String,
  /** the window fitted against */
  contextWindow: Schema.Number,
  /** the request's `max_tokens` */
  maxTokens: Schema.Number,
  headroom: Schema.Number,
  /** contextWindow − maxTokens − headroom */
  budget: Schema.Number,
  /** the count of the whole conversation, when it was counted */
  inputTokens: Schema.optional(Schema.Number),
  /** the count of the smallest valid conversation, when it was counted */
  minimalInputTokens: Schema.optional(Schema.Number),
  messages: Schema.Number,
  /** messages in the smallest valid conversation */
  minimalMessages: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const minimal = this.minimalInputTokens === undefined ? "" : `${this.minimalInputTokens} tokens in `
    return `the smallest valid conversation (${minimal}${this.minimalMessages} of ${this.messages} messages) does not fit ${this.budget} tokens (window ${this.contextWindow} − max_tokens ${this.maxTokens} − headroom ${this.headroom})`
  }
}

/**
 * Whether a value is a {@link ContextOverflowError}.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.isContextOverflowError(new Error("x")) // false
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export const isContextOverflowError = (u: unknown): u is ContextOverflowError => u instanceof ContextOverflowError

/**
 * `fit` cannot read the request or its options: the request is not an object, its `model` is not a
 * string, its `max_tokens` not a non-negative integer, its `messages` not an array of messages (an
 * object with a `user` or `assistant` role and content that is a string or an array of blocks, each
 * an object with a string `type`, a text block with a string `text`), or an option is not a number of
 * the right kind. `reason` names the field and the kind of value found (never the value). Raised
 * before any count call.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const fitted: Effect.Effect<string, ContextWindow.MalformedRequestError>
 * fitted.pipe(Effect.catchTag("MalformedRequestError", (e) => Effect.succeed(e.reason)))
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class MalformedRequestError extends Schema.TaggedError<MalformedRequestError>()("MalformedRequestError", {
  /** what is wrong, e.g. `messages.3: expected a message (an object), found null` */
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `cannot fit this request: ${this.reason}`
  }
}

/**
 * Whether a value is a {@link MalformedRequestError}.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.isMalformedRequestError(new Error("x")) // false
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export const isMalformedRequestError = (u: unknown): u is MalformedRequestError => u instanceof MalformedRequestError

/**
 * Options of {@link fit}.
 *
 * | option | default |
 * |---|---|
 * | `contextWindow` | the model's window from `@claude-resilience/api`'s `Model` table (200,000 for an unknown id) |
 * | `headroom` | 2% of the window, kept free below `window − max_tokens` |
 * | `pin` | 0: the first `pin` messages are never dropped (a task statement) |
 * | `compactor` | the `Compactor` in context, else `Compactor.dropOldest` |
 * | `estimate` | `true`: a local estimate steers the search; `false` bisects; or your own per-message estimate |
 * | `inputTokens` | none: the count of the whole request if you already know it (saves one count) |
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const options: ContextWindow.FitOptions = { pin: 1, headroom: 2_000 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface FitOptions {
  readonly contextWindow?: number | undefined
  readonly headroom?: number | undefined
  readonly pin?: number | undefined
  readonly compactor?: Compactor.Service | undefined
  readonly estimate?: boolean | ((message: Content.MessageParam) => number) | undefined
  readonly inputTokens?: number | undefined
}

/**
 * The outcome of {@link fit}: the request to send and what it took.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const saved = (fitted: ContextWindow.Fitted<ContextWindow.Request>) => fitted.droppedMessages
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Fitted<A extends Request> {
  readonly request: A
  /** the input tokens of `request` as counted (replacement included) */
  readonly inputTokens: number
  /** the count of the original request */
  readonly originalInputTokens: number
  readonly contextWindow: number
  readonly budget: number
  readonly droppedMessages: number
  readonly countCalls: number
  /** the name of the compactor used */
  readonly compactor: string
  readonly replacement: Compactor.Replacement | undefined
}

/**
 * The metrics this package records: fits by outcome, count calls, dropped messages, auto-fit
 * recoveries by kind, and the tokens spent on summaries.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Metric } from "effect"
 *
 * const fits = Metric.value(ContextWindow.metrics.fits)
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics: {
  /** `fit` runs by `outcome` (unchanged / fitted / overflow) */
  readonly fits: Metric.Metric.Counter<number>
  /** count_tokens calls made by fits */
  readonly countCalls: Metric.Metric.Counter<number>
  /** messages dropped by fits */
  readonly droppedMessages: Metric.Metric.Counter<number>
  /** automatic recoveries by `kind` (fit / clamp), see `AutoFit` */
  readonly recoveries: Metric.Metric.Counter<number>
  /** tokens (input + output) spent on summaries, see `Compactor.summarize` */
  readonly summaryTokens: Metric.Metric.Counter<number>
} = internalMetrics

/**
 * Fits a request into its model's window: `window − max_tokens − headroom` input tokens, counted
 * by `Claude.messages.countTokens`. The oldest messages after the pinned prefix are dropped at a
 * valid cut (the kept conversation starts with a user turn, roles alternate, no tool_use loses
 * its tool_result, the system prompt and the last user turn stay), found by a search that makes at
 * most ⌈log2 n⌉ + 2 count calls for n messages (a replacement from the compactor costs one more).
 * Fails with {@link ContextOverflowError} when the smallest valid conversation does not fit, with
 * {@link MalformedRequestError} (before any count) when the request or the options cannot be read,
 * and with a `ClaudeError` when a count fails: a count reply whose `input_tokens` is not a
 * non-negative integer is a `ConnectionError` with reason `"protocol"`.
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const messages: Array<Content.MessageParam>
 *
 * const program = Effect.gen(function* () {
 *   const claude = yield* Claude.Claude
 *   const fitted = yield* ContextWindow.fit({ model: "claude-sonnet-4-6", max_tokens: 4096, messages }, { pin: 1 })
 *   return yield* claude.messages.create(fitted.request)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const fit: {
  (options?: FitOptions): <A extends Request>(request: A) => Effect.Effect<Fitted<A>, FitError, Claude.Claude>
  <A extends Request>(request: A, options?: FitOptions): Effect.Effect<Fitted<A>, FitError, Claude.Claude>
} = dual(internal.isDataFirst, <A extends Request>(request: A, options?: FitOptions) =>
  internal.fit(request, options ?? {}).pipe(
    Effect.catchIf(internal.isOverflow, (overflow) => Effect.fail(new ContextOverflowError(overflow.fields))),
    Effect.catchIf(internal.isMalformed, (malformed) =>
      Effect.fail(new MalformedRequestError({ reason: malformed.reason }))
    )
  )
)

/**
 * Every way {@link fit} can fail.
 *
 * @example
 * ```ts
 * import type { ContextWindow } from "@claude-resilience/context-window"
 *
 * const isOurs = (e: ContextWindow.FitError) => e._tag === "ContextOverflowError" || e._tag === "MalformedRequestError"
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export type FitError = ContextOverflowError | MalformedRequestError | ClaudeError.ClaudeError

/**
 * The most count calls {@link fit} makes for a conversation of `n` messages, before a replacement:
 * ⌈log2 n⌉ + 2.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.maxCountCalls(1000) // 12
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const maxCountCalls: (n: number) => number = internalSearch.maxCalls

/**
 * The cut points of a conversation: `cuts[0]` keeps everything, each later cut drops more, and
 * each keeps a valid conversation. `pinned` is the pin extended past any tool pair it splits.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const { cuts } = ContextWindow.cutPoints([
 *   { role: "user", content: "a" },
 *   { role: "assistant", content: "b" },
 *   { role: "user", content: "c" }
 * ])
 * // cuts: [0, 2]
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const cutPoints = (
  messages: ReadonlyArray<Content.MessageParam>,
  pin = 0
): { readonly pinned: number; readonly cuts: ReadonlyArray<number> } => cut.cutPoints(messages, pin)
