/**
 * A resumable stream's events as `@effect/ai`'s stream parts.
 *
 * `ResumableStream.events` already hides every cut: no second `message_start`, an open text block
 * keeps its index and receives more deltas, a `tool_use` block arrives only whole and a call already
 * delivered is not delivered again. So the mapping is one state machine over one answer: a content
 * block `i` is the part id `"i"` (a tool call's id is its `tool_use` id), `message_stop` is the
 * `finish` part with the summed usage, and a `resumption` notice only counts (it has no part type in
 * `@effect/ai`; the count is in the finish part's `claudeResilience` metadata).
 *
 * @internal
 */
import type { ResumableStream } from "@claude-resilience/stream"
import * as AiError from "@effect/ai/AiError"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import { MODULE } from "./aiError.js"
import { finishPart } from "./finish.js"

type Open =
  | { readonly type: "text" }
  | { readonly type: "reasoning" }
  | { readonly type: "tool"; readonly id: string; readonly name: string; params: string }

/** One stream's mapper: feed it the events in order; `now` is the ISO time for the metadata part. */
export const make = () => {
  const open = new Map<number, Open>()
  let stopReason: string | null = null
  let stopSequence: string | null = null
  let input: number | undefined
  let output: number | undefined
  let cacheRead: number | null | undefined
  let resumptions = 0

  return (
    event: ResumableStream.Event,
    now: () => string
  ): ReadonlyArray<Response.StreamPartEncoded> | AiError.MalformedOutput => {
    switch (event.type) {
      case "resumption":
        resumptions++
        return []
      case "resumed":
        return []
      case "message_start":
        input = event.message.usage.input_tokens
        output = event.message.usage.output_tokens
        cacheRead = event.message.usage.cache_read_input_tokens
        return [{ type: "response-metadata", id: event.message.id, modelId: event.message.model, timestamp: now() }]
      case "message_delta":
        if (event.delta.stop_reason !== null) stopReason = event.delta.stop_reason
        if (event.delta.stop_sequence !== null) stopSequence = event.delta.stop_sequence
        output = event.usage.output_tokens
        if (typeof event.usage.input_tokens === "number") input = event.usage.input_tokens
        if (typeof event.usage.cache_read_input_tokens === "number") cacheRead = event.usage.cache_read_input_tokens
        return []
      case "message_stop":
        return [finishPart(stopReason, { input, output, cacheRead }, { stopSequence, resumptions }, false)]
      case "content_block_start": {
        const id = String(event.index)
        const block = event.content_block
        switch (block.type) {
          case "text":
            open.set(event.index, { type: "text" })
            return [{ type: "text-start", id }]
          case "thinking":
            open.set(event.index, { type: "reasoning" })
            return [{ type: "reasoning-start", id }]
          case "redacted_thinking":
            open.set(event.index, { type: "reasoning" })
            return [
              {
                type: "reasoning-start",
                id,
                metadata: { anthropic: { type: "redacted_thinking", redactedData: block.data } }
              }
            ]
          case "tool_use":
            open.set(event.index, { type: "tool", id: block.id, name: block.name, params: "" })
            return [{ type: "tool-params-start", id: block.id, name: block.name, providerExecuted: false }]
          default:
            return []
        }
      }
      case "content_block_delta": {
        const id = String(event.index)
        const delta = event.delta
        switch (delta.type) {
          case "text_delta":
            return [{ type: "text-delta", id, delta: delta.text }]
          case "thinking_delta":
            return [{ type: "reasoning-delta", id, delta: delta.thinking }]
          case "signature_delta":
            return [
              {
                type: "reasoning-delta",
                id,
                delta: "",
                metadata: { anthropic: { type: "thinking", signature: delta.signature } }
              }
            ]
          case "input_json_delta": {
            const block = open.get(event.index)
            if (block?.type !== "tool") return []
            block.params += delta.partial_json
            return [{ type: "tool-params-delta", id: block.id, delta: delta.partial_json }]
          }
          default:
            return []
        }
      }
      case "content_block_stop": {
        const block = open.get(event.index)
        open.delete(event.index)
        if (block === undefined) return []
        const id = String(event.index)
        if (block.type === "text") return [{ type: "text-end", id }]
        if (block.type === "reasoning") return [{ type: "reasoning-end", id }]
        const json = block.params.length === 0 ? "{}" : block.params
        let params: unknown
        try {
          params = Tool.unsafeSecureJsonParse(json)
        } catch (cause) {
          return new AiError.MalformedOutput({
            module: MODULE,
            method: "streamText",
            description: `Failed to parse the input of tool '${block.name}': ${json}`,
            cause
          })
        }
        return [
          { type: "tool-params-end", id: block.id },
          { type: "tool-call", id: block.id, name: block.name, params, providerExecuted: false }
        ]
      }
      default:
        return []
    }
  }
}
