/**
 * The end of an answer as `@effect/ai`'s `finish` part: the stop reason as a `FinishReason`, the
 * usage, and what only we know under the metadata key `claudeResilience`.
 *
 * @internal
 */
import type Anthropic from "@anthropic-ai/sdk"
import type * as Response from "@effect/ai/Response"
import type * as ClaudeLanguageModel from "../ClaudeLanguageModel.js"

const reasons: Readonly<Record<string, Response.FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool-calls",
  pause_turn: "pause",
  refusal: "content-filter"
}

/** `tool_use` of the forced JSON tool is the end of a `generateObject` answer, so `"stop"`. */
export const finishReason = (stopReason: string | null | undefined, json: boolean): Response.FinishReason => {
  if (stopReason === null || stopReason === undefined) return "unknown"
  const reason = reasons[stopReason] ?? "unknown"
  return json && reason === "tool-calls" ? "stop" : reason
}

/** The encoded `finish` part. */
export const finishPart = (
  stopReason: string | null,
  usage: {
    readonly input: number | undefined
    readonly output: number | undefined
    readonly cacheRead?: number | null | undefined
  },
  details: Omit<ClaudeLanguageModel.FinishDetails, "stopReason">,
  json: boolean
): Response.FinishPartEncoded => ({
  type: "finish",
  reason: finishReason(stopReason, json),
  usage: {
    inputTokens: usage.input,
    outputTokens: usage.output,
    totalTokens:
      usage.input === undefined && usage.output === undefined ? undefined : (usage.input ?? 0) + (usage.output ?? 0),
    ...(typeof usage.cacheRead === "number" ? { cachedInputTokens: usage.cacheRead } : {})
  },
  metadata: { claudeResilience: { stopReason, ...details } satisfies ClaudeLanguageModel.FinishDetails }
})

/** Usage of a whole message. */
export const usageOf = (usage: Anthropic.Messages.Usage) => ({
  input: usage.input_tokens,
  output: usage.output_tokens,
  cacheRead: usage.cache_read_input_tokens
})
