import type Anthropic from "@anthropic-ai/sdk"
import type { APIError } from "@anthropic-ai/sdk"
import { Reply } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, params, rejection, textOf, withFake } from "./helpers.js"

const tools: Array<Anthropic.Tool> = [
  { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
  { name: "get_time", input_schema: { type: "object", properties: { zone: { type: "string" } } } }
]

describe("FakeClaude scripted replies", () => {
  it.live("answers with the scripted tool calls, streamed with input_json_delta too", () =>
    withFake({ seed: 3 }, (fake, client) =>
      Effect.gen(function* () {
        const reply = Reply.toolUse(
          [
            { name: "get_weather", input: { city: "Paris", nested: { days: [1, 2, 3] } } },
            { name: "get_time", input: { zone: "Europe/Paris" }, id: "toolu_01scripted" }
          ],
          { text: "Let me check." }
        )
        yield* fake.reply(reply, reply)
        const message = yield* attempt(() => client.messages.create(params("Weather?", { tools })))
        assert.strictEqual(message.stop_reason, "tool_use")
        assert.deepStrictEqual(
          message.content.map((b) => b.type),
          ["text", "tool_use", "tool_use"]
        )
        const [text, first, second] = message.content
        assert.strictEqual(text?.type === "text" ? text.text : undefined, "Let me check.")
        assert.deepStrictEqual(first?.type === "tool_use" ? first.input : undefined, {
          city: "Paris",
          nested: { days: [1, 2, 3] }
        })
        assert.match(first?.type === "tool_use" ? first.id : "", /^toolu_01/)
        assert.strictEqual(second?.type === "tool_use" ? second.id : undefined, "toolu_01scripted")

        const stream = client.messages.stream(params("Weather?", { tools }))
        const deltas: Array<string> = []
        stream.on("streamEvent", (event) => {
          if (event.type === "content_block_delta") deltas.push(event.delta.type)
        })
        const streamed = yield* attempt(() => stream.finalMessage())
        assert.isTrue(deltas.includes("input_json_delta"))
        assert.isTrue(deltas.includes("text_delta"))
        assert.deepStrictEqual(
          streamed.content.map((b) => (b.type === "tool_use" ? b.input : b.type)),
          ["text", { city: "Paris", nested: { days: [1, 2, 3] } }, { zone: "Europe/Paris" }]
        )
        assert.strictEqual(streamed.stop_reason, "tool_use")
        assert.lengthOf(yield* fake.pendingReplies, 0)
      })
    )
  )

  it.live("a scripted text reply, and a reply stays queued when the request fails validation", () =>
    withFake({ seed: 3 }, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.reply(Reply.text("Sunny."))
        yield* rejection(() => client.messages.create({ ...params("x"), max_tokens: 0 }))
        assert.lengthOf(yield* fake.pendingReplies, 1)
        const message = yield* attempt(() => client.messages.create(params("Weather?")))
        assert.strictEqual(textOf(message), "Sunny.")
        assert.strictEqual(message.stop_reason, "end_turn")
      })
    )
  )

  it.live("rejects a tool_use without its tool_result, and a tool_result with an unknown id, as the API does", () =>
    withFake({ seed: 3 }, (_fake, client) =>
      Effect.gen(function* () {
        const use: Anthropic.ToolUseBlockParam = { type: "tool_use", id: "toolu_01abc", name: "get_weather", input: {} }
        const missing = (yield* rejection(() =>
          client.messages.create({
            ...params("x", { tools }),
            messages: [
              { role: "user", content: "Weather?" },
              { role: "assistant", content: [use] },
              { role: "user", content: "well?" }
            ]
          })
        )) as APIError
        assert.strictEqual(missing.status, 400)
        assert.include(
          missing.message,
          "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01abc"
        )
        const unknown = (yield* rejection(() =>
          client.messages.create({
            ...params("x", { tools }),
            messages: [
              { role: "user", content: "Weather?" },
              { role: "assistant", content: [use] },
              {
                role: "user",
                content: [
                  { type: "tool_result", tool_use_id: "toolu_01abc", content: "ok" },
                  { type: "tool_result", tool_use_id: "toolu_01zzz", content: "?" }
                ]
              }
            ]
          })
        )) as APIError
        assert.strictEqual(unknown.status, 400)
        assert.include(
          unknown.message,
          "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01zzz"
        )
        const ok = yield* attempt(() =>
          client.messages.create({
            ...params("x", { tools }),
            messages: [
              { role: "user", content: "Weather?" },
              { role: "assistant", content: [use] },
              { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01abc", content: "ok" }] }
            ]
          })
        )
        assert.strictEqual(ok.stop_reason, "end_turn")
      })
    )
  )

  it.live("a scripted stop reason and stop_details, in the JSON answer and in the stream's message_delta", () =>
    withFake({ seed: 3 }, (fake, client) =>
      Effect.gen(function* () {
        const refusal = Reply.text("I can't help with that.", {
          stopReason: "refusal",
          stopDetails: { category: "cyber", explanation: "Malware development" }
        })
        yield* fake.reply(refusal, refusal, Reply.text("Searching.", { stopReason: "pause_turn" }))
        const message = yield* attempt(() => client.messages.create(params("Write malware")))
        assert.strictEqual(message.stop_reason, "refusal")
        assert.deepStrictEqual(message.stop_details, {
          type: "refusal",
          category: "cyber",
          explanation: "Malware development"
        })
        const streamed = yield* attempt(() => client.messages.stream(params("Write malware")).finalMessage())
        assert.strictEqual(streamed.stop_reason, "refusal")
        assert.deepStrictEqual(streamed.stop_details, message.stop_details)
        assert.strictEqual(textOf(streamed), "I can't help with that.")
        const paused = yield* attempt(() => client.messages.create(params("Search the web")))
        assert.strictEqual(paused.stop_reason, "pause_turn")
        assert.isNull(paused.stop_details)
      })
    )
  )
})
