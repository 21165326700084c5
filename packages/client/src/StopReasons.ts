/**
 * What `Claude.messages.create` (and, for two of them, `stream`) does with the stop reason of an
 * answer: `pause_turn` continued, `max_tokens` optionally continued, `refusal` and
 * `model_context_window_exceeded` turned into typed failures — each with a default and a switch,
 * on the layer (`Claude.Options.stopReasons`) and per call (`Claude.CallOptions.stopReasons`).
 *
 * @since 0.1.0
 */
import * as internal from "./internal/stopReasons.js"

/**
 * The options, every field optional; per call, each field overrides the layer's.
 *
 * | field | default | what it does |
 * |---|---|---|
 * | `pauseTurn` | `5` | `pause_turn` (a server-tool loop hit its limit): send the content back and continue, at most this many times; the answers merge into one message (content concatenated, usage summed). `false`: return the paused message |
 * | `maxTokens` | `false` | `max_tokens`: continue the text at most this many times (a prefill on models that take one, else the continuation turn with the repeat stitched off), into one message with the usage summed. Only an answer of text (and thinking) ending in text is continued |
 * | `refusal` | `"fail"` | `refusal`: fail with a `RefusalError` (model, `stop_details`, the message); `"return"`: return the message |
 * | `contextWindowExceeded` | `"fail"` | `model_context_window_exceeded`: fail with a `ContextWindowExceededError` carrying the partial message; `"return"`: return it |
 * | `continuePrompt` | `"Continue from exactly where you left off."` | the user turn of a `max_tokens` continuation |
 *
 * `end_turn`, `stop_sequence` and `tool_use` are returned as they are. On `stream`, `refusal` and
 * `contextWindowExceeded` apply once the stream has ended (every event delivered, the error's
 * `response` without content); `pause_turn` and `max_tokens` pass through.
 *
 * @example
 * ```ts
 * import type { StopReasons } from "@claude-resilience/client"
 *
 * const options: StopReasons.Options = { pauseTurn: 10, maxTokens: 4, refusal: "fail", contextWindowExceeded: "return" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly pauseTurn?: number | false | undefined
  readonly maxTokens?: number | false | undefined
  readonly refusal?: "fail" | "return" | undefined
  readonly contextWindowExceeded?: "fail" | "return" | undefined
  readonly continuePrompt?: string | undefined
}

/**
 * The defaults of {@link Options}.
 *
 * @example
 * ```ts
 * import { StopReasons } from "@claude-resilience/client"
 *
 * StopReasons.defaults.pauseTurn // 5
 * StopReasons.defaults.continuePrompt // "Continue from exactly where you left off."
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const defaults: {
  readonly pauseTurn: number
  readonly maxTokens: false
  readonly refusal: "fail"
  readonly contextWindowExceeded: "fail"
  readonly continuePrompt: string
} = internal.defaults
