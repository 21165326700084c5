/**
 * FakeClaude's API rules beyond the request's shape — the ones the client's preflight checks too:
 * `max_tokens` over the model's cap, retired ids, tool definitions, `cache_control`, images, and
 * the 413 of an oversized body — over real HTTP with the real SDK. (The client's tests hold its
 * preflight and these rules to the same verdicts.)
 */
import Anthropic, { type APIError } from "@anthropic-ai/sdk"
import { Image } from "@claude-resilience/api"
import { FakeImage } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { MODEL, PREFILL_MODEL, postMessages, rejection, withFake } from "./helpers.js"

const user = (content: Anthropic.MessageParam["content"]): Anthropic.MessageParam => ({ role: "user", content })
const request = (
  extra: Partial<Anthropic.MessageCreateParamsNonStreaming>
): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 64,
  messages: [user("hi")],
  ...extra
})
const ephemeral = { type: "ephemeral" } as const
const tool = (name: string, input_schema: unknown = { type: "object", properties: {} }) =>
  ({ name, input_schema }) as Anthropic.Tool

type Case = readonly [name: string, body: Anthropic.MessageCreateParamsNonStreaming, status: number, message: RegExp]

const cases: ReadonlyArray<Case> = [
  [
    "max_tokens over the model's cap",
    request({ model: PREFILL_MODEL, max_tokens: 64_001 }),
    400,
    /^max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5$/
  ],
  ["a retired model", request({ model: "claude-opus-4-1-20250805" }), 404, /^model: claude-opus-4-1-20250805$/],
  [
    "a tool name with a space",
    request({ tools: [tool("get weather")] }),
    400,
    /^tools\.0\.custom\.name: String should match pattern/
  ],
  [
    "two tools with one name",
    request({ tools: [tool("echo"), tool("echo")] }),
    400,
    /^tools: Tool names must be unique\.$/
  ],
  [
    "a string input schema",
    request({ tools: [tool("echo", { type: "string" })] }),
    400,
    /^tools\.0\.custom\.input_schema\.type: Input should be 'object'$/
  ],
  [
    "five cache breakpoints",
    request({
      system: [1, 2, 3, 4].map((n) => ({ type: "text" as const, text: `part ${n}`, cache_control: ephemeral })),
      cache_control: ephemeral
    }),
    400,
    /^A maximum of 4 blocks with cache_control may be provided\. Found 5\.$/
  ],
  [
    "cache_control on a thinking block",
    request({
      model: PREFILL_MODEL,
      messages: [
        user("hi"),
        {
          role: "assistant",
          content: [{ type: "thinking", thinking: "hm", signature: "sig", cache_control: ephemeral } as never]
        },
        user("go on")
      ]
    }),
    400,
    /^messages\.1\.content\.0\.thinking\.cache_control: Extra inputs are not permitted$/
  ],
  [
    "a bmp image",
    request({
      messages: [
        user([
          {
            ...FakeImage.block("image/png", 10, 10),
            source: { type: "base64", media_type: "image/bmp" as never, data: "Qk0=" }
          }
        ])
      ]
    }),
    400,
    /^messages\.0\.content\.0\.image\.source\.base64\.media_type: Input should be/
  ],
  [
    "a PNG said to be a JPEG",
    request({
      messages: [
        user([
          {
            type: "image",
            source: { type: "base64", media_type: "image/jpeg", data: FakeImage.base64("image/png", 5, 5) }
          }
        ])
      ]
    }),
    400,
    /Image does not match the provided media type image\/jpeg$/
  ],
  [
    "an image of 8001 px",
    request({ messages: [user([FakeImage.block("image/gif", 8001, 10)])] }),
    400,
    /image dimensions exceed max allowed size: 8000 pixels$/
  ],
  [
    "a 2001 px image among 21",
    request({
      messages: [
        user([
          FakeImage.block("image/webp", 2001, 10),
          ...Array.from({ length: 20 }, () => FakeImage.block("image/png", 1, 1))
        ])
      ]
    }),
    400,
    /max allowed size for many-image requests: 2000 pixels$/
  ],
  [
    "an image over 5 MB of base64",
    request({ messages: [user([FakeImage.block("image/jpeg", 10, 10, 5 * 1024 * 1024)])] }),
    400,
    /image exceeds 5 MB maximum: \d+ bytes > 5242880 bytes$/
  ],
  [
    "101 images on a 200K-token model",
    request({
      model: PREFILL_MODEL,
      messages: [user(Array.from({ length: 101 }, () => FakeImage.block("image/png", 1, 1)))]
    }),
    400,
    /too many images/
  ]
]

