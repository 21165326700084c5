/**
 * Tools through `@effect/ai`'s `Toolkit`: definitions from the Schemas, calls and results, a typed
 * failure as an `is_error` result, a broken pairing repaired before it is sent, and a tool call cut
 * mid-JSON delivered (and run) exactly once after the stream resumes.
 */
import { FakeClaude, Fault, Reply } from "@claude-resilience/testing"
import { LanguageModel, Prompt, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Schema, Stream } from "effect"
import { bodyOf, streamedText, withFake } from "./helpers.js"

class CityNotFound extends Schema.TaggedError<CityNotFound>()("CityNotFound", { city: Schema.String }) {}

const GetWeather = Tool.make("get_weather", {
  description: "Current weather of a city",
  parameters: { city: Schema.String.annotations({ description: "City name" }) },
  success: Schema.Struct({ city: Schema.String, celsius: Schema.Number }),
  failure: CityNotFound
})

const GetTime = Tool.make("get_time", {
  description: "Local time of a city",
  parameters: { city: Schema.String },
  success: Schema.String
})

const toolkit = Toolkit.make(GetWeather, GetTime)

/** Handlers that count their runs. */
const handlers = (runs: Array<string>) =>
  toolkit.toLayer({
    get_weather: ({ city }) =>
      Effect.suspend(() => {
        runs.push(`get_weather:${city}`)
        return city === "Atlantis" ? Effect.fail(new CityNotFound({ city })) : Effect.succeed({ city, celsius: 21 })
      }),
    get_time: ({ city }) =>
      Effect.sync(() => {
        runs.push(`get_time:${city}`)
        return "12:00"
      })
  })

describe("tools through a Toolkit", () => {
  it.live("definitions from the Schemas; a call is run and answered; the result goes back as tool_result", () => {
    const runs: Array<string> = []
    return Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(
        Reply.toolUse([{ name: "get_weather", input: { city: "Paris" }, id: "toolu_01paris" }], {
          text: "Let me check."
        }),
        Reply.text("Sunny, 21 °C.")
      )
      const prompt = Prompt.make("Weather in Paris? use tool get_weather")
      const first = yield* LanguageModel.generateText({ prompt, toolkit })
      expect(first.finishReason).toBe("tool-calls")
      expect(first.text).toBe("Let me check.")
      expect(first.toolCalls.map((c) => [c.id, c.name, c.params])).toEqual([
        ["toolu_01paris", "get_weather", { city: "Paris" }]
      ])
      expect(first.toolResults.map((r) => [r.id, r.isFailure, r.result])).toEqual([
        ["toolu_01paris", false, { city: "Paris", celsius: 21 }]
      ])
      expect(runs).toEqual(["get_weather:Paris"])

      const second = yield* LanguageModel.generateText({
        prompt: Prompt.merge(prompt, Prompt.fromResponseParts(first.content)),
        toolkit
      })
      expect(second.text).toBe("Sunny, 21 °C.")

      const [one, two] = (yield* fake.requests).map(bodyOf)
      expect(one!.tools).toEqual([
        {
          name: "get_weather",
          description: "Current weather of a city",
          input_schema: {
            type: "object",
            required: ["city"],
            properties: { city: { type: "string", description: "City name" } },
            additionalProperties: false
          }
        },
        {
          name: "get_time",
          description: "Local time of a city",
          input_schema: {
            type: "object",
            required: ["city"],
            properties: { city: { type: "string" } },
            additionalProperties: false
          }
        }
      ])
      expect(one!.tool_choice).toEqual({ type: "auto" })
      expect(two!.messages.slice(1)).toEqual([
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "toolu_01paris", name: "get_weather", input: { city: "Paris" } }
          ]
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_01paris",
              content: JSON.stringify({ city: "Paris", celsius: 21 }),
              is_error: false
            }
          ]
        }
      ])
    }).pipe(Effect.provide(Layer.merge(withFake(), handlers(runs))))
  })

  it.live("a typed failure becomes a failure result and goes back with is_error: true", () => {
    const runs: Array<string> = []
    return Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(Reply.toolUse([{ name: "get_weather", input: { city: "Atlantis" } }]), Reply.text("Sorry."))
      const prompt = Prompt.make("Weather in Atlantis?")
      const first = yield* LanguageModel.generateText({ prompt, toolkit })
      const [result] = first.toolResults
      expect(result?.isFailure).toBe(true)
      expect(result?.result).toBeInstanceOf(CityNotFound)
      expect(result?.encodedResult).toEqual({ _tag: "CityNotFound", city: "Atlantis" })
      yield* LanguageModel.generateText({ prompt: Prompt.merge(prompt, Prompt.fromResponseParts(first.content)) })
      const sent = bodyOf((yield* fake.requests)[1]!).messages.at(-1)!
      expect(sent.role).toBe("user")
      const [block] = sent.content as ReadonlyArray<{ readonly content: string }>
      expect(block).toMatchObject({ type: "tool_result", tool_use_id: first.toolCalls[0]!.id, is_error: true })
      expect(JSON.parse(block!.content)).toEqual({ _tag: "CityNotFound", city: "Atlantis" })
    }).pipe(Effect.provide(Layer.merge(withFake(), handlers(runs))))
  })

  it.live("toolFailures: 'error' keeps @effect/ai's behaviour: the call fails with the tool's error", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(Reply.toolUse([{ name: "get_weather", input: { city: "Atlantis" } }]))
      const exit = yield* Effect.exit(LanguageModel.generateText({ prompt: "Weather in Atlantis?", toolkit }))
      expect(exit).toStrictEqual(Exit.fail(new CityNotFound({ city: "Atlantis" })))
    }).pipe(Effect.provide(Layer.merge(withFake({}, { toolFailures: "error" }), handlers([]))))
  )

  it.live("an input that does not decode is @effect/ai's MalformedOutput (its decode runs before any handler)", () => {
    const runs: Array<string> = []
    return Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(Reply.toolUse([{ name: "get_weather", input: { town: "Paris" } }]))
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Weather?", toolkit }))
      expect(error._tag).toBe("MalformedOutput")
      expect(runs).toEqual([])
    }).pipe(Effect.provide(Layer.merge(withFake(), handlers(runs))))
  })

  it.live("a tool call left without a result is answered with an is_error result before it is sent", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const prompt = Prompt.make([
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [{ type: "tool-call", id: "toolu_01lost", name: "get_weather", params: { city: "Paris" } }]
        },
        { role: "user", content: "Never mind, what time is it?" }
      ])
      const response = yield* LanguageModel.generateText({ prompt })
      expect(response.text.length).toBeGreaterThan(0)
      const sent = bodyOf((yield* fake.requests)[0]!).messages.at(-1)
      expect(sent?.role).toBe("user")
      expect(sent?.content).toEqual([
        {
          type: "tool_result",
          tool_use_id: "toolu_01lost",
          is_error: true,
          content: 'Error: tool "get_weather" did not return a result (the call was interrupted or lost).'
        },
        { type: "text", text: "Never mind, what time is it?" }
      ])
    }).pipe(Effect.provide(withFake()))
  )
})

