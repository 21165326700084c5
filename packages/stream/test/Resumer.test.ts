/**
 * The resumer's defences, below the client's boundary: `process` never throws, text for a block
 * that never started is kept (its start synthesized), and token counts that are not non-negative
 * integers never reach the sums.
 */
import type { Claude } from "@claude-resilience/client"
import type { ResumableStream } from "@claude-resilience/stream"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { assemble } from "../src/internal/collect.js"
import { Resumer } from "../src/internal/resumer.js"
import { ask } from "./helpers.js"

const resumer = () => new Resumer(ask(), { strategy: "prefill", continuePrompt: "Continue." })

const start = {
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1 }
  }
} as unknown as Claude.MessageStreamEvent

const delta = (text: string, index = 0) =>
  ({ type: "content_block_delta", index, delta: { type: "text_delta", text } }) as Claude.MessageStreamEvent

const textOf = (events: ReadonlyArray<ResumableStream.Event>) =>
  events
    .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
    .join("")

describe("Resumer.process", () => {
  it("text for a block that never started is kept: the start is synthesized", () => {
    const r = resumer()
    const out = [start, delta("Hello "), delta("world")].flatMap((e) => r.process(e))
    expect(textOf(out)).toBe("Hello world")
    expect(out.filter((e) => e.type === "content_block_start")).toHaveLength(1)
    expect(r.partialText).toBe("Hello world")
  })

  it("usage that is not a non-negative integer never reaches the sums", () => {
    const r = resumer()
    const bad = {
      type: "message_start",
      message: { id: "m", content: [], usage: { input_tokens: -1000, output_tokens: "lots" } }
    } as unknown as Claude.MessageStreamEvent
    const out = [
      bad,
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: -5, input_tokens: 1.5 }
      } as unknown as Claude.MessageStreamEvent,
      { type: "message_stop" } as Claude.MessageStreamEvent
    ].flatMap((e) => r.process(e))
    const final = assemble(out)
    expect(final.message.usage.input_tokens).toBe(0)
    expect(final.message.usage.output_tokens).toBe(0)
    for (const attempt of final.attempts) {
      expect(attempt.inputTokens).toBeGreaterThanOrEqual(0)
      expect(attempt.outputTokens).toBeGreaterThanOrEqual(0)
    }
  })

  it.prop(
    "never throws, whatever the events: any JSON value, any known type with any fields",
    [
      fc.array(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              type: fc.constantFrom(
                "message_start",
                "content_block_start",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
              ),
              index: fc.oneof(fc.nat({ max: 3 }), fc.jsonValue()),
              message: fc.jsonValue(),
              content_block: fc.oneof(
                fc.jsonValue(),
                fc.record({ type: fc.constantFrom("text", "tool_use", "thinking") })
              ),
              delta: fc.oneof(
                fc.jsonValue(),
                fc.record({
                  type: fc.constantFrom("text_delta", "input_json_delta", "thinking_delta"),
                  text: fc.jsonValue(),
                  partial_json: fc.jsonValue(),
                  thinking: fc.jsonValue()
                })
              ),
              usage: fc.jsonValue()
            },
            { requiredKeys: ["type"] }
          )
        ),
        { maxLength: 15 }
      ),
      fc.boolean()
    ],
    ([events, failMidway]) => {
      const r = resumer()
      const out: Array<ResumableStream.Event> = []
      events.forEach((e, i) => {
        out.push(...r.process(e as Claude.MessageStreamEvent))
        if (failMidway && i === Math.floor(events.length / 2)) {
          r.fail({ _tag: "ConnectionError", message: "cut", reason: "reset", phase: "stream" } as never, 0 as never)
        }
      })
      // and what came out can be assembled
      expect(() => assemble(out)).not.toThrow()
    }
  )
})