describe("FakeClaude's API rules", () => {
  it.live("refuses each with the API's status and message", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        for (const [name, body, status, message] of cases) {
          // an explicit timeout, or the SDK refuses a large max_tokens without streaming before sending
          const error = yield* rejection(() => client.messages.create(body, { timeout: 30_000 }))
          assert.instanceOf(error, Anthropic.APIError, name)
          if (!(error instanceof Anthropic.APIError)) return
          assert.strictEqual(error.status, status, name)
          assert.match((error.error as { error: { message: string } }).error.message, message, name)
        }
      })
    )
  )

  it.live("details an image over the size limit with its error_code and paths", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        const error = yield* rejection(() =>
          client.messages.create(
            request({ messages: [user([FakeImage.block("image/png", 1, 1), FakeImage.block("image/png", 9000, 1)])] })
          )
        )
        assert.instanceOf(error, Anthropic.BadRequestError)
        assert.deepStrictEqual((error as APIError).error, {
          type: "error",
          error: {
            type: "invalid_request_error",
            message:
              "messages.0.content.1.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels",
            details: {
              error_code: "image_dimensions_too_large",
              max_side_length_pixels: 8000,
              paths: ["messages.0.content.1"]
            }
          },
          request_id: (error as APIError).requestID
        })
      })
    )
  )

  it.live("accepts images, breakpoints and tools within the limits", () =>
    withFake({}, (_fake, client) =>
      Effect.gen(function* () {
        const ok = yield* Effect.promise(() =>
          client.messages.create(
            request({
              tools: [tool("echo"), { type: "web_search_20250305", name: "web_search", cache_control: ephemeral }],
              system: [{ type: "text", text: "be brief", cache_control: ephemeral }],
              messages: [
                user([
                  FakeImage.block("image/jpeg", 8000, 8000),
                  FakeImage.block("image/gif", 1, 1),
                  { type: "text", text: "compare", cache_control: { type: "ephemeral", ttl: "1h" } }
                ])
              ],
              cache_control: ephemeral
            })
          )
        )
        assert.strictEqual(ok.type, "message")
      })
    )
  )

  it.live("answers a body over the size limit with 413 request_too_large, before the key is checked", () =>
    withFake({ maxRequestBytes: 2048 }, (fake) =>
      Effect.gen(function* () {
        const response = yield* Effect.promise(() =>
          postMessages({ ...fake, apiKey: "sk-ant-wrong-key" }, request({ messages: [user("x".repeat(2048))] }))
        )
        assert.strictEqual(response.status, 413)
        const body = (yield* Effect.promise(() => response.json())) as { error: { type: string; message: string } }
        assert.deepStrictEqual(body.error, {
          type: "request_too_large",
          message: "Request exceeds the maximum allowed number of bytes."
        })
        const small = yield* Effect.promise(() => postMessages(fake, request({})))
        assert.strictEqual(small.status, 200)
      })
    )
  )
})

describe("FakeImage", () => {
  const mediaType = fc.constantFrom<FakeImage.MediaType>("image/jpeg", "image/png", "image/gif", "image/webp")

  it.prop(
    "writes a header the image reader reads back",
    [mediaType, fc.integer({ min: 1, max: 65_535 }), fc.integer({ min: 1, max: 65_535 }), fc.nat(64)],
    ([type, width, height, padding]) => {
      assert.deepStrictEqual(Image.fromBase64(FakeImage.base64(type, width, height, padding)), {
        mediaType: type,
        width,
        height
      })
    }
  )

  it("refuses a size the format cannot say", () => {
    assert.throws(() => FakeImage.bytes("image/gif", 70_000, 1), RangeError)
    assert.throws(() => FakeImage.bytes("image/png", 0, 1), RangeError)
    assert.strictEqual(Image.fromBytes(FakeImage.bytes("image/webp", 20_000, 3))?.width, 20_000)
  })
})
