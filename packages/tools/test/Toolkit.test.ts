import { Tool, Toolkit } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schema, TestClock } from "effect"

class CityNotFound extends Schema.TaggedError<CityNotFound>()("CityNotFound", { message: Schema.String }) {}

const weather = Tool.make("get_weather", {
  description: "Current weather of a city",
  parameters: Schema.Struct({
    city: Schema.String.annotations({ description: "City name" }),
    days: Schema.optional(Schema.Int)
  }),
  handler: ({ city }) =>
    city === "Atlantis"
      ? Effect.fail(new CityNotFound({ message: `No city named ${city}` }))
      : Effect.succeed({ city, celsius: 21 })
})

const secret = "sk-ant-SECRET-123"
const crash = Tool.make("crash", {
  parameters: Schema.Struct({}),
  handler: () => Effect.die(new Error(`connection string ${secret}`))
})
const slow = Tool.make("slow", {
  parameters: Schema.Struct({ ms: Schema.Number }),
  handler: ({ ms }) => Effect.as(Effect.sleep(ms), `slept ${ms}`),
  timeout: "1 second"
})
const quits = Tool.make("quits", { parameters: Schema.Struct({}), handler: () => Effect.interrupt })

const toolkit = Toolkit.make(weather, crash, slow, quits)

const use = (id: string, name: string, input: unknown) => ({ type: "tool_use" as const, id, name, input })

describe("Tool", () => {
  it("generates the input_schema from the Schema (encoded side, an object at the top)", () => {
    assert.deepStrictEqual(weather.definition, {
      name: "get_weather",
      description: "Current weather of a city",
      input_schema: {
        type: "object",
        required: ["city"],
        properties: {
          city: { type: "string", description: "City name" },
          days: { $ref: "#/$defs/Int" }
        },
        additionalProperties: false,
        $defs: { Int: { type: "integer", description: "an integer", title: "int" } }
      }
    })
    class Point extends Schema.Class<Point>("Point")({ x: Schema.NumberFromString }) {}
    const point = Tool.make("point", { parameters: Point, handler: (p) => Effect.succeed(p.x) })
    assert.strictEqual(point.inputSchema.type, "object")
    assert.deepStrictEqual(point.inputSchema.required, ["x"])
    assert.notProperty(point.inputSchema, "$ref")
    assert.throws(() => Tool.make("bad", { parameters: Schema.String, handler: Effect.succeed }))
  })
})

describe("Toolkit.handle", () => {
  it.effect("every failure kind becomes an is_error tool_result, one per id, in order", () =>
    Effect.gen(function* () {
      const content = [
        { type: "text", text: "Let me check." },
        use("t1", "get_weather", { city: "Paris" }),
        use("t2", "get_weather", { town: "Paris" }),
        use("t3", "get_weather", { city: "Atlantis" }),
        use("t4", "crash", {}),
        use("t5", "slow", { ms: 5_000 }),
        use("t6", "quits", {}),
        use("t7", "teleport", {}),
        use("t8", "slow", { ms: 10 })
      ]
      const fiber = yield* Effect.fork(Toolkit.handle(toolkit, content, { concurrency: "unbounded" }))
      yield* TestClock.adjust("2 seconds")
      const { message, outcomes } = yield* Fiber.join(fiber)
      assert.strictEqual(message.role, "user")
      const results = message.content as ReadonlyArray<{ tool_use_id: string; content?: unknown; is_error?: boolean }>
      assert.deepStrictEqual(
        results.map((r) => r.tool_use_id),
        ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"]
      )
      assert.deepStrictEqual(
        results.map((r) => r.is_error === true),
        [false, true, true, true, true, true, true, false]
      )
      assert.deepStrictEqual(
        outcomes.map((o) => o.failure?._tag),
        [undefined, "InvalidInput", "Failed", "Defect", "TimedOut", "Interrupted", "UnknownTool", undefined]
      )
      const text = results.map((r) => String(r.content))
      assert.strictEqual(text[0], JSON.stringify({ city: "Paris", celsius: 21 }))
      assert.include(text[1], 'Error: invalid input for tool "get_weather"')
      assert.include(text[1], "is missing")
      assert.include(text[1], '["city"]')
      assert.strictEqual(text[2], "Error: CityNotFound: No city named Atlantis")
      assert.strictEqual(text[3], 'Error: tool "crash" failed unexpectedly.')
      assert.strictEqual(text[4], 'Error: tool "slow" timed out after 1s.')
      assert.strictEqual(text[5], 'Error: tool "quits" was interrupted before it finished.')
      assert.strictEqual(text[6], 'Error: unknown tool "teleport". Available tools: get_weather, crash, slow, quits.')
      assert.strictEqual(text[7], "slept 10")
      for (const t of text) {
        assert.notInclude(t, secret)
        assert.notInclude(t, "    at ")
      }
    })
  )

  it.effect("defect details only when opted in; the format is configurable", () =>
    Effect.gen(function* () {
      const exposed = yield* Toolkit.handle(toolkit, [use("t1", "crash", {})], { exposeDefects: true })
      assert.include(String(exposed.outcomes[0]?.result.content), secret)
      const custom = yield* toolkit.pipe(
        Toolkit.handle([use("t1", "crash", {}), use("t2", "teleport", {})], {
          formatError: (failure) => `failed: ${failure._tag}`
        })
      )
      assert.deepStrictEqual(
        custom.outcomes.map((o) => o.result.content),
        ["failed: Defect", "failed: UnknownTool"]
      )
    })
  )

  it.effect("a toolkit-wide timeout applies to tools without their own", () =>
    Effect.gen(function* () {
      const forever = Tool.make("forever", { parameters: Schema.Struct({}), handler: () => Effect.never })
      const fiber = yield* Effect.fork(
        Toolkit.handle(Toolkit.make(forever), [use("t1", "forever", {})], { timeout: "3 seconds" })
      )
      yield* TestClock.adjust("3 seconds")
      const { outcomes } = yield* Fiber.join(fiber)
      assert.strictEqual(outcomes[0]?.failure?._tag, "TimedOut")
    })
  )

  it.effect("a turn without tool_use yields an empty result message", () =>
    Effect.gen(function* () {
      const { message, outcomes } = yield* Toolkit.handle(toolkit, { content: [{ type: "text", text: "hi" }] })
      assert.deepStrictEqual(message.content, [])
      assert.lengthOf(outcomes, 0)
    })
  )
})
