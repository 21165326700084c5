/**
 * The two built-in compactors: drop the oldest messages, or summarize them with a cheaper model.
 *
 * @internal
 */
import { Model } from "@claude-resilience/api"
import { Claude } from "@claude-resilience/client"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type { Service, SummarizeOptions, Usage } from "../Compactor.js"
import * as cut from "./cut.js"
import { metrics } from "./metrics.js"
import * as internalReply from "./reply.js"

/** @internal */
export const dropOldest: Service = {
  name: "drop-oldest",
  reserve: 0,
  replace: () => Effect.succeed(undefined)
}

const SUMMARY_SYSTEM =
  "You compress the beginning of a conversation that no longer fits the context window. Write a dense, factual summary of it: decisions, facts, names, numbers, open questions and tool results that later turns may rely on. No preamble."

/** @internal */
export const summarize = (options: SummarizeOptions = {}): Effect.Effect<Service, never, Claude.Claude> =>
  Effect.map(Claude.Claude, (claude): Service => {
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
          const reply: unknown = yield* claude.messages.create(
            {
              model,
              max_tokens: maxTokens,
              system: options.system ?? SUMMARY_SYSTEM,
              messages: [{ role: "user", content: `<conversation>\n${text}\n</conversation>` }]
            },
            options.callOptions
          )
          // a reply of the wrong shape fails like any response that cannot be read
          const { text: summary, inputTokens, outputTokens } = yield* internalReply.summary(reply)
          const usage: Usage = { inputTokens, outputTokens }
          const costUsd = Model.cost(model, usage)
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
        }).pipe(Effect.withSpan("Compactor.summarize", { attributes: { "gen_ai.request.model": model } }))
    }
  })
