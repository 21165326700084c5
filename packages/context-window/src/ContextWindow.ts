/**
 * Fit a conversation into the model's context window in O(log n) count calls without ever breaking
 * it (roles alternate, tool pairs stay together, the system prompt, the pinned prefix and the last
 * user turn stay), and recover from "prompt is too long" and an over-limit `max_tokens`.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as cut from "./internal/cut.js"
import * as models from "./internal/models.js"
import * as internalSearch from "./internal/search.js"

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * A message of a conversation (the SDK's `MessageParam`).
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const turn: ContextWindow.MessageParam = { role: "user", content: "Hello" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageParam = Anthropic.Messages.MessageParam

/**
 * What `fit` accepts: a Messages API request, streaming or not.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const request: ContextWindow.Request = {
 *   model: "claude-sonnet-4-5",
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
 * What the model table knows of a model: its window, the long-context (1M) window where the model
 * offers it, its largest `max_tokens`, and list prices in USD per million tokens.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const mine: ContextWindow.ModelInfo = { contextWindow: 32_000, maxOutputTokens: 4_096 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface ModelInfo extends models.ModelInfo {}

/**
 * Known models, keyed by id or id prefix (`claude-sonnet-4-5` also matches
 * `claude-sonnet-4-5-20250929`). Unknown models get {@link defaultContextWindow}.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const window = ContextWindow.knownModels["claude-sonnet-4-6"]?.contextWindow // 200_000
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const knownModels: Readonly<Record<string, ModelInfo>> = models.MODELS

/**
 * The window assumed for a model missing from the table: 200,000 tokens.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.defaultContextWindow // 200_000
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultContextWindow: number = models.DEFAULT_WINDOW

/**
 * The `anthropic-beta` value that turns on the 1M-token window on models that offer it. Send it
 * (e.g. `{ headers: ContextWindow.longContextHeaders }` as the call options) and fit with
 * `longContext: true`.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const headers = { "anthropic-beta": ContextWindow.longContextBeta }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const longContextBeta: string = models.LONG_CONTEXT_BETA

/**
 * Call options' headers asking for the 1M-token window.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const call: Claude.CallOptions = { headers: ContextWindow.longContextHeaders }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const longContextHeaders: Readonly<Record<string, string>> = { "anthropic-beta": models.LONG_CONTEXT_BETA }

/**
 * What the table says about a model (with `overrides` taking precedence), if anything.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.modelInfo("claude-haiku-4-5-20251001")?.maxOutputTokens // 64_000
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const modelInfo = (
  model: string,
  overrides?: Readonly<Record<string, ModelInfo>> | undefined
): ModelInfo | undefined =>
  (overrides !== undefined ? models.lookup(overrides, model) : undefined) ?? models.lookup(models.MODELS, model)

/**
 * The context window of a model: an explicit override, else the table (its 1M window when
 * `longContext` is set and the model offers one), else {@link defaultContextWindow}.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.contextWindowOf("claude-sonnet-4-6", { longContext: true }) // 1_000_000
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const contextWindowOf = (
  model: string,
  options: Pick<FitOptions, "contextWindow" | "longContext" | "models"> = {}
): number => {
  if (options.contextWindow !== undefined) return options.contextWindow
  const info = modelInfo(model, options.models)
  if (info === undefined) return models.DEFAULT_WINDOW
  return options.longContext === true && info.longContextWindow !== undefined
    ? info.longContextWindow
    : info.contextWindow
}

/**
 * The list price in USD of a call's usage, when the table has the model's prices.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.costOf("claude-haiku-4-5", { inputTokens: 1_000_000, outputTokens: 0 }) // 1
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const costOf = (
  model: string,
  usage: Usage,
  overrides?: Readonly<Record<string, ModelInfo>> | undefined
): number | undefined => {
  const info = modelInfo(model, overrides)
  if (info?.inputPrice === undefined || info.outputPrice === undefined) return undefined
  return (usage.inputTokens * info.inputPrice + usage.outputTokens * info.outputPrice) / 1_000_000
}

/**
 * Token usage of a call a strategy made.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const usage: ContextWindow.Usage = { inputTokens: 12_000, outputTokens: 800 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/**
 * What a strategy puts in place of the dropped messages: a text placed in the user turn next to
 * the gap, and what producing it cost.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const note: ContextWindow.Replacement = { text: "[12 earlier messages were removed]" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Replacement {
  readonly text: string
  /** the model that produced the text, if any */
  readonly model?: string | undefined
  readonly usage?: Usage | undefined
  /** list price in USD, when known */
  readonly costUsd?: number | undefined
}

