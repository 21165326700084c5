/**
 * A stream's events assembled into the `Message` a non-streaming call returns, as the SDK's
 * `MessageStream` accumulates them (`lib/MessageStream.js`, whose accumulator is private and only
 * fed by its own request): `message_start` gives the message, each block starts with
 * `content_block_start` and grows by its deltas (text, citations, a tool's input JSON parsed at
 * `content_block_stop`, thinking and its signature), `message_delta` sets the stop reason, stop
 * details and usage.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"

type Block = Record<string, unknown>

/** Accumulates events, chunk by chunk; {@link Collector.message} reads the result. */
export class Collector {
  private start: Claude.Message | undefined = undefined
  private readonly blocks: Array<Block> = []
  /** the input JSON of tool blocks, by index, until their `content_block_stop` */
  private readonly json = new Map<number, string>()
  private invalidJson: string | undefined = undefined
  private stopReason: Claude.Message["stop_reason"] = null
  private stopSequence: string | null = null
  private stopDetails: Claude.Message["stop_details"] | undefined = undefined
  private container: unknown = undefined
  private readonly usage: Record<string, unknown> = {}

  add(event: Claude.MessageStreamEvent): void {
    switch (event.type) {
      case "message_start":
        this.start = event.message
        Object.assign(this.usage, event.message.usage)
        for (const block of event.message.content) this.blocks.push({ ...block })
        break
      case "content_block_start":
        this.blocks[event.index] = { ...event.content_block }
        break
      case "content_block_delta": {
        const block = this.blocks[event.index]
        if (block === undefined) break
        const delta = event.delta
        switch (delta.type) {
          case "text_delta":
            block.text = `${typeof block.text === "string" ? block.text : ""}${delta.text}`
            break
          case "citations_delta":
            block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation]
            break
          case "input_json_delta":
            this.json.set(event.index, (this.json.get(event.index) ?? "") + delta.partial_json)
            break
          case "thinking_delta":
            block.thinking = `${typeof block.thinking === "string" ? block.thinking : ""}${delta.thinking}`
            break
          case "signature_delta":
            block.signature = delta.signature
            break
        }
        break
      }
      case "content_block_stop":
        this.parseInput(event.index)
        break
      case "message_delta": {
        this.stopReason = event.delta.stop_reason
        this.stopSequence = event.delta.stop_sequence
        if ("stop_details" in event.delta) this.stopDetails = event.delta.stop_details
        if (event.delta.container != null) this.container = event.delta.container
        // the usage counters of message_delta are whole-message totals: overwrite, never add
        for (const [key, value] of Object.entries(event.usage)) if (value != null) this.usage[key] = value
        break
      }
    }
  }

  addAll(events: Iterable<Claude.MessageStreamEvent>): void {
    for (const event of events) this.add(event)
  }

  private parseInput(index: number): void {
    const json = this.json.get(index)
    const block = this.blocks[index]
    if (json === undefined || block === undefined) return
    this.json.delete(index)
    if (json.length === 0) return
    try {
      block.input = JSON.parse(json)
    } catch {
      this.invalidJson ??= `the input of content block ${index} is not valid JSON`
    }
  }

  /** The message, or why there is none: no `message_start`, or a tool input that is not JSON. */
  message(): Claude.Message | ClaudeError.ConnectionError {
    for (const index of [...this.json.keys()]) this.parseInput(index)
    const problem = this.start === undefined ? "the stream sent no message_start" : this.invalidJson
    if (problem !== undefined || this.start === undefined) {
      return new ClaudeError.ConnectionError({ message: problem ?? "", reason: "protocol", phase: "stream" })
    }
    return {
      ...this.start,
      content: this.blocks.filter((block) => block !== undefined) as unknown as Claude.Message["content"],
      stop_reason: this.stopReason,
      stop_sequence: this.stopSequence,
      ...(this.stopDetails !== undefined ? { stop_details: this.stopDetails } : {}),
      ...(this.container !== undefined ? { container: this.container as Claude.Message["container"] } : {}),
      usage: { ...this.usage } as unknown as Claude.Message["usage"]
    }
  }
}

/** Runs a stream of events and assembles its message. */
export const collect = <R>(
  events: Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError, R>
): Effect.Effect<Claude.Message, ClaudeError.ClaudeError, R> =>
  Effect.suspend(() => {
    const collector = new Collector()
    return Stream.runForEachChunk(events, (chunk) => Effect.sync(() => collector.addAll(chunk))).pipe(
      Effect.flatMap(() => {
        const result = collector.message()
        return ClaudeError.isClaudeError(result) ? Effect.fail(result) : Effect.succeed(result)
      })
    )
  })
