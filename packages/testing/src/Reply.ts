/**
 * Plain data describing a scripted answer of {@link FakeClaude}: the test chooses what the "model" says,
 * e.g. which tools it calls with which input.
 *
 * Replies are queued with `FakeClaude.reply` and consumed in order by the `/v1/messages` requests they
 * match; a request answered with an error (a fault, validation, a rate limit) leaves the reply queued.
 *
 * @since 0.1.0
 */
import type { RequestInfo } from "./Fault.js"
import * as internal from "./internal/reply.js"

/**
 * One tool call of a scripted `tool_use` answer.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const call: Reply.ToolCall = { name: "get_weather", input: { city: "Paris" } }
 * ```
 */
export interface ToolCall {
  readonly name: string
  /** the `input` object sent to the client (any JSON value: a test may send an input that does not decode) */
  readonly input: unknown
  /** the block's id (default: a deterministic `toolu_01…`) */
  readonly id?: string | undefined
}

/**
 * A `stop_reason` the API sends.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const paused: Reply.StopReason = "pause_turn"
 * ```
 */
export type StopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded"

/**
 * The `stop_details` of a refusal, as the API sends them.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const details: Reply.StopDetails = { category: "cyber", explanation: "Malware development" }
 * ```
 */
export interface StopDetails {
  readonly category: "cyber" | "bio" | "frontier_llm" | "reasoning_extraction" | "general_harms" | null
  readonly explanation: string | null
}

/**
 * Options every reply accepts.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const options: Reply.BaseOptions = { match: (request) => request.stream }
 * const refusal = Reply.text("I can't help with that.", {
 *   stopReason: "refusal",
 *   stopDetails: { category: "cyber", explanation: null }
 * })
 * ```
 */
export interface BaseOptions {
  /** only a request for which this returns `true` consumes the reply (default: any `/v1/messages` request) */
  readonly match?: ((request: RequestInfo) => boolean) | undefined
  /**
   * the answer's `stop_reason` (default: `tool_use` when it calls tools, else `end_turn`), in the JSON
   * answer and in the stream's `message_delta`: e.g. `pause_turn`, `refusal`, `max_tokens`,
   * `model_context_window_exceeded`
   */
  readonly stopReason?: StopReason | undefined
  /** the answer's `stop_details` (`{ type: "refusal", ...details }`; default `null`) */
  readonly stopDetails?: StopDetails | undefined
}

/**
 * An answer with one or more `tool_use` blocks (`stop_reason: "tool_use"`), optionally after a text block.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const reply: Reply.ToolUse = Reply.toolUse([{ name: "add", input: { a: 1, b: 2 } }])
 * ```
 */
export interface ToolUse extends BaseOptions {
  readonly _tag: "ToolUse"
  readonly calls: ReadonlyArray<ToolCall>
  /** a text block before the tool calls ("Let me check that.") */
  readonly text?: string | undefined
}

/**
 * A text answer (`stop_reason: "end_turn"`).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const reply: Reply.Text = Reply.text("The answer is 3.")
 * ```
 */
export interface Text extends BaseOptions {
  readonly _tag: "Text"
  readonly text: string
}

/**
 * A scripted answer.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const replies: ReadonlyArray<Reply.Reply> = [Reply.toolUse([{ name: "add", input: {} }]), Reply.text("Done.")]
 * ```
 */
export type Reply = ToolUse | Text

/**
 * An answer calling tools, in order; streamed as `content_block_start` + `input_json_delta` events.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const reply = Reply.toolUse(
 *   [
 *     { name: "get_weather", input: { city: "Paris" } },
 *     { name: "get_time", input: { zone: "Europe/Paris" } }
 *   ],
 *   { text: "Let me look both up." }
 * )
 * ```
 */
export const toolUse: (
  calls: ReadonlyArray<ToolCall>,
  options?: BaseOptions & { readonly text?: string | undefined }
) => ToolUse = internal.toolUse

/**
 * A text answer.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const reply = Reply.text("It is sunny in Paris.")
 * ```
 */
export const text: (text: string, options?: BaseOptions) => Text = internal.text

/**
 * `n` copies of a reply, to spread into `FakeClaude.reply`.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Reply } from "@claude-resilience/testing"
 *
 * const replies = Reply.times(Reply.toolUse([{ name: "ping", input: {} }]), 3)
 * ```
 */
export const times: <R extends Reply>(reply: R, n: number) => ReadonlyArray<R> = internal.times