/**
 * A fitting strategy. The cut is always chosen by the search (so conversations stay valid); a
 * strategy decides what replaces the dropped messages. `reserve` tokens are kept free for that
 * replacement while searching.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const note: ContextWindow.Strategy = {
 *   name: "note",
 *   reserve: 32,
 *   replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages were removed]` })
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Strategy {
  readonly name: string
  readonly reserve: number
  readonly replace: (input: {
    readonly dropped: ReadonlyArray<MessageParam>
    readonly request: Request
  }) => Effect.Effect<Replacement | undefined, ClaudeError.ClaudeError>
}

/**
 * The strategy `fit` uses when its options name none. Absent from context, `fit` drops the oldest
 * messages.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const name = Effect.map(ContextWindow.FitStrategy, (strategy) => strategy.name)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class FitStrategy extends Context.Tag("@claude-resilience/context-window/FitStrategy")<
  FitStrategy,
  Strategy
>() {}

/**
 * The default strategy: drop the oldest messages after the pinned prefix, replace them by nothing.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * ContextWindow.dropOldest.name // "drop-oldest"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const dropOldest: Strategy = {
  name: "drop-oldest",
  reserve: 0,
  replace: () => Effect.succeed(undefined)
}

/**
 * Options of the summarizing strategy.
 *
 * | option | default |
 * |---|---|
 * | `model` | `"claude-haiku-4-5"` (cheaper than the model being fitted) |
 * | `maxTokens` | 1024: the summary's `max_tokens`, also reserved in the budget |
 * | `system` | a prompt asking for a dense factual summary |
 * | `maxTranscriptChars` | 400,000: a longer dropped prefix is summarized from its newest part |
 * | `callOptions` | none: retry, timeout and circuit come from the client layer |
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const options: ContextWindow.SummarizeOptions = { model: "claude-haiku-4-5", maxTokens: 512 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface SummarizeOptions {
  readonly model?: string | undefined
  readonly maxTokens?: number | undefined
  readonly system?: string | undefined
  readonly maxTranscriptChars?: number | undefined
  readonly callOptions?: Claude.CallOptions | undefined
  /** price overrides for the cost report */
  readonly models?: Readonly<Record<string, ModelInfo>> | undefined
}

const SUMMARY_SYSTEM =
  "You compress the beginning of a conversation that no longer fits the context window. Write a dense, factual summary of it: decisions, facts, names, numbers, open questions and tool results that later turns may rely on. No preamble."

