import type { Content } from "@claude-resilience/api"
import { Tool, Toolkit } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck, Fiber, Schema, TestClock } from "effect"

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

describe("Toolkit.handle: outputs and messages of any shape", () => {
  const circular: Record<string, unknown> = {}
  circular.self = circular
  const output = FastCheck.oneof(
    FastCheck.anything(),
    FastCheck.jsonValue(),
    FastCheck.string(),
    FastCheck.bigInt(),
    FastCheck.func(FastCheck.anything()),
    FastCheck.constantFrom(undefined, Symbol("s"), circular, { toJSON: () => undefined }, { nested: [1n] }),
    FastCheck.anything().map((blocks) => Tool.content(blocks as Tool.Content)),
    FastCheck.array(FastCheck.record({ type: FastCheck.constant("text" as const), text: FastCheck.string() })).map(
      (blocks) => Tool.content(blocks)
    )
  )
  /** A `Tool.content` box: an object with the (symbol-keyed) brand, which JSON would not see. */
  const isBox = (value: unknown): value is { readonly content: unknown } =>
    typeof value === "object" && value !== null && Object.getOwnPropertySymbols(value).length > 0
  /** The text `Tool.make` sends for a value, undefined when it cannot be sent as JSON. */
  const expectedText = (value: unknown): string | undefined => {
    if (value === undefined) return "(no output)"
    if (typeof value === "string") return value
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") return undefined
    try {
      return JSON.stringify(value)
    } catch {
      return undefined
    }
  }
  const wellFormedBlocks = (value: unknown): boolean =>
    Array.isArray(value) &&
    value.every((b) => typeof b === "object" && b !== null && b.type === "text" && typeof b.text === "string")

  it.effect.prop(
    "every handler output becomes one tool_result: content or is_error, JSON-serialisable",
    [FastCheck.array(output, { minLength: 1, maxLength: 5 })],
    ([outputs]) =>
      Effect.gen(function* () {
        const out = Tool.make("out", {
          parameters: Schema.Struct({ k: Schema.Number }),
          handler: ({ k }) => Effect.succeed(outputs[k])
        })
        // a tool whose call (not built by Tool.make) yields the raw value
        const raw = Object.assign(Object.create(Object.getPrototypeOf(out)), out, {
          name: "raw",
          call: (input: { k: number }) => Effect.succeed(outputs[input.k])
        }) as typeof out
        const uses = outputs.flatMap((_, k) => [use(`o${k}`, "out", { k }), use(`r${k}`, "raw", { k })])
        const { message, outcomes } = yield* Toolkit.handle(Toolkit.make(out, raw), uses)
        const results = message.content as ReadonlyArray<Content.ToolResultBlockParam>
        assert.deepStrictEqual(
          results.map((r) => r.tool_use_id),
          uses.map((u) => u.id)
        )
        results.forEach((result, i) => {
          assert.isTrue(typeof result.content === "string" || Array.isArray(result.content))
          assert.doesNotThrow(() => JSON.stringify(result))
          if (result.is_error === true) assert.strictEqual(outcomes[i]?.failure?._tag, "InvalidOutput")
        })
        outputs.forEach((value, k) => {
          const viaMake = results[2 * k]!
          const viaCall = results[2 * k + 1]!
          if (isBox(value)) {
            const blocks = value.content
            if (typeof blocks === "string" || wellFormedBlocks(blocks)) assert.deepStrictEqual(viaMake.content, blocks)
            else if (!Array.isArray(blocks)) assert.isTrue(viaMake.is_error)
            assert.isTrue(viaCall.is_error)
            return
          }
          const text = expectedText(value)
          if (text === undefined) {
            assert.isTrue(viaMake.is_error)
            assert.include(String(viaMake.content), 'tool "out" returned a result that cannot be sent')
          } else {
            assert.strictEqual(viaMake.content, text)
            assert.notStrictEqual(viaMake.is_error, true)
          }
          if (value === undefined || typeof value === "string") {
            assert.strictEqual(viaCall.content, text)
          } else if (wellFormedBlocks(value)) {
            assert.deepStrictEqual(viaCall.content, value)
          } else if (!Array.isArray(value)) {
            assert.isTrue(viaCall.is_error)
          }
        })
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("a message of any shape: its well-formed tool_use blocks are answered, nothing else", () =>
    Effect.gen(function* () {
      for (const message of [null, 42, "text", { content: "text" }, { content: [null, 7, { type: "tool_use" }] }]) {
        const { outcomes } = yield* Toolkit.handle(toolkit, message as never)
        assert.lengthOf(outcomes, 0)
      }
      const { outcomes } = yield* Toolkit.handle(toolkit, [null, use("t1", "get_weather", "Paris")])
      assert.strictEqual(outcomes[0]?.failure?._tag, "InvalidInput")
    })
  )

  it.effect("an output its success Schema does not encode is an InvalidOutput result with the Schema's message", () =>
    Effect.gen(function* () {
      const half = Tool.make("half", {
        parameters: Schema.Struct({ n: Schema.Number }),
        handler: ({ n }) => Effect.succeed(n / 2),
        // `success` takes a Schema whose encoded side is `unknown`
        success: Schema.Int as unknown as Schema.Schema<number, unknown>
      })
      const { outcomes } = yield* Toolkit.handle(Toolkit.make(half), [
        use("t1", "half", { n: 4 }),
        use("t2", "half", { n: 3 })
      ])
      assert.strictEqual(outcomes[0]?.result.content, "2")
      assert.strictEqual(outcomes[1]?.failure?._tag, "InvalidOutput")
      assert.include(String(outcomes[1]?.result.content), "its success Schema does not encode it")
      assert.isTrue(outcomes[1]?.result.is_error)
    })
  )

  it.effect("a formatter that throws or returns no text falls back to the default text", () =>
    Effect.gen(function* () {
      const results = yield* Toolkit.handle(toolkit, [use("t1", "teleport", {}), use("t2", "teleport", {})], {
        formatError: (failure) => {
          if (failure.toolUseId === "t1") throw new Error("formatter bug")
          return undefined as unknown as string
        }
      })
      assert.deepStrictEqual(
        results.outcomes.map((o) => o.result.content),
        [
          'Error: unknown tool "teleport". Available tools: get_weather, crash, slow, quits.',
          'Error: unknown tool "teleport". Available tools: get_weather, crash, slow, quits.'
        ]
      )
    })
  )
})
