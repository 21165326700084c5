/**
 * A whole `Message` (from `messages.create`) as `@effect/ai`'s response parts.
 *
 * @internal
 */
import type { Claude } from "@claude-resilience/client"
import type * as Response from "@effect/ai/Response"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { finishPart, usageOf } from "./finish.js"

/** The parts of one answer; `json` when the request asked for an object (`generateObject`). */
export const parts = (message: Claude.Message, json: boolean): Effect.Effect<Array<Response.PartEncoded>> =>
  Effect.map(DateTime.now, (now) => {
    const out: Array<Response.PartEncoded> = [
      { type: "response-metadata", id: message.id, modelId: message.model, timestamp: DateTime.formatIso(now) }
    ]
    for (const block of message.content) {
      switch (block.type) {
        case "text":
          // In JSON mode the object is the forced tool's input; text around it is not the answer.
          if (!json) out.push({ type: "text", text: block.text })
          break
        case "thinking":
          out.push({
            type: "reasoning",
            text: block.thinking,
            metadata: { anthropic: { type: "thinking", signature: block.signature } }
          })
          break
        case "redacted_thinking":
          out.push({
            type: "reasoning",
            text: "",
            metadata: { anthropic: { type: "redacted_thinking", redactedData: block.data } }
          })
          break
        case "tool_use":
          out.push(
            json
              ? { type: "text", text: JSON.stringify(block.input) }
              : { type: "tool-call", id: block.id, name: block.name, params: block.input, providerExecuted: false }
          )
          break
      }
    }
    out.push(
      finishPart(
        message.stop_reason,
        usageOf(message.usage),
        { stopSequence: message.stop_sequence, resumptions: 0 },
        json
      )
    )
    return out
  })