/**
 * The summarizing strategy: the dropped messages become one summary written by a (cheaper) model,
 * called through the resilient client from context; the summary's usage and cost are reported.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const strategy = ContextWindow.summarize({ model: "claude-haiku-4-5" })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const summarize = (options: SummarizeOptions = {}): Effect.Effect<Strategy, never, Claude.Claude> =>
  Effect.map(Claude.Claude, (claude): Strategy => {
    const model = options.model ?? "claude-haiku-4-5"
    const maxTokens = options.maxTokens ?? 1024
    const maxChars = options.maxTranscriptChars ?? 400_000
    return {
      name: "summarize",
      // the summary's tokens plus the wrapper text around it
      reserve: maxTokens + 32,
      replace: ({ dropped }) =>
        Effect.gen(function* () {
          if (dropped.length === 0) return undefined
          const full = cut.transcript(dropped)
          const text = full.length > maxChars ? full.slice(full.length - maxChars) : full
          const message = yield* claude.messages.create(
            {
              model,
              max_tokens: maxTokens,
              system: options.system ?? SUMMARY_SYSTEM,
              messages: [{ role: "user", content: `<conversation>\n${text}\n</conversation>` }]
            },
            options.callOptions
          )
          const summary = message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("")
          const usage: Usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens }
          const costUsd = costOf(model, usage, options.models)
          yield* Metric.incrementBy(metrics.summaryTokens, usage.inputTokens + usage.outputTokens)
          yield* Effect.logInfo("context_window.summary").pipe(
            Effect.annotateLogs({
              model,
              dropped_messages: dropped.length,
              input_tokens: usage.inputTokens,
              output_tokens: usage.outputTokens,
              ...(costUsd !== undefined ? { cost_usd: costUsd } : {})
            })
          )
          return {
            text: `<summary of ${dropped.length} earlier messages>\n${summary.trim()}\n</summary>`,
            model,
            usage,
            costUsd
          }
        }).pipe(Effect.withSpan("ContextWindow.summarize", { attributes: { "gen_ai.request.model": model } }))
    }
  })

/**
 * The default strategy as a layer.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const StrategyLive = ContextWindow.layerDropOldest
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerDropOldest: Layer.Layer<FitStrategy> = Layer.succeed(FitStrategy, dropOldest)

/**
 * The summarizing strategy as a layer; it needs the `Claude` client.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const StrategyLive = ContextWindow.layerSummarize({ model: "claude-haiku-4-5", maxTokens: 512 })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerSummarize = (options?: SummarizeOptions): Layer.Layer<FitStrategy, never, Claude.Claude> =>
  Layer.effect(FitStrategy, summarize(options))

/**
 * A user-supplied strategy as a layer.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const StrategyLive = ContextWindow.layerStrategy({
 *   name: "note",
 *   reserve: 32,
 *   replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages were removed]` })
 * })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerStrategy = (strategy: Strategy): Layer.Layer<FitStrategy> => Layer.succeed(FitStrategy, strategy)

// ---------------------------------------------------------------------------------------------
// fit
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link fit}.
 *
 * | option | default |
 * |---|---|
 * | `contextWindow` | from the model table ({@link contextWindowOf}) |
 * | `longContext` | `false`: `true` uses the model's 1M window (send {@link longContextHeaders} too) |
 * | `models` | none: table entries added or overriding {@link knownModels} |
 * | `headroom` | 2% of the window, kept free below `window − max_tokens` |
 * | `pin` | 0: the first `pin` messages are never dropped (a task statement) |
 * | `strategy` | the {@link FitStrategy} in context, else {@link dropOldest} |
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
  readonly longContext?: boolean | undefined
  readonly models?: Readonly<Record<string, ModelInfo>> | undefined
  readonly headroom?: number | undefined
  readonly pin?: number | undefined
  readonly strategy?: Strategy | undefined
  readonly estimate?: boolean | ((message: MessageParam) => number) | undefined
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
  /** the input tokens of `request` as counted (summary included) */
  readonly inputTokens: number
  /** the count of the original request */
  readonly originalInputTokens: number
  readonly contextWindow: number
  readonly budget: number
  readonly droppedMessages: number
  readonly countCalls: number
  readonly strategy: string
  readonly replacement: Replacement | undefined
}

