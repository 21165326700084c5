/**
 * `LanguageModel.generateText` / `generateObject` / `streamText` on the resilient client, with the
 * real SDK against FakeClaude: the text byte for byte, the request as sent, configuration, usage.
 */
import { ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { LanguageModel, Prompt } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, ExecutionPlan, Fiber, Layer, Schema, Stream, TestClock } from "effect"
import { ClaudeLanguageModel } from "../src/index.js"
import { bodyOf, MODEL, streamedText, withFake } from "./helpers.js"

const expected = (prompt: string, seed = 0) =>
  FakeClaude.completionText({ messages: [{ role: "user", content: prompt }] }, seed)

describe("generateText", () => {
  it.live("answers with FakeClaude's text, usage and finish reason; the request is the prompt", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const response = yield* LanguageModel.generateText({
        prompt: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Tell me about resilient streams" }
        ]
      })
      expect(response.text).toBe(expected("Tell me about resilient streams"))
      expect(response.finishReason).toBe("stop")
      const [request] = yield* fake.requests
      const body = bodyOf(request!)
      expect(body.model).toBe(MODEL)
      expect(body.max_tokens).toBe(4096)
      expect(body.system).toEqual([{ type: "text", text: "Be brief." }])
      expect(body.messages).toEqual([
        { role: "user", content: [{ type: "text", text: "Tell me about resilient streams" }] }
      ])
      expect(response.usage.inputTokens).toBe(request!.inputTokens)
      expect(response.usage.outputTokens).toBe(request!.outputTokens)
      expect(response.usage.totalTokens).toBe(request!.inputTokens! + request!.outputTokens!)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a 529 and a reset before the answer are retried underneath", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(529), Fault.reset())
      const response = yield* LanguageModel.generateText({ prompt: "Hello" })
      expect(response.text).toBe(expected("Hello"))
      expect((yield* fake.requests).map((r) => r.outcome)).toEqual([529, "reset", 200])
    }).pipe(Effect.provide(withFake()))
  )

  it.live("max_tokens is reported as finish reason length", () =>
    Effect.gen(function* () {
      const response = yield* LanguageModel.generateText({ prompt: "Hello" })
      expect(response.finishReason).toBe("length")
      expect(response.text).toBe(expected("Hello").slice(0, 40))
    }).pipe(Effect.provide(withFake({}, { maxTokens: 10 })))
  )
})

describe("configuration", () => {
  it.live("layer config, then withConfigOverride per call (model included)", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* LanguageModel.generateText({ prompt: "one" })
      yield* LanguageModel.generateText({ prompt: "two" }).pipe(
        ClaudeLanguageModel.withConfigOverride({ model: "claude-sonnet-4-6", max_tokens: 64 })
      )
      yield* Stream.runDrain(
        LanguageModel.streamText({ prompt: "three" }).pipe(
          ClaudeLanguageModel.withConfigOverrideStream({ stop_sequences: ["zzz"] })
        )
      )
      const bodies = (yield* fake.requests).map(bodyOf)
      expect(bodies.map((b) => [b.model, b.max_tokens, b.stop_sequences])).toEqual([
        [MODEL, 100, ["END"]],
        ["claude-sonnet-4-6", 64, ["END"]],
        [MODEL, 100, ["zzz"]]
      ])
    }).pipe(Effect.provide(withFake({}, { maxTokens: 100, config: { stop_sequences: ["END"] } })))
  )

  it.live("a system message of the prompt replaces the config's system", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* LanguageModel.generateText({ prompt: "one" })
      yield* LanguageModel.generateText({ prompt: Prompt.make("two").pipe(Prompt.setSystem("From the prompt")) })
      const bodies = (yield* fake.requests).map(bodyOf)
      expect(bodies.map((b) => b.system)).toEqual(["From config", [{ type: "text", text: "From the prompt" }]])
    }).pipe(Effect.provide(withFake({}, { config: { system: "From config" } })))
  )
})

