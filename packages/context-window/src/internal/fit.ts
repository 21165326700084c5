/**
 * `fit`: the budget, the cut search over `count_tokens`, the compactor's replacement, and what is
 * logged and counted. An overflow is returned as data; the public module makes the error of it, so
 * this module needs no value from it.
 *
 * @internal
 */
import { type Content, Model } from "@claude-resilience/api"
import { Claude } from "@claude-resilience/client"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Compactor from "../Compactor.js"
import type { ContextOverflowError, FitOptions, Fitted, Request } from "../ContextWindow.js"
import * as cut from "./cut.js"
import { metrics } from "./metrics.js"
import * as internalReply from "./reply.js"
import * as internalRequest from "./request.js"
import * as internalSearch from "./search.js"

/** The fields of a `ContextOverflowError`. @internal */
export type OverflowFields = ConstructorParameters<typeof ContextOverflowError>[0]

/** The smallest valid conversation does not fit: the fields of the error the caller gets. @internal */
export class Overflow {
  readonly _tag = "Overflow"
  constructor(readonly fields: OverflowFields) {}
}

/** @internal */
export const isOverflow = (u: unknown): u is Overflow => u instanceof Overflow

/** The request or the options cannot be read: the reason of the error the caller gets. @internal */
export class Malformed {
  readonly _tag = "Malformed"
  constructor(readonly reason: string) {}
}

/** @internal */
export const isMalformed = (u: unknown): u is Malformed => u instanceof Malformed

/**
 * Whether `fit` was called data-first: with two arguments, or with one that has `messages` (options
 * never do). A request of the wrong shape is still a request, for `fit` to reject.
 *
 * @internal
 */
export const isDataFirst = (args: IArguments): boolean => args.length >= 2 || Predicate.hasProperty(args[0], "messages")

const countParams = (request: Request, messages: ReadonlyArray<Content.MessageParam>): Claude.CountTokensParams => {
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

/** @internal */
export const fit = Effect.fn("ContextWindow.fit")(function* <A extends Request>(request: A, options: FitOptions) {
  const malformed = internalRequest.problem(request, options)
  if (malformed !== undefined) return yield* Effect.fail(new Malformed(malformed))
  const claude = yield* Claude.Claude
  const countTokens = (params: Claude.CountTokensParams) =>
    Effect.flatMap(claude.messages.countTokens(params), internalReply.inputTokens)
  const compactor =
    options.compactor ?? Option.getOrElse(yield* Effect.serviceOption(Compactor.Compactor), () => Compactor.dropOldest)
  const messages = request.messages
  const contextWindow = options.contextWindow ?? Model.contextWindow(request.model)
  const headroom = options.headroom ?? Math.ceil(contextWindow * 0.02)
  const budget = contextWindow - request.max_tokens - headroom
  const { cuts, pinned } = cut.cutPoints(messages, options.pin ?? 0)
  const overflow = (fields: { inputTokens?: number | undefined; minimalInputTokens?: number | undefined }) =>
    Effect.zipRight(
      Metric.increment(Metric.tagged(metrics.fits, "outcome", "overflow")),
      Effect.fail(
        new Overflow({
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
    reducedBudget: budget - compactor.reserve,
    known0: options.inputTokens,
    estimate,
    count: (c) => countTokens(countParams(request, cut.keep(messages, pinned, c)))
  })
  yield* Metric.incrementBy(metrics.countCalls, result.calls)
  if (result.index === undefined) {
    return yield* overflow({ inputTokens: result.fullTokens, minimalInputTokens: result.tokens })
  }
  const c = cuts[result.index]!
  const dropped = messages.slice(pinned, c)
  let replacement: Compactor.Replacement | undefined
  let kept = cut.keep(messages, pinned, c)
  let inputTokens = result.tokens
  let calls = result.calls
  if (dropped.length > 0) {
    replacement = yield* compactor.replace({ dropped, request })
    if (replacement !== undefined) {
      const withSummary = cut.keep(messages, pinned, c, replacement.text)
      const counted = yield* countTokens(countParams(request, withSummary))
      calls++
      yield* Metric.increment(metrics.countCalls)
      if (counted <= budget) {
        kept = withSummary
        inputTokens = counted
      } else {
        // a summary longer than reserved: keep the plain cut, which fits
        yield* Effect.logWarning("context_window.replacement_too_long").pipe(
          Effect.annotateLogs({ compactor: compactor.name, tokens: counted, budget })
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
        compactor: compactor.name,
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
    compactor: compactor.name,
    replacement
  }
  return fitted
})