/**
 * The metrics this module records.
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
export const metrics = {
  /** `fit` runs by `outcome` (unchanged / fitted / overflow) */
  fits: Metric.counter("context_window_fits_total", { description: "Context window fits by outcome" }),
  /** count_tokens calls made by fits */
  countCalls: Metric.counter("context_window_count_calls_total", { description: "count_tokens calls made by fits" }),
  /** messages dropped by fits */
  droppedMessages: Metric.counter("context_window_dropped_messages_total", {
    description: "Messages dropped to fit the context window"
  }),
  /** automatic recoveries by `kind` (fit / clamp) */
  recoveries: Metric.counter("context_window_recoveries_total", {
    description: "Requests recovered from a context-window or max_tokens 400"
  }),
  /** tokens (input + output) spent on summaries */
  summaryTokens: Metric.counter("context_window_summary_tokens_total", {
    description: "Tokens spent by the summarizing strategy"
  })
}

const isRequest = (u: unknown): u is Request =>
  typeof u === "object" && u !== null && "messages" in u && "model" in u && "max_tokens" in u

const countParams = (request: Request, messages: ReadonlyArray<MessageParam>): Claude.CountTokensParams => {
  const params: { -readonly [K in keyof Claude.CountTokensParams]: Claude.CountTokensParams[K] } = {
    model: request.model,
    messages: [...messages]
  }
  if (request.system !== undefined) params.system = request.system
  if (request.tools !== undefined) params.tools = request.tools as Claude.CountTokensParams["tools"] & {}
  if (request.tool_choice !== undefined) params.tool_choice = request.tool_choice
  if (request.thinking !== undefined) params.thinking = request.thinking
  return params
}

