/**
 * The collector of a streamed `create`: any message, streamed as the API streams it (text split into
 * any deltas, a tool's input JSON cut anywhere, thinking and its signature), is assembled back
 * into the same message.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Stream } from "effect"
import type { Claude } from "../src/index.js"
import { Collector, collect } from "../src/internal/collect.js"

type Event = Claude.MessageStreamEvent

/** Splits `text` at the given fractions (every character kept, in order). */
const pieces = (text: string, cuts: ReadonlyArray<number>): Array<string> => {
  const at = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b)
  const out: Array<string> = []
  let from = 0
  for (const i of at) {
    if (i > from) out.push(text.slice(from, i))
    from = Math.max(from, i)
  }
  out.push(text.slice(from))
  return out
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 })

const block = fc.oneof(
  fc.record({ type: fc.constant("text" as const), text: fc.string({ minLength: 1 }), cuts }),
  fc.record({
    type: fc.constant("tool_use" as const),
    id: fc.string({ minLength: 1, maxLength: 8 }).map((s) => `toolu_${s}`),
    name: fc.constantFrom("lookup", "add"),
    input: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    cuts
  }),
  fc.record({
    type: fc.constant("thinking" as const),
    thinking: fc.string({ minLength: 1 }),
    signature: fc.string({ minLength: 1, maxLength: 10 }),
    cuts
  })
)

const message = fc.record({
  blocks: fc.array(block, { maxLength: 5 }),
  stopReason: fc.constantFrom("end_turn", "max_tokens", "tool_use", "pause_turn", "refusal"),
  output: fc.nat(10_000)
})

type Generated = typeof message extends fc.Arbitrary<infer A> ? A : never

const streamOf = (m: Generated): { readonly expected: Claude.Message; readonly events: Array<Event> } => {
  const base = {
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    usage: { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
  } as unknown as Claude.Message
  const events: Array<Event> = [{ type: "message_start", message: base }]
  const content: Array<unknown> = []
  m.blocks.forEach((b, index) => {
    if (b.type === "text") {
      content.push({ type: "text", text: b.text })
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } })
      for (const text of pieces(b.text, b.cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } })
      }
    } else if (b.type === "tool_use") {
      content.push({ type: "tool_use", id: b.id, name: b.name, input: b.input })
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: b.id, name: b.name, input: {} }
      } as Event)
      for (const partial_json of pieces(JSON.stringify(b.input), b.cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } })
      }
    } else {
      content.push({ type: "thinking", thinking: b.thinking, signature: b.signature })
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "thinking", thinking: "", signature: "" }
      })
      for (const thinking of pieces(b.thinking, b.cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } })
      }
      events.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: b.signature } })
    }
    events.push({ type: "content_block_stop", index })
  })
  events.push({
    type: "message_delta",
    delta: { stop_reason: m.stopReason, stop_sequence: null, stop_details: null, container: null },
    usage: { output_tokens: m.output }
  } as Event)
  events.push({ type: "message_stop" })
  const expected = {
    ...base,
    content,
    stop_reason: m.stopReason,
    usage: { ...base.usage, output_tokens: m.output }
  } as unknown as Claude.Message
  return { expected, events }
}

/** The text blocks as they started, with `citations: null`, compared as the collector keeps them. */
const normalise = (m: Claude.Message) => ({
  ...m,
  content: m.content.map((b) => (b.type === "text" ? { type: "text", text: b.text } : b))
})

describe("Collector", () => {
  it.prop("assembles any streamed message back into the message", { m: message }, ({ m }) => {
    const { events, expected } = streamOf(m)
    const collector = new Collector()
    collector.addAll(events)
    const result = collector.message()
    expect(result).not.toBeInstanceOf(Error)
    expect(normalise(result as Claude.Message)).toEqual(expected)
  })

  it.effect("collects a Stream chunk by chunk, and fails without message_start or with a broken tool input", () =>
    Effect.gen(function* () {
      const { events, expected } = streamOf({
        blocks: [{ type: "text", text: "Hello, world", cuts: [0.3, 0.6] }],
        stopReason: "end_turn",
        output: 3
      })
      const collected = yield* collect(
        Stream.fromChunks(Chunk.fromIterable(events.slice(0, 3)), Chunk.fromIterable(events.slice(3)))
      )
      expect(normalise(collected)).toEqual(expected)
      const headless = yield* Effect.flip(collect(Stream.fromIterable(events.slice(1))))
      expect(headless._tag === "ConnectionError" && headless.reason).toBe("protocol")
      const broken = yield* Effect.flip(
        collect(
          Stream.fromIterable<Event>([
            events[0]!,
            {
              type: "content_block_start",
              index: 0,
              content_block: { type: "tool_use", id: "t", name: "n", input: {} }
            } as Event,
            { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"a":' } },
            { type: "content_block_stop", index: 0 },
            { type: "message_stop" }
          ])
        )
      )
      expect(broken.message).toMatch(/not valid JSON/)
    })
  )
})
