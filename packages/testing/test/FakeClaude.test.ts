import Anthropic, { type APIError } from "@anthropic-ai/sdk"
import { Model } from "@claude-resilience/api"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { chunkText } from "../src/internal/completion.js"
import { attempt, MODEL, PREFILL_MODEL, params, rejection, textOf, withFake, postMessages } from "./helpers.js"

describe("FakeClaude messages", () => {
  it.live("answers a non-streaming request with a real Message and a request-id", () =>
    withFake({ seed: 1 }, (fake, client) =>
      Effect.gen(function* () {
        const { data, response } = yield* attempt(() => client.messages.create(params("Hello there")).withResponse())
        assert.match(data.id, /^msg_01[A-Za-z0-9]{22}$/)
        assert.strictEqual(data.type, "message")
        assert.strictEqual(data.role, "assistant")
        assert.strictEqual(data.model, MODEL)
        assert.strictEqual(data.stop_reason, "end_turn")
        assert.strictEqual(data.stop_sequence, null)
        const text = textOf(data)
        assert.strictEqual(text, FakeClaude.completionText({ messages: [{ role: "user", content: "Hello there" }] }, 1))
        assert.isAbove(text.length, 400)
        assert.strictEqual(data.usage.output_tokens, Math.ceil(text.length / 4))
        assert.strictEqual(
          data.usage.input_tokens,
          FakeClaude.estimateTokens({ messages: [{ role: "user", content: "Hello there" }] })
        )
        assert.match(response.headers.get("request-id") ?? "", /^req_01/)
        assert.match(response.headers.get("content-type") ?? "", /^application\/json/)
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.id, response.headers.get("request-id"))
        assert.strictEqual(recorded?.outcome, 200)
      })
    )
  )

  it.live("is deterministic per prompt and seed", () =>
    Effect.sync(() => {
      const a = FakeClaude.completionText({ messages: [{ role: "user", content: "one" }] }, 1)
      const b = FakeClaude.completionText({ messages: [{ role: "user", content: "one" }] }, 1)
      const c = FakeClaude.completionText({ messages: [{ role: "user", content: "one" }] }, 2)
      const d = FakeClaude.completionText({ messages: [{ role: "user", content: "two" }] }, 1)
      assert.strictEqual(a, b)
      assert.notStrictEqual(a, c)
      assert.notStrictEqual(a, d)
    })
  )

  it.live("streams the real event sequence in many small deltas", () =>
    withFake({ seed: 3 }, (fake, client) =>
      Effect.gen(function* () {
        const events = yield* attempt(async () => {
          const stream = await client.messages.create({ ...params("Stream please"), stream: true })
          const out: Array<Anthropic.RawMessageStreamEvent> = []
          for await (const event of stream) out.push(event)
          return out
        })
        const types = events.map((e) => e.type)
        // the SDK drops `ping`; the wire order is checked below
        assert.deepStrictEqual(types.slice(0, 2), ["message_start", "content_block_start"])
        assert.deepStrictEqual(types.slice(-3), ["content_block_stop", "message_delta", "message_stop"])
        const wire = yield* attempt(() =>
          postMessages(fake, { ...params("Stream please"), stream: true }).then(async (r) => ({
            contentType: r.headers.get("content-type"),
            text: await r.text()
          }))
        )
        assert.strictEqual(wire.contentType, "text/event-stream; charset=utf-8")
        const names = [...wire.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
        assert.deepStrictEqual(names.slice(0, 4), [
          "message_start",
          "content_block_start",
          "ping",
          "content_block_delta"
        ])
        assert.deepStrictEqual(names.slice(-3), ["content_block_stop", "message_delta", "message_stop"])
        assert.strictEqual(names.length, types.length + 1)
        const deltas = events.flatMap((e) =>
          e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []
        )
        assert.isAbove(deltas.length, 30)
        assert.strictEqual(deltas.join(""), FakeClaude.completionText(params("Stream please"), 3))
        const delta = events.find((e) => e.type === "message_delta")
        assert.strictEqual(delta?.type === "message_delta" ? delta.delta.stop_reason : undefined, "end_turn")
      })
    )
  )

  it.live("the SDK stream helper assembles exactly the non-streaming message", () =>
    withFake({ seed: 4 }, (_fake, client) =>
      Effect.gen(function* () {
        const plain = yield* attempt(() => client.messages.create(params("Compare me")))
        const streamed = yield* attempt(() => client.messages.stream(params("Compare me")).finalMessage())
        assert.strictEqual(textOf(streamed), textOf(plain))
        assert.strictEqual(streamed.stop_reason, plain.stop_reason)
        assert.strictEqual(streamed.usage.output_tokens, plain.usage.output_tokens)
        assert.strictEqual(streamed.usage.input_tokens, plain.usage.input_tokens)
        const text = yield* attempt(() => client.messages.stream(params("Compare me")).finalText())
        assert.strictEqual(text, textOf(plain))
      })
    )
  )

  it.live("max_tokens cuts the text with stop_reason max_tokens", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        const full = FakeClaude.completionText(params("Short"), 1)
        const message = yield* attempt(() => client.messages.create(params("Short", { max_tokens: 20 })))
        assert.strictEqual(message.stop_reason, "max_tokens")
        assert.strictEqual(textOf(message), full.slice(0, 80))
        assert.strictEqual(message.usage.output_tokens, 20)
      })
    )
  )

  it.live("stop_sequences stop before the sequence", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        const full = FakeClaude.completionText(params("Stops"), 1)
        const sequence = full.slice(100, 108)
        const message = yield* attempt(() => client.messages.create(params("Stops", { stop_sequences: [sequence] })))
        assert.strictEqual(message.stop_reason, "stop_sequence")
        assert.strictEqual(message.stop_sequence, sequence)
        assert.strictEqual(textOf(message), full.slice(0, full.indexOf(sequence)))
      })
    )
  )

  it.live("an assistant prefill continues the same text byte for byte (JSON and SSE)", () =>
    withFake({ seed: 9 }, (_fake, client) =>
      Effect.gen(function* () {
        const full = FakeClaude.completionText(params("Resume me"), 9)
        for (const cut of [1, 57, 200, 431]) {
          const prefill = full.slice(0, cut).trimEnd()
          const request = params("Resume me", {
            model: PREFILL_MODEL,
            messages: [
              { role: "user", content: "Resume me" },
              { role: "assistant", content: prefill }
            ]
          })
          const plain = yield* attempt(() => client.messages.create(request))
          assert.strictEqual(prefill + textOf(plain), full)
          const streamed = yield* attempt(() => client.messages.stream(request).finalText())
          assert.strictEqual(streamed, full.slice(prefill.length))
        }
      })
    )
  )

  it.live("a 'continue' user turn resumes after the partial assistant turn", () =>
    withFake({ seed: 2 }, (_fake, client) =>
      Effect.gen(function* () {
        const full = FakeClaude.completionText(params("Tell a story"), 2)
        const partial = full.slice(0, 300).trimEnd()
        const message = yield* attempt(() =>
          client.messages.create(
            params("", {
              messages: [
                { role: "user", content: "Tell a story" },
                { role: "assistant", content: partial },
                { role: "user", content: "Continue from exactly where you left off." }
              ]
            })
          )
        )
        assert.strictEqual(partial + textOf(message), full)
      })
    )
  )

  it.live("count_tokens returns the documented estimate", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        const request = {
          model: MODEL,
          system: "You are terse.",
          messages: [
            { role: "user" as const, content: "How many tokens is this?" },
            { role: "assistant" as const, content: [{ type: "text" as const, text: "Some." }] },
            { role: "user" as const, content: "Exactly?" }
          ]
        }
        const count = yield* attempt(() => client.messages.countTokens(request))
        // 3 + system 4 + (4 + 6) + (4 + 2) + (4 + 2)
        assert.strictEqual(count.input_tokens, 29)
        assert.strictEqual(count.input_tokens, FakeClaude.estimateTokens(request))
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.path, "/v1/messages/count_tokens")
      })
    )
  )

  it.live("answers with tool_use when tools are given and the user asks for one", () =>
    withFake({ seed: 5 }, (_fake, client) =>
      Effect.gen(function* () {
        const tools: Array<Anthropic.Tool> = [
          { name: "get_time", input_schema: { type: "object", properties: { zone: { type: "string" } } } },
          {
            name: "get_weather",
            input_schema: {
              type: "object",
              properties: { city: { type: "string" }, days: { type: "integer" }, unit: { enum: ["c", "f"] } }
            }
          }
        ]
        const request = params("Please use tool get_weather for Paris", { tools })
        const message = yield* attempt(() => client.messages.create(request))
        assert.strictEqual(message.stop_reason, "tool_use")
        const block = message.content[0]
        assert.strictEqual(block?.type, "tool_use")
        if (block?.type !== "tool_use") return
        assert.match(block.id, /^toolu_01/)
        assert.strictEqual(block.name, "get_weather")
        const input = block.input as Record<string, unknown>
        assert.strictEqual(typeof input.city, "string")
        assert.strictEqual(typeof input.days, "number")
        assert.strictEqual(input.unit, "c")
        const streamed = yield* attempt(() => client.messages.stream(request).finalMessage())
        const streamedBlock = streamed.content[0]
        assert.strictEqual(streamedBlock?.type, "tool_use")
        if (streamedBlock?.type === "tool_use") {
          assert.strictEqual(streamedBlock.name, block.name)
          assert.deepStrictEqual(streamedBlock.input, block.input)
        }
        assert.strictEqual(streamed.stop_reason, "tool_use")
        // no trigger: plain text
        const plain = yield* attempt(() => client.messages.create(params("What time is it?", { tools })))
        assert.strictEqual(plain.stop_reason, "end_turn")
      })
    )
  )

  it.prop(
    "text deltas always reassemble the text",
    [FastCheck.string({ maxLength: 300 }), FastCheck.integer({ min: 1, max: 6 })],
    ([text, words]) => chunkText(text, words).join("") === text
  )
})