const fitImpl = Effect.fn("ContextWindow.fit")(function* <A extends Request>(request: A, options: FitOptions) {
  const claude = yield* Claude.Claude
  const strategy = options.strategy ?? Option.getOrElse(yield* Effect.serviceOption(FitStrategy), () => dropOldest)
  const messages = request.messages
  const contextWindow = contextWindowOf(request.model, options)
  const headroom = options.headroom ?? Math.ceil(contextWindow * 0.02)
  const budget = contextWindow - request.max_tokens - headroom
  const { cuts, pinned } = cut.cutPoints(messages, options.pin ?? 0)
  const overflow = (fields: { inputTokens?: number | undefined; minimalInputTokens?: number | undefined }) =>
    Effect.zipRight(
      Metric.increment(Metric.tagged(metrics.fits, "outcome", "overflow")),
      new ContextOverflowError({
        model: request.model,
        contextWindow,
        maxTokens: request.max_tokens,
        headroom,
        budget,
        ...fields,
        messages: messages.length,
        minimalMessages: pinned + messages.length - cuts[cuts.length - 1]!
      })
    )
  if (budget <= 0) return yield* overflow({ inputTokens: options.inputTokens })

  const perMessage =
    options.estimate === false
      ? undefined
      : typeof options.estimate === "function"
        ? options.estimate
        : cut.estimateMessage
  let estimate: ((c: number) => number) | undefined
  if (perMessage !== undefined) {
    // suffix sums: the estimate of messages[c..n) plus the fixed part (pinned prefix, system, tools)
    const suffix = new Array<number>(messages.length + 1).fill(0)
    for (let i = messages.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + perMessage(messages[i]!)
    const fixed = suffix[0]! - suffix[pinned]!
    estimate = (c) => fixed + suffix[c]!
  }
  const result = yield* internalSearch.search({
    cuts,
    n: messages.length,
    budget,
    reducedBudget: budget - strategy.reserve,
    known0: options.inputTokens,
    estimate,
    count: (c) =>
      Effect.map(
        claude.messages.countTokens(countParams(request, cut.keep(messages, pinned, c))),
        (count) => count.input_tokens
      )
  })
  yield* Metric.incrementBy(metrics.countCalls, result.calls)
  if (result.index === undefined) {
    return yield* overflow({ inputTokens: result.fullTokens, minimalInputTokens: result.tokens })
  }
  const c = cuts[result.index]!
  const dropped = messages.slice(pinned, c)
  let replacement: Replacement | undefined
  let kept = cut.keep(messages, pinned, c)
  let inputTokens = result.tokens
  let calls = result.calls
  if (dropped.length > 0) {
    replacement = yield* strategy.replace({ dropped, request })
    if (replacement !== undefined) {
      const withSummary = cut.keep(messages, pinned, c, replacement.text)
      const counted = (yield* claude.messages.countTokens(countParams(request, withSummary))).input_tokens
      calls++
      yield* Metric.increment(metrics.countCalls)
      if (counted <= budget) {
        kept = withSummary
        inputTokens = counted
      } else {
        // a summary longer than reserved: keep the plain cut, which fits
        yield* Effect.logWarning("context_window.replacement_too_long").pipe(
          Effect.annotateLogs({ strategy: strategy.name, tokens: counted, budget })
        )
        replacement = undefined
      }
    }
  }
  yield* Metric.increment(Metric.tagged(metrics.fits, "outcome", dropped.length > 0 ? "fitted" : "unchanged"))
  if (dropped.length > 0) {
    yield* Metric.incrementBy(metrics.droppedMessages, dropped.length)
    yield* Effect.logInfo("context_window.fit").pipe(
      Effect.annotateLogs({
        model: request.model,
        strategy: strategy.name,
        dropped_messages: dropped.length,
        kept_messages: kept.length,
        input_tokens_before: result.fullTokens,
        input_tokens_after: inputTokens,
        budget,
        count_calls: calls
      })
    )
  }
  const fitted: Fitted<A> = {
    request: dropped.length > 0 ? { ...request, messages: kept } : request,
    inputTokens,
    originalInputTokens: result.fullTokens,
    contextWindow,
    budget,
    droppedMessages: dropped.length,
    countCalls: calls,
    strategy: strategy.name,
    replacement
  }
  return fitted
})

/**
 * Fits a request into its model's window: `window − max_tokens − headroom` input tokens, counted
 * by `Claude.messages.countTokens`. The oldest messages after the pinned prefix are dropped at a
 * valid cut (the kept conversation starts with a user turn, roles alternate, no tool_use loses
 * its tool_result, the system prompt and the last user turn stay), found by a search that makes at
 * most ⌈log2 n⌉ + 2 count calls for n messages (a replacement from the strategy costs one more).
 * Fails with {@link ContextOverflowError} when the smallest valid conversation does not fit.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const messages: Array<ContextWindow.MessageParam>
 *
 * const program = Effect.gen(function* () {
 *   const claude = yield* Claude.Claude
 *   const fitted = yield* ContextWindow.fit({ model: "claude-sonnet-4-5", max_tokens: 4096, messages }, { pin: 1 })
 *   return yield* claude.messages.create(fitted.request)
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const fit: {
  (
    options?: FitOptions
  ): <A extends Request>(
    request: A
  ) => Effect.Effect<Fitted<A>, ContextOverflowError | ClaudeError.ClaudeError, Claude.Claude>
  <A extends Request>(
    request: A,
    options?: FitOptions
  ): Effect.Effect<Fitted<A>, ContextOverflowError | ClaudeError.ClaudeError, Claude.Claude>
} = dual(
  (args) => isRequest(args[0]),
  <A extends Request>(request: A, options?: FitOptions) => fitImpl(request, options ?? {})
)

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
  messages: ReadonlyArray<MessageParam>,
  pin = 0
): { readonly pinned: number; readonly cuts: ReadonlyArray<number> } => cut.cutPoints(messages, pin)

// ---------------------------------------------------------------------------------------------
// Auto-recovery
// ---------------------------------------------------------------------------------------------

/**
 * One automatic recovery: a fit after "prompt is too long: N tokens > M maximum", or a clamp of
 * `max_tokens` after the API said it was too large.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const describe = (r: ContextWindow.Recovery) =>
 *   r._tag === "Fitted" ? `dropped ${r.droppedMessages}` : `max_tokens ${r.from} → ${r.to}`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Recovery =
  | {
      readonly _tag: "Fitted"
      readonly model: string
      /** N and M from the error */
      readonly promptTokens: number
      readonly maximum: number
      readonly inputTokens: number
      readonly droppedMessages: number
      readonly countCalls: number
      readonly strategy: string
      readonly replacement: Replacement | undefined
    }
  | {
      readonly _tag: "Clamped"
      readonly model: string
      readonly from: number
      readonly to: number
      readonly maximum: number
    }

