/**
 * The mapping from a resumable stream's events to `@effect/ai` stream parts, as a state machine
 * checked on generated answers: any mix of text, thinking and tool-use blocks, any split of their
 * deltas, resumption notices anywhere.
 */
import type { ResumableStream } from "@claude-resilience/stream"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as streamParts from "../src/internal/streamParts.js"

type Block =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "thinking"; readonly thinking: string }
  | { readonly type: "tool_use"; readonly name: string; readonly input: Record<string, unknown> }

/** Splits `s` into pieces at the given cut points. */
const split = (s: string, cuts: ReadonlyArray<number>): Array<string> => {
  const points = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b)
  const out: Array<string> = []
  let from = 0
  for (const p of points) {
    if (p > from) out.push(s.slice(from, p))
    from = Math.max(from, p)
  }
  if (from < s.length) out.push(s.slice(from))
  return out
}

const eventsOf = (blocks: ReadonlyArray<Block>, cuts: ReadonlyArray<number>): Array<ResumableStream.Event> => {
  const events: Array<ResumableStream.Event> = [
    {
      type: "message_start",
      message: {
        id: "msg_01x",
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 1 }
      } as never
    }
  ]
  blocks.forEach((block, index) => {
    if (block.type === "text") {
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } })
      for (const text of split(block.text, cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } })
      }
    } else if (block.type === "thinking") {
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "thinking", thinking: "", signature: "" }
      })
      for (const thinking of split(block.thinking, cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } })
      }
      events.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: `sig${index}` } })
    } else {
      const id = `toolu_${index}`
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id, name: block.name, input: {} } as never
      })
      for (const partial_json of split(JSON.stringify(block.input), cuts)) {
        events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } })
      }
    }
    events.push({ type: "content_block_stop", index })
  })
  events.push(
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 42 }
    } as never,
    { type: "message_stop" }
  )
  return events
}

const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({ type: fc.constant("text" as const), text: fc.string({ minLength: 1, maxLength: 40 }) }),
  fc.record({ type: fc.constant("thinking" as const), thinking: fc.string({ minLength: 1, maxLength: 40 }) }),
  fc.record({
    type: fc.constant("tool_use" as const),
    name: fc.constantFrom("get_weather", "get_time"),
    input: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), {
      maxKeys: 4
    })
  })
)

const notice = { type: "resumption" } as unknown as ResumableStream.Event

describe("stream parts", () => {
  it("property: per block the deltas add up, tool calls parse whole, finish is last with usage and resumptions", () => {
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        fc.array(fc.nat(200), { maxLength: 3 }),
        (blocks, cuts, noticeAt) => {
          const events = eventsOf(blocks, cuts)
          for (const at of [...noticeAt].sort((a, b) => b - a)) events.splice(1 + (at % (events.length - 1)), 0, notice)
          const step = streamParts.make()
          const parts = events.flatMap((event) => {
            const out = step(event, () => "2026-01-01T00:00:00.000Z")
            if (!Array.isArray(out)) throw out
            return out as ReadonlyArray<{ readonly type: string } & Record<string, unknown>>
          })
          expect(parts[0]?.type).toBe("response-metadata")
          blocks.forEach((b, index) => {
            const id = String(index)
            const of = (type: string) => parts.filter((p) => p.type === type && p.id === id)
            if (b.type === "text") {
              expect(of("text-start")).toHaveLength(1)
              expect(of("text-end")).toHaveLength(1)
              expect(
                of("text-delta")
                  .map((p) => p.delta)
                  .join("")
              ).toBe(b.text)
            } else if (b.type === "thinking") {
              expect(of("reasoning-end")).toHaveLength(1)
              expect(
                of("reasoning-delta")
                  .map((p) => p.delta)
                  .join("")
              ).toBe(b.thinking)
            } else {
              const calls = parts.filter((p) => p.type === "tool-call" && p.id === `toolu_${index}`)
              expect(calls.map((p) => [p.name, p.params])).toEqual([[b.name, b.input]])
            }
          })
          const finish = parts.at(-1)
          expect(finish).toMatchObject({
            type: "finish",
            reason: "stop",
            usage: { inputTokens: 30, outputTokens: 42, totalTokens: 72 },
            metadata: { claudeResilience: { resumptions: noticeAt.length } }
          })
          expect(parts.filter((p) => p.type === "finish")).toHaveLength(1)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("a tool call whose JSON does not parse is MalformedOutput", () => {
    const step = streamParts.make()
    step(
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: "t", name: "f", input: {} } as never
      },
      () => ""
    )
    step(
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"a":' } },
      () => ""
    )
    const out = step({ type: "content_block_stop", index: 0 }, () => "")
    expect("_tag" in out && out._tag).toBe("MalformedOutput")
  })
})