describe("FakeClaude validation", () => {
  const bad = (body: Record<string, unknown>) => body as unknown as Anthropic.MessageCreateParamsNonStreaming
  const user = { role: "user", content: "hi" }
  const assistant = { role: "assistant", content: "hello" }
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, number, RegExp]> = [
    ["missing model", { max_tokens: 10, messages: [user] }, 400, /^model: Field required/],
    ["missing max_tokens", { model: MODEL, messages: [user] }, 400, /^max_tokens: Field required/],
    [
      "max_tokens 0",
      { model: MODEL, max_tokens: 0, messages: [user] },
      400,
      /^max_tokens: .*greater than or equal to 1/
    ],
    ["missing messages", { model: MODEL, max_tokens: 10 }, 400, /^messages: Field required/],
    ["empty messages", { model: MODEL, max_tokens: 10, messages: [] }, 400, /at least one message/],
    [
      "first not user",
      { model: MODEL, max_tokens: 10, messages: [assistant] },
      400,
      /first message must use the "user" role/
    ],
    [
      "roles not alternating",
      { model: MODEL, max_tokens: 10, messages: [user, user] },
      400,
      /roles must alternate between "user" and "assistant"/
    ],
    [
      "empty content",
      { model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "" }] },
      400,
      /all messages must have non-empty content/
    ],
    [
      "bad role",
      { model: MODEL, max_tokens: 10, messages: [{ role: "system", content: "x" }] },
      400,
      /messages\.0\.role: Input should be 'user' or 'assistant'/
    ],
    [
      "prefill with trailing whitespace",
      { model: MODEL, max_tokens: 10, messages: [user, { role: "assistant", content: "Sure, " }] },
      400,
      /^messages: final assistant content cannot end with trailing whitespace$/
    ],
    ["unknown model", { model: "claude-nope-1", max_tokens: 10, messages: [user] }, 404, /^model: claude-nope-1$/]
  ]

  it.live("rejects invalid requests with the real status, error type and body", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        for (const [name, body, status, message] of cases) {
          const error = yield* rejection(() => client.messages.create(bad(body)))
          if (status === 404) assert.instanceOf(error, Anthropic.NotFoundError, name)
          else assert.instanceOf(error, Anthropic.BadRequestError, name)
          if (!(error instanceof Anthropic.APIError)) return
          assert.strictEqual(error.status, status, name)
          const errorBody = error.error as {
            type: string
            error: { type: string; message: string }
            request_id: string
          }
          assert.strictEqual(errorBody.type, "error", name)
          assert.strictEqual(errorBody.error.type, status === 404 ? "not_found_error" : "invalid_request_error", name)
          assert.match(errorBody.error.message, message, name)
          assert.strictEqual(errorBody.request_id, error.requestID, name)
        }
        const stats = yield* fake.stats
        assert.strictEqual(stats.byOutcome["400"], cases.length - 1)
        assert.strictEqual(stats.byOutcome["404"], 1)
      })
    )
  )

  it.live("rejects a prompt over the context window with the token counts", () =>
    withFake({ contextWindow: 100 }, (_fake, client) =>
      Effect.gen(function* () {
        const content = "x".repeat(400)
        const expected = FakeClaude.estimateTokens({ messages: [{ role: "user", content }] })
        const error = yield* rejection(() => client.messages.create(params(content)))
        assert.instanceOf(error, Anthropic.BadRequestError)
        assert.include(String((error as APIError).message), `prompt is too long: ${expected} tokens > 100 maximum`)
        const ok = yield* attempt(() =>
          client.messages.countTokens({ model: MODEL, messages: [{ role: "user", content }] })
        )
        assert.strictEqual(ok.input_tokens, expected)
      })
    )
  )

  it.live("authenticates with x-api-key or a bearer token and never records secrets", () =>
    withFake({ apiKey: "sk-ant-secret-123" }, (fake, client) =>
      Effect.gen(function* () {
        const wrong = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: fake.url, maxRetries: 0 })
        const error = yield* rejection(() => wrong.messages.create(params("hi")))
        assert.instanceOf(error, Anthropic.AuthenticationError)
        assert.strictEqual((error as APIError).status, 401)

        const missing = yield* attempt(() =>
          fetch(`${fake.url}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
            body: JSON.stringify(params("hi"))
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        )
        assert.strictEqual(missing.status, 401)
        assert.strictEqual(missing.body.error.type, "authentication_error")

        const bearer = new Anthropic({ authToken: "sk-ant-secret-123", apiKey: null, baseURL: fake.url, maxRetries: 0 })
        const ok = yield* attempt(() => bearer.messages.create(params("hi")))
        assert.strictEqual(ok.type, "message")
        const viaKey = yield* attempt(() => client.messages.create(params("hi")))
        assert.strictEqual(viaKey.type, "message")

        const records = yield* fake.requests
        assert.strictEqual(records.length, 4)
        assert.deepStrictEqual(
          records.map((r) => r.keyIndex),
          [undefined, undefined, 0, 0]
        )
        for (const r of records) {
          assert.isUndefined(r.headers["x-api-key"])
          assert.isUndefined(r.headers["authorization"])
        }
        assert.notInclude(JSON.stringify(records), "sk-ant-secret-123")
        assert.strictEqual(records[1]?.headers["anthropic-version"], "2023-06-01")
        assert.deepStrictEqual((records[2]!.body as { messages: unknown }).messages, [{ role: "user", content: "hi" }])
      })
    )
  )

  it.live("answers unknown paths with 404 not_found_error", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        const error = yield* rejection(() => client.skills.list())
        assert.instanceOf(error, Anthropic.NotFoundError)
      })
    )
  )
})

describe("FakeClaude models, from the api package's Model table", () => {
  const prefilled = (model: string) =>
    params("Resume me", {
      model,
      messages: [
        { role: "user", content: "Resume me" },
        { role: "assistant", content: "On" }
      ]
    })

  it.live("refuses a prefill on the models the table says take none, and only there", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        const ids = ["claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5", "claude-haiku-4-5-20251001"]
        for (const id of ids) {
          const outcome = yield* Effect.either(attempt(() => client.messages.create(prefilled(id))))
          if (Model.resumeMode(id) === "prefill") {
            assert.isTrue(outcome._tag === "Right", id)
          } else {
            assert.isTrue(outcome._tag === "Left", id)
            if (outcome._tag === "Left") {
              assert.instanceOf(outcome.left, Anthropic.BadRequestError, id)
              assert.include(
                String((outcome.left as APIError).message),
                "does not support assistant message prefill",
                id
              )
            }
          }
        }
        assert.deepStrictEqual(
          ids.map((id) => Model.resumeMode(id)),
          ["continuation", "continuation", "prefill", "prefill"]
        )
      })
    )
  )

  it.live("rejectPrefill overrides the table: [] lets every model take a prefill", () =>
    withFake({ rejectPrefill: [] }, (_fake, client) =>
      Effect.gen(function* () {
        const message = yield* attempt(() => client.messages.create(prefilled("claude-sonnet-4-6")))
        assert.strictEqual(message.role, "assistant")
      })
    )
  )

  it.live(
    "serves every id the table knows but retired ones, and new dated snapshots of them; `models` narrows it",
    () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(
          FakeClaude.defaultModels,
          Model.ids.filter((id) => Model.unsafeGet(id)?.status !== "retired")
        )
        yield* withFake({}, (_fake, client) =>
          Effect.gen(function* () {
            const snapshot = yield* attempt(() =>
              client.messages.create(params("hi", { model: "claude-sonnet-4-6-20260101" }))
            )
            assert.strictEqual(snapshot.model, "claude-sonnet-4-6-20260101")
            // retired on 2026-11-30: the API answers 404
            const retired = yield* rejection(() => client.messages.create(params("hi", { model: "claude-sonnet-4-5" })))
            assert.instanceOf(retired, Anthropic.NotFoundError)
          })
        )
        yield* withFake({ models: [PREFILL_MODEL] }, (_fake, client) =>
          Effect.gen(function* () {
            const error = yield* rejection(() => client.messages.create(params("hi")))
            assert.instanceOf(error, Anthropic.NotFoundError)
            const ok = yield* attempt(() => client.messages.create(params("hi", { model: PREFILL_MODEL })))
            assert.strictEqual(ok.model, PREFILL_MODEL)
          })
        )
      })
  )

  it.live("checks a prompt against its model's context window", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        const small = Model.contextWindow(PREFILL_MODEL)
        const large = Model.contextWindow(MODEL)
        assert.isBelow(small, large)
        // a prompt between the two windows
        const content = "x".repeat(small * 4 + 400)
        const expected = FakeClaude.estimateTokens({ messages: [{ role: "user", content }] })
        assert.isAbove(expected, small)
        assert.isBelow(expected, large)
        const error = yield* rejection(() =>
          client.messages.create(params(content, { model: PREFILL_MODEL, max_tokens: 16 }))
        )
        assert.instanceOf(error, Anthropic.BadRequestError)
        assert.include(String((error as APIError).message), `prompt is too long: ${expected} tokens > ${small} maximum`)
        const ok = yield* attempt(() => client.messages.create(params(content, { max_tokens: 16 })))
        assert.strictEqual(ok.usage.input_tokens, expected)
      })
    )
  )
})

describe("docs/testing.md", () => {
  it.live("the smallest example works as documented", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(529, { retryAfter: "0" }))
      const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 1 })
      const message = yield* Effect.promise(() =>
        client.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] })
      )
      assert.strictEqual(message.stop_reason, "end_turn")
      const stats = yield* fake.stats
      assert.deepStrictEqual(stats.byOutcome, { "529": 1, "200": 1 })
    }).pipe(Effect.provide(FakeClaude.layer({ seed: 1 })))
  )
})