describe("tool calls across a resumed stream", () => {
  const calls = [
    { name: "get_weather", input: { city: "Lisbon" } },
    { name: "get_time", input: { city: "Lisbon" } }
  ]
  const text = "Let me look both of those up for you."

  it.live("for every cut point: text exact, each call delivered once, run once, answered once", () => {
    const runs: Array<string> = []
    return Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(Reply.toolUse(calls, { text }))
      yield* Stream.runDrain(LanguageModel.streamText({ prompt: "What about Lisbon?", toolkit }))
      const events = (yield* fake.requests)[0]!.events
      for (let k = 1; k < events - 1; k++) {
        runs.length = 0
        yield* fake.reset
        yield* fake.reply(...Reply.times(Reply.toolUse(calls, { text }), 3))
        yield* fake.enqueue(Fault.cutStream(k))
        const parts = Chunk.toReadonlyArray(
          yield* Stream.runCollect(LanguageModel.streamText({ prompt: "What about Lisbon?", toolkit }))
        )
        const at = `cut after ${k}`
        expect(streamedText(parts), at).toBe(text)
        const called = parts.flatMap((p) => (p.type === "tool-call" ? [[p.name, p.params]] : []))
        expect(called, at).toEqual(calls.map((c) => [c.name, c.input]))
        const starts = parts.filter((p) => p.type === "tool-params-start")
        expect(starts, at).toHaveLength(2)
        const results = parts.flatMap((p) => (p.type === "tool-result" ? [[p.name, p.result]] : []))
        expect(results, at).toEqual([
          ["get_weather", { city: "Lisbon", celsius: 21 }],
          ["get_time", "12:00"]
        ])
        expect(runs, at).toEqual(["get_weather:Lisbon", "get_time:Lisbon"])
        const finish = parts.find((p) => p.type === "finish")
        expect(finish?.type === "finish" && finish.reason, at).toBe("tool-calls")
      }
    }).pipe(Effect.provide(Layer.merge(withFake(), handlers(runs))))
  })
})
