/**
 * The answer to a valid Messages request, as the API's `Message`: a scripted reply, a tool call, or the
 * deterministic text for the prompt (the rest of it after a prefill or a partial turn), cut by
 * `stop_sequences` or `max_tokens`.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"
import type * as Reply from "../Reply.js"
import * as Completion from "./completion.js"
import type { Config } from "./state.js"
import type { ValidRequest } from "./validate.js"

/** @internal */
export type Block =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: unknown }

/** @internal */
export interface Usage {
  readonly input_tokens: number
  readonly cache_creation_input_tokens: number
  readonly cache_read_input_tokens: number
  readonly output_tokens: number
  readonly service_tier: string
}

/** The API's `Message` (the fields FakeClaude sends). @internal */
export interface Message {
  readonly id: string
  readonly type: "message"
  readonly role: "assistant"
  readonly model: string
  readonly content: ReadonlyArray<Block>
  readonly stop_reason: string
  readonly stop_sequence: string | null
  readonly stop_details: (Reply.StopDetails & { readonly type: "refusal" }) | null
  readonly usage: Usage
}

/** Output tokens of a `tool_use` block: its input's JSON, plus the block's own. */
const toolUseTokens = (input: unknown): number => Completion.estimateTextTokens(JSON.stringify(input)) + 10

/** What is left to say of `full` after `prefix`; on a continuation turn, first a repeat of its last words. */
const resume = (full: string, prefix: string, continuation: boolean, repeatWords: number): string | undefined => {
  if (!full.startsWith(prefix)) return undefined
  const rest = full.slice(prefix.length)
  if (!continuation || repeatWords === 0) return rest
  let start = prefix.trimEnd().length
  for (let k = 0; k < repeatWords && start > 0; k++) {
    while (start > 0 && /\s/.test(prefix.charAt(start - 1))) start--
    while (start > 0 && !/\s/.test(prefix.charAt(start - 1))) start--
  }
  return prefix.slice(start) + rest
}

interface Body {
  readonly content: ReadonlyArray<Block>
  readonly stopReason: string
  readonly stopSequence: string | null
  readonly outputTokens: number
}

const scripted = (config: Config, reply: Reply.Reply, n: number, prefix: string, continuation: boolean): Body => {
  const content: Array<Block> = []
  // a scripted text answers a prefill or a continuation turn with its rest
  const text =
    reply.text !== undefined && prefix.length > 0
      ? (resume(reply.text, prefix, continuation, config.continuationRepeatWords) ?? reply.text)
      : reply.text
  if (text !== undefined && text.length > 0) content.push({ type: "text", text })
  if (reply._tag === "ToolUse") {
    reply.calls.forEach((call, k) => {
      content.push({
        type: "tool_use",
        id: call.id ?? Completion.makeId("toolu", n * 1000 + k + 1, config.seed),
        name: call.name,
        input: call.input
      })
    })
  }
  return {
    content,
    stopReason: reply.stopReason ?? (reply._tag === "ToolUse" && reply.calls.length > 0 ? "tool_use" : "end_turn"),
    stopSequence: null,
    outputTokens: content.reduce(
      (sum, block) =>
        sum + (block.type === "text" ? Completion.estimateTextTokens(block.text) : toolUseTokens(block.input)),
      0
    )
  }
}

/** The tool the request asks to be used, if it does: by `tool_choice`, `alwaysUseTools` or "use tool" in the text. */
const toolWanted = (config: Config, request: ValidRequest) => {
  const last = request.messages[request.messages.length - 1]!
  const lastUserText = last.role === "user" ? Completion.contentText(last.content) : ""
  const answersToolResult =
    last.role === "user" &&
    Content.blocksOf(last.content).some((block) => Predicate.isRecord(block) && block.type === "tool_result")
  const choice = request.tool_choice as { type?: unknown; name?: unknown } | undefined
  const tools = request.tools ?? []
  const wanted =
    tools.length > 0 &&
    choice?.type !== "none" &&
    !answersToolResult &&
    (config.alwaysUseTools ||
      choice?.type === "any" ||
      choice?.type === "tool" ||
      /\buse (the |a )?tools?\b/i.test(lastUserText))
  if (!wanted) return undefined
  return (
    (choice?.type === "tool" ? tools.find((t) => t.name === choice.name) : undefined) ??
    tools.find((t) => lastUserText.includes(t.name)) ??
    tools[0]!
  )
}

const toolCall = (config: Config, tool: NonNullable<ValidRequest["tools"]>[number], n: number): Body => {
  const input = Completion.toolInputFor(tool.input_schema, config.seed)
  return {
    content: [{ type: "tool_use", id: Completion.makeId("toolu", n, config.seed), name: tool.name, input }],
    stopReason: "tool_use",
    stopSequence: null,
    outputTokens: toolUseTokens(input)
  }
}

const generated = (
  config: Config,
  request: ValidRequest,
  prompt: string,
  prefix: string,
  continuation: boolean
): Body => {
  const full = Completion.textForPrompt(prompt, config.seed, config.completionChars)
  let text =
    prefix.length === 0
      ? full
      : (resume(full, prefix, continuation, config.continuationRepeatWords) ??
        Completion.textForPrompt(prompt + prefix, config.seed, config.completionChars))
  let stopReason = "end_turn"
  let stopSequence: string | null = null
  for (const sequence of request.stop_sequences ?? []) {
    const at = sequence.length > 0 ? text.indexOf(sequence) : -1
    if (at >= 0 && (stopSequence === null || at < text.indexOf(stopSequence))) {
      stopSequence = sequence
    }
  }
  if (stopSequence !== null) {
    text = text.slice(0, text.indexOf(stopSequence))
    stopReason = "stop_sequence"
  }
  const limit = request.max_tokens * 4
  if (text.length > limit) {
    let cut = limit
    // never split a surrogate pair
    const code = text.charCodeAt(cut - 1)
    if (code >= 0xd800 && code <= 0xdbff) cut--
    text = text.slice(0, cut)
    stopReason = "max_tokens"
    stopSequence = null
  }
  return {
    content: text.length > 0 ? [{ type: "text", text }] : [],
    stopReason,
    stopSequence,
    outputTokens: Completion.estimateTextTokens(text)
  }
}

/**
 * The message answering request number `n`: the scripted `reply` when one is given, else a tool call
 * when the request asks for one, else the generated text.
 *
 * @internal
 */
export const make = (
  config: Config,
  request: ValidRequest,
  inputTokens: number,
  n: number,
  reply: Reply.Reply | undefined
): Message => {
  const { prefix, prompt } = Completion.promptOf(request)
  const continuation = request.messages[request.messages.length - 1]?.role === "user" && prefix.length > 0
  const tool = reply === undefined ? toolWanted(config, request) : undefined
  const body: Body =
    reply !== undefined
      ? scripted(config, reply, n, prefix, continuation)
      : tool !== undefined
        ? toolCall(config, tool, n)
        : generated(config, request, prompt, prefix, continuation)
  return {
    id: Completion.makeId("msg", n, config.seed),
    type: "message",
    role: "assistant",
    model: request.model,
    content: body.content,
    stop_reason: body.stopReason,
    stop_sequence: body.stopSequence,
    stop_details: reply?.stopDetails !== undefined ? { type: "refusal", ...reply.stopDetails } : null,
    usage: {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: body.outputTokens,
      service_tier: "standard"
    }
  }
}
