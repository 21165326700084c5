/**
 * Collection: the events of a resumable stream assembled into the final message, as the API would
 * have returned it uninterrupted, with the accounting of the last attempt rebuilt from the stream.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import { type Claude, Fallback } from "@claude-resilience/client"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as ResumableStream from "../ResumableStream.js"
import { tokens } from "./accounting.js"

interface MutableBlock {
  readonly index: number
  readonly block: Record<string, unknown>
  json: string
  superseded: boolean
}

const parseJson = (json: string): unknown => {
  try {
    return JSON.parse(json)
  } catch {
    return json
  }
}

/** @internal */
export const collect = <E, R>(
  self: Stream.Stream<ResumableStream.Event, E, R>
): Effect.Effect<ResumableStream.FinalMessage, E, R> =>
  Effect.map(Stream.runCollect(self), (chunk) => assemble(Chunk.toReadonlyArray(chunk)))

/** @internal */
export const assemble = (all: ReadonlyArray<ResumableStream.Event>): ResumableStream.FinalMessage => {
  let message: Record<string, unknown> = {}
  const blocks: Array<MutableBlock> = []
  const resumptions: Array<ResumableStream.Resumption> = []
  let usage: Record<string, unknown> = {}
  let delivered = 0
  for (const event of all) {
    switch (event.type) {
      case "resumed":
        break
      case "resumption": {
        resumptions.push(event)
        for (const index of event.superseded) {
          const block = blocks[index]
          if (block !== undefined) block.superseded = true
        }
        break
      }
      case "message_start": {
        message = { ...event.message }
        usage = { ...event.message?.usage }
        break
      }
      case "content_block_start": {
        blocks[event.index] = { index: event.index, block: { ...event.content_block }, json: "", superseded: false }
        break
      }
      case "content_block_delta": {
        const target = blocks[event.index]
        const delta = event.delta
        if (target === undefined || delta === null || typeof delta !== "object") break
        const block = target.block
        switch (delta.type) {
          case "text_delta":
            block.text = `${String(block.text ?? "")}${delta.text}`
            delivered += String(delta.text).length
            break
          case "input_json_delta":
            target.json += delta.partial_json
            break
          case "thinking_delta":
            block.thinking = `${String(block.thinking ?? "")}${delta.thinking}`
            break
          case "signature_delta":
            block.signature = delta.signature
            break
          case "citations_delta":
            block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation]
            break
        }
        break
      }
      case "content_block_stop": {
        const target = blocks[event.index]
        if (target !== undefined && target.json.length > 0) target.block.input = parseJson(target.json)
        break
      }
      case "message_delta": {
        message.stop_reason = event.delta?.stop_reason
        message.stop_sequence = event.delta?.stop_sequence
        for (const [key, value] of Object.entries(event.usage ?? {}))
          if (value !== null && value !== undefined) usage[key] = value
        break
      }
      case "message_stop":
        break
    }
  }
  const content = blocks.filter((b) => b !== undefined && !b.superseded).map((b) => b.block)
  const previous = resumptions.map((r) => r.previous)
  // the last attempt's model: the one its resumption notice named, else the first message's
  const model = resumptions.at(-1)?.model ?? (typeof message.model === "string" ? message.model : "unknown")
  const final = { ...message, ...(previous.length > 0 ? { model } : {}), content, usage } as unknown as Claude.Message
  const text = Content.textOf(content)
  const sum = (f: (a: ResumableStream.Attempt) => number) => previous.reduce((n, a) => n + f(a), 0)
  const last: ResumableStream.Attempt = {
    attempt: previous.length + 1,
    kind: resumptions.at(-1)?.strategy ?? "initial",
    model,
    inputTokens: Math.max(0, tokens(usage.input_tokens) - sum((a) => a.inputTokens)),
    outputTokens: Math.max(0, tokens(usage.output_tokens) - sum((a) => a.outputTokens)),
    characters: delivered - sum((a) => a.characters),
    dropped: all.reduce((n, e) => (e.type === "resumed" && e.attempt === previous.length + 1 ? n + e.dropped : n), 0),
    completed: all.at(-1)?.type === "message_stop"
  }
  const attempts = [...previous, last]
  const models = Fallback.usage(
    attempts.map((a) => ({
      model: a.model,
      attempts: 1,
      outcome: a.completed ? "answered" : "failed",
      error: a.error,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens
    }))
  )
  return { message: final, text, resumptions, attempts, models }
}