describe("generateObject", () => {
  const Contact = Schema.Struct({
    name: Schema.String.annotations({ description: "Full name" }),
    email: Schema.String
  }).annotations({ identifier: "Contact", description: "A contact" })

  it.live("asks for the object with a forced tool and decodes its input", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const response = yield* LanguageModel.generateObject({
        prompt: "Extract: Ada, ada@example.com",
        schema: Contact,
        objectName: "contact"
      })
      expect(Object.keys(response.value).sort()).toEqual(["email", "name"])
      expect(typeof response.value.name).toBe("string")
      expect(response.finishReason).toBe("stop")
      const body = bodyOf((yield* fake.requests)[0]!)
      expect(body.tool_choice).toEqual({ type: "tool", name: "contact", disable_parallel_tool_use: true })
      expect(body.tools?.[0]).toMatchObject({
        name: "contact",
        description: "A contact",
        input_schema: { type: "object", required: ["name", "email"] }
      })
    }).pipe(Effect.provide(withFake()))
  )
})

describe("streamText", () => {
  const prompt = "Tell me about resilient streams"

  it.live("one text block: start, deltas that add up to the text, end, then finish with usage", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt })))
      expect(streamedText(parts)).toBe(expected(prompt))
      const kinds = parts.map((p) => p.type).filter((t) => t !== "text-delta")
      expect(kinds).toEqual(["response-metadata", "text-start", "text-end", "finish"])
      const finish = parts.at(-1)
      const [request] = yield* fake.requests
      expect(finish?.type === "finish" && [finish.reason, finish.usage.inputTokens, finish.usage.outputTokens]).toEqual(
        ["stop", request!.inputTokens, request!.outputTokens]
      )
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a cut at every point resumes: the same parts as without a cut, no delta twice or missing", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const clean = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt })))
      const events = (yield* fake.requests)[0]!.events
      const shape = (parts: typeof clean) => parts.filter((p) => p.type !== "text-delta").map((p) => p.type)
      for (let k = 1; k < events - 1; k++) {
        yield* fake.reset
        yield* fake.enqueue(k % 2 === 0 ? Fault.cutStream(k) : Fault.sseError(k))
        const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt })))
        expect(streamedText(parts), `cut after ${k}`).toBe(expected(prompt))
        expect(shape(parts), `cut after ${k}`).toEqual(shape(clean))
        const finish = parts.at(-1)
        expect(finish?.type === "finish" && finish.metadata.claudeResilience?.resumptions, `cut after ${k}`).toBe(1)
      }
    }).pipe(Effect.provide(withFake()))
  )

  it.live("on a model that refuses a prefill the continuation turn resumes it, text exact", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(9))
      const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt })))
      expect(streamedText(parts)).toBe(expected(prompt))
      const second = bodyOf((yield* fake.requests)[1]!)
      expect(second.messages.at(-1)?.role).toBe("user")
    }).pipe(Effect.provide(withFake({}, { model: "claude-sonnet-4-6" })))
  )
})

describe("composition with @effect/ai", () => {
  it.live("an ExecutionPlan of ClaudeLanguageModel.model steps moves on once a step's own retries gave up", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const plan = ExecutionPlan.make(
        { provide: ClaudeLanguageModel.model("claude-retired-0"), while: (e) => e._tag === "HttpResponseError" },
        { provide: ClaudeLanguageModel.model(MODEL, { maxTokens: 512 }) }
      )
      yield* fake.enqueue(Fault.status(529))
      const response = yield* LanguageModel.generateText({ prompt: "Hello" }).pipe(Effect.withExecutionPlan(plan))
      expect(response.text).toBe(expected("Hello"))
      const requests = yield* fake.requests
      // the first step: a 529 retried underneath, then the unknown model's 404; the second step answers
      expect(requests.map((r) => [bodyOf(r).model, r.outcome])).toEqual([
        ["claude-retired-0", 529],
        ["claude-retired-0", 404],
        [MODEL, 200]
      ])
    }).pipe(Effect.provide(withFake()))
  )
})

describe("with ScriptedClaude, in virtual time", () => {
  it.effect("a 429's retry-after is waited out underneath before the answer", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(LanguageModel.generateText({ prompt: "Hello" }))
      yield* TestClock.adjust("29 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("2 seconds")
      const response = yield* Fiber.join(fiber)
      expect(response.text).toBe("recovered")
      expect(response.finishReason).toBe("stop")
    }).pipe(
      Effect.provide(
        ClaudeLanguageModel.layer({ model: MODEL }).pipe(
          Layer.provideMerge(
            ScriptedClaude.layer([
              ScriptedClaude.fail(
                new ClaudeError.RateLimitError({ message: "slow down", status: 429, retryAfter: Duration.seconds(30) })
              ),
              ScriptedClaude.reply("recovered")
            ])
          )
        )
      )
    )
  )
})
