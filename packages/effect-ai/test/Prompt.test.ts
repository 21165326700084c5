/**
 * The prompt as the Messages API takes it: turns, system blocks, files, reasoning with its
 * signature, and — for any prompt — a tool pairing the API accepts.
 */
import { Conversation } from "@claude-resilience/tools"
import { Prompt } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { convert } from "../src/internal/prompt.js"

const run = (input: Prompt.RawInput) => Effect.runSync(convert(Prompt.make(input)))

describe("convert", () => {
  it("system messages become system blocks; user and tool messages one user turn, tool results first", () => {
    const converted = run([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather?" },
      { role: "assistant", content: [{ type: "tool-call", id: "t1", name: "get_weather", params: { city: "Oslo" } }] },
      { role: "user", content: "And be quick." },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            id: "t1",
            name: "get_weather",
            isFailure: false,
            result: "rain",
            providerExecuted: false
          }
        ]
      }
    ])
    expect(converted.system).toEqual([{ type: "text", text: "Be brief." }])
    expect(converted.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Oslo" } }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "rain", is_error: false },
          { type: "text", text: "And be quick." }
        ]
      }
    ])
  })

  it("a final assistant turn loses its trailing whitespace (a prefill); cache control is read under anthropic", () => {
    const converted = run([
      {
        role: "user",
        content: [{ type: "text", text: "Hi", options: { anthropic: { cacheControl: { type: "ephemeral" } } } }]
      },
      { role: "assistant", content: "The answer is " }
    ])
    expect(converted.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] },
      { role: "assistant", content: [{ type: "text", text: "The answer is" }] }
    ])
  })

  it("reasoning goes back only with its signature; a turn left empty joins its neighbours", () => {
    const converted = run([
      { role: "user", content: "one" },
      { role: "assistant", content: [{ type: "reasoning", text: "hmm" }] },
      { role: "user", content: "two" },
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "signed", options: { anthropic: { type: "thinking", signature: "sig" } } },
          { type: "text", text: "ok" }
        ]
      },
      { role: "user", content: "three" }
    ])
    expect(converted.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "text", text: "two" }
        ]
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "signed", signature: "sig" },
          { type: "text", text: "ok" }
        ]
      },
      { role: "user", content: [{ type: "text", text: "three" }] }
    ])
  })

  it("files: images and PDFs as base64 or URL, plain text as a text document; other types are MalformedInput", () => {
    const converted = run([
      {
        role: "user",
        content: [
          { type: "file", mediaType: "image/png", data: new Uint8Array([1, 2, 3]) },
          { type: "file", mediaType: "application/pdf", data: new URL("https://example.com/a.pdf"), fileName: "a.pdf" },
          { type: "file", mediaType: "text/plain", data: new TextEncoder().encode("notes") }
        ]
      }
    ])
    expect(converted.messages[0]?.content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/png", data: "AQID" } },
      { type: "document", source: { type: "url", url: "https://example.com/a.pdf" }, title: "a.pdf" },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } }
    ])
    const error = Effect.runSync(
      Effect.flip(
        convert(Prompt.make([{ role: "user", content: [{ type: "file", mediaType: "audio/wav", data: "AAAA" }] }]))
      )
    )
    expect(error._tag).toBe("MalformedInput")
  })

  // Any prompt that starts with the user and uses each tool call id once: whatever results the
  // tool messages hold (some, none, unknown ids, repeats), the pairing sent is one the API accepts.
  it("property: the converted conversation has no tool-pairing problem", () => {
    const word = fc.constantFrom("alpha", "beta", "gamma", "delta ", "epsilon")
    type Step =
      | { readonly kind: "user"; readonly text: string }
      | { readonly kind: "assistant"; readonly text: string | undefined; readonly calls: number }
      | { readonly kind: "tool"; readonly answer: ReadonlyArray<number>; readonly unknown: boolean }
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant("user" as const), text: word }),
      fc.record({
        kind: fc.constant("assistant" as const),
        text: fc.option(word, { nil: undefined }),
        calls: fc.integer({ min: 0, max: 3 })
      }),
      fc.record({
        kind: fc.constant("tool" as const),
        answer: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 4 }),
        unknown: fc.boolean()
      })
    )
    fc.assert(
      fc.property(word, fc.array(step, { maxLength: 10 }), (first, steps) => {
        let next = 0
        const messages: Array<Prompt.MessageEncoded> = [{ role: "user", content: first }]
        for (const s of steps) {
          if (s.kind === "user") messages.push({ role: "user", content: s.text })
          else if (s.kind === "assistant") {
            const parts: Array<Prompt.AssistantMessagePartEncoded> = []
            if (s.text !== undefined) parts.push({ type: "text", text: s.text })
            for (let c = 0; c < s.calls; c++) parts.push({ type: "tool-call", id: `t${next++}`, name: "f", params: {} })
            messages.push({ role: "assistant", content: parts })
          } else {
            const ids = [...s.answer.filter((i) => i < next).map((i) => `t${i}`), ...(s.unknown ? ["t99"] : [])]
            messages.push({
              role: "tool",
              content: ids.map((id) => ({
                type: "tool-result",
                id,
                name: "f",
                isFailure: false,
                result: "ok",
                providerExecuted: false
              }))
            })
          }
        }
        const converted = run(messages)
        expect(Conversation.validate(converted.messages)).toEqual([])
      }),
      { numRuns: 300 }
    )
  })
})