/**
 * Options of auto-recovery: the fit options, plus
 *
 * | option | default |
 * |---|---|
 * | `clampMaxTokens` | `true`: an over-limit `max_tokens` is lowered to what the API allows |
 * | `minMaxTokens` | 1024 (or the request's own, if smaller): below this, fit the input instead of clamping |
 * | `onRecovery` | none: an effect run with each {@link Recovery} |
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const options: ContextWindow.AutoFitOptions = { pin: 1, onRecovery: (r) => Effect.log(r._tag) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface AutoFitOptions extends FitOptions {
  readonly clampMaxTokens?: boolean | undefined
  readonly minMaxTokens?: number | undefined
  readonly onRecovery?: ((recovery: Recovery) => Effect.Effect<void>) | undefined
}

/**
 * A message with the recoveries that produced it (see {@link recoveriesOf}).
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const dropped = (r: ContextWindow.Recovered) => r.recoveries.length
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Recovered {
  readonly message: Claude.Message
  readonly recoveries: ReadonlyArray<Recovery>
}

const RecoveriesKey: unique symbol = Symbol.for("@claude-resilience/context-window/Recoveries")

/**
 * The recoveries behind a message returned by a client wrapped with {@link layerAutoFit} (empty
 * when the first attempt succeeded).
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 *
 * const wasFitted = (message: Claude.Message) => ContextWindow.recoveriesOf(message).length > 0
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const recoveriesOf = (message: Claude.Message): ReadonlyArray<Recovery> => {
  const value: unknown = (message as Claude.Message & { readonly [RecoveriesKey]?: unknown })[RecoveriesKey]
  return Array.isArray(value) ? (value as ReadonlyArray<Recovery>) : []
}

interface Plan<A extends Request> {
  readonly request: A
  readonly recovery: Recovery
}

/** What to send instead after `error`, or none when the error is not ours to fix. */
const plan = <A extends Request>(
  base: Claude.Service,
  strategy: Strategy | undefined,
  options: AutoFitOptions,
  request: A,
  error: ClaudeError.ClaudeError,
  done: ReadonlySet<Recovery["_tag"]>
): Effect.Effect<Plan<A> | undefined, ContextOverflowError | ClaudeError.ClaudeError> => {
  if (error._tag !== "InvalidRequestError" || error.phase === "stream") return Effect.succeed(undefined)
  const fitWith = (promptTokens: number, maximum: number) =>
    Effect.map(
      fitImpl(request, {
        ...options,
        strategy: options.strategy ?? strategy,
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
                strategy: fitted.strategy,
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

const announce = (recovery: Recovery, options: AutoFitOptions) =>
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
              strategy: recovery.strategy
            }
          : { kind: "clamp", model: recovery.model, from: recovery.from, to: recovery.to, maximum: recovery.maximum }
      )
    )
    if (options.onRecovery !== undefined) yield* options.onRecovery(recovery)
  })

const createLoop = <E>(
  base: Claude.Service,
  strategy: Strategy | undefined,
  options: AutoFitOptions,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined,
  recoveries: ReadonlyArray<Recovery>,
  onPlanError: (
    error: ClaudeError.ClaudeError
  ) => (reason: ContextOverflowError | ClaudeError.ClaudeError) => Effect.Effect<never, E>
): Effect.Effect<Recovered, ClaudeError.ClaudeError | E> =>
  base.messages.create(params, call).pipe(
    Effect.map((message): Recovered => ({ message, recoveries })),
    Effect.catchAll((error) =>
      plan(base, strategy, options, params, error, new Set(recoveries.map((r) => r._tag))).pipe(
        Effect.catchAll(onPlanError(error)),
        Effect.flatMap(
          (next): Effect.Effect<Recovered, ClaudeError.ClaudeError | E> =>
            next === undefined
              ? Effect.fail(error)
              : Effect.zipRight(
                  announce(next.recovery, options),
                  createLoop(base, strategy, options, next.request, call, [...recoveries, next.recovery], onPlanError)
                )
        )
      )
    )
  )

/**
 * One `messages.create` with auto-recovery, for a single call: on "prompt is too long: N tokens >
 * M maximum" the request is fitted (N and M spare the first count) and sent once more; an
 * over-limit `max_tokens` is clamped and sent once more. Each recovery is logged, counted and
 * returned in `recoveries`.
 *
 * @example
 * ```ts
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const messages: Array<ContextWindow.MessageParam>
 *
 * const program = Effect.gen(function* () {
 *   const { message, recoveries } = yield* ContextWindow.createWithRecovery(
 *     { model: "claude-sonnet-4-5", max_tokens: 4096, messages },
 *     { pin: 1 }
 *   )
 *   return { message, fitted: recoveries.length > 0 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const createWithRecovery = (
  params: Claude.MessageCreateParams,
  options: AutoFitOptions & { readonly call?: Claude.CallOptions | undefined } = {}
): Effect.Effect<Recovered, ContextOverflowError | ClaudeError.ClaudeError, Claude.Claude> =>
  Effect.gen(function* () {
    const base = yield* Claude.Claude
    const strategy = Option.getOrUndefined(yield* Effect.serviceOption(FitStrategy))
    return yield* createLoop(base, strategy, options, params, options.call, [], () => Effect.fail)
  }).pipe(Effect.withSpan("ContextWindow.createWithRecovery"))

/**
 * Wraps a `Claude` service with auto-recovery for `create` and `stream` (a stream is recovered
 * only before its first event, where these 400s happen). When recovery itself fails (nothing fits,
 * or a count fails) the caller gets the original error and a log line says why.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const wrapped = Effect.map(Claude.Claude, (claude) => ContextWindow.withAutoFit(claude, { pin: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const withAutoFit = (
  base: Claude.Service,
  options: AutoFitOptions = {},
  strategy?: Strategy | undefined
): Claude.Service => {
  const giveUp = (error: ClaudeError.ClaudeError) => (reason: ContextOverflowError | ClaudeError.ClaudeError) =>
    Effect.zipRight(
      Effect.logWarning("context_window.recovery_failed").pipe(
        Effect.annotateLogs({ error_tag: error._tag, reason: reason._tag, detail: reason.message })
      ),
      Effect.fail(error)
    )
  const create = (params: Claude.MessageCreateParams, call?: Claude.CallOptions) =>
    createLoop(base, strategy, options, params, call, [], giveUp).pipe(
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
          plan(base, strategy, options, params, error, new Set(done.map((r) => r._tag))).pipe(
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
    request: base.request,
    sdk: base.sdk,
    retrySchedule: base.retrySchedule
  }
}

/**
 * A client layer with auto-recovery over the `Claude` below it. The strategy is the
 * {@link FitStrategy} in context when the layer is built (else drop-oldest), unless `options.strategy`
 * names one.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ContextWindow } from "@claude-resilience/context-window"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = ContextWindow.layerAutoFit({ pin: 1 }).pipe(
 *   Layer.provide(Claude.layer({ apiKey: Redacted.make("sk-ant-...") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerAutoFit = (options: AutoFitOptions = {}): Layer.Layer<Claude.Claude, never, Claude.Claude> =>
  Layer.effect(
    Claude.Claude,
    Effect.gen(function* () {
      const base = yield* Claude.Claude
      const strategy = Option.getOrUndefined(yield* Effect.serviceOption(FitStrategy))
      return withAutoFit(base, options, strategy)
    })
  )
