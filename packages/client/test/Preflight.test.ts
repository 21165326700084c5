/**
 * The preflight as a pure function: a valid request passes unchanged (the same object), each
 * defect fails with its typed error naming the value at fault, each check can be switched off,
 * the size check measures what the SDK sends, and the API key check never echoes the key.
 */
import { Limits, Model } from "@claude-resilience/api"
import { type Claude, Preflight } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeImage } from "@claude-resilience/testing"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, FastCheck as fc, Logger, LogLevel, Redacted, Schema } from "effect"
import { capOf, defect, validRequest } from "./preflightArbitraries.js"

const STRICT: Preflight.Options = { maxTokens: "fail", unknownModel: "fail" }

const user = (content: Claude.MessageCreateParams["messages"][number]["content"]) => ({
  role: "user" as const,
  content
})
const request = (extra: Partial<Claude.MessageCreateParams> = {}): Claude.MessageCreateParams => ({
  model: "claude-haiku-4-5",
  max_tokens: 256,
  messages: [user("Hello")],
  ...extra
})

const failure = <P extends Preflight.Request>(params: P, options?: Preflight.Options | false): Preflight.Failure => {
  const result = Preflight.validate(params, options)
  if (Either.isRight(result)) throw new Error("expected the preflight to refuse the request")
  return result.left
}

/** The check a switch turns off, for each check. */
const off: Record<ClaudeError.PreflightCheck, Preflight.Options> = {
  api_key: { apiKey: false },
  max_tokens: { maxTokens: false },
  model: { unknownModel: false, retiredModel: false },
  image: { images: false },
  cache_control: { cacheControl: false },
  tools: { tools: false }
}

describe("Preflight.validate", () => {
  it.prop("a valid request passes unchanged: the very same object", [validRequest], ([params]) => {
    const result = Preflight.validate(params, STRICT)
    assert(Either.isRight(result), Either.isLeft(result) ? String(result.left) : "")
    expect(result.right).toBe(params)
  })

  it.prop(
    "each defect fails with its check, naming the field at fault, with advice",
    [defect],
    ([{ check, field, name, params }]) => {
      const error = failure(params, STRICT)
      assert(error._tag === "PreflightError", `${name}: ${String(error)}`)
      expect({ check: error.check, field: error.field }).toEqual({ check, field })
      expect(error.advice.length).toBeGreaterThan(20)
      expect(ClaudeError.isRetryable(error)).toBe(false)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop("each check switched off lets its defect through", [defect], ([{ check, params }]) => {
    const result = Preflight.validate(params, { ...STRICT, ...off[check] })
    if (Either.isLeft(result)) expect(result.left._tag === "PreflightError" && result.left.check).not.toBe(check)
  })

  it.prop("false turns every check off", [defect], ([{ params }]) => {
    const result = Preflight.validate(params, false)
    assert(Either.isRight(result))
    expect(result.right).toBe(params)
  })

  it.prop(
    "max_tokens over the cap is clamped by default: a shallow copy, the cap, a notice",
    [validRequest, fc.integer({ min: 1, max: 1_000_000 })],
    ([valid, over]) => {
      const params = { ...valid, max_tokens: capOf(valid.model) + over }
      const notices: Array<Preflight.Notice> = []
      const result = Preflight.validate(params, undefined, (n) => notices.push(n))
      assert(Either.isRight(result))
      expect(result.right).not.toBe(params)
      expect(result.right).toEqual({ ...params, max_tokens: capOf(valid.model) })
      expect(result.right.messages).toBe(params.messages)
      expect(notices).toEqual([
        { _tag: "Clamped", model: valid.model, from: params.max_tokens, to: capOf(valid.model) }
      ])
    }
  )

  it("suggests current ids for an unknown or retired one, and warns instead when told", () => {
    const typo = failure(request({ model: "claude-sonet-4-6" }), STRICT)
    assert(typo._tag === "PreflightError")
    expect(typo.suggestions?.[0]).toBe("claude-sonnet-4-6")
    const retired = failure(request({ model: "claude-sonnet-4-5-20250929" }))
    assert(retired._tag === "PreflightError")
    expect(retired.message).toBe('model "claude-sonnet-4-5-20250929" is retired')
    expect(retired.suggestions?.every((id) => Model.unsafeGet(id)?.status !== "retired")).toBe(true)
    const notices: Array<Preflight.Notice> = []
    const warned = Preflight.validate(request({ model: "claude-next-9" }), undefined, (n) => notices.push(n))
    expect(Either.isRight(warned)).toBe(true)
    expect(notices).toEqual([{ _tag: "UnknownModel", model: "claude-next-9" }])
  })

  it("reads images nested in a tool_result and a document, and counts them all", () => {
    const toolResult = request({
      messages: [
        user("Look"),
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "camera", input: {} }] },
        user([
          {
            type: "tool_result",
            tool_use_id: "t1",
            content: [{ type: "text", text: "photo:" }, FakeImage.block("image/webp", 9000, 10)]
          }
        ])
      ]
    })
    expect(failure(toolResult)).toMatchObject({
      check: "image",
      field: "messages[2].content[0].content[1].source.data"
    })
    const document = request({
      messages: [
        user([
          {
            type: "document",
            source: {
              type: "content",
              content: [
                {
                  ...FakeImage.block("image/png", 4, 4),
                  source: { ...FakeImage.block("image/png", 4, 4).source, media_type: "image/gif" }
                }
              ]
            }
          }
        ])
      ]
    })
    expect(failure(document)).toMatchObject({
      check: "image",
      field: "messages[0].content[0].source.content[0].source.media_type"
    })
  })

  it("applies the many-images limit and the per-model image count", () => {
    const many = (big: FakeImage.ImageBlock) =>
      request({ messages: [user([big, ...Array.from({ length: 20 }, () => FakeImage.block("image/png", 2, 2))])] })
    expect(failure(many(FakeImage.block("image/jpeg", 2001, 5)))).toMatchObject({
      check: "image",
      field: "messages[0].content[0].source.data"
    })
    expect(Either.isRight(Preflight.validate(many(FakeImage.block("image/jpeg", 2000, 5))))).toBe(true)
    const images = (n: number, model: string) =>
      request({ model, messages: [user(Array.from({ length: n }, () => FakeImage.block("image/gif", 2, 2)))] })
    expect(failure(images(101, "claude-haiku-4-5"))).toMatchObject({
      check: "image",
      field: "messages[0].content[100]"
    })
    expect(Either.isRight(Preflight.validate(images(101, "claude-sonnet-5-5")))).toBe(true)
  })

  it("refuses an image over 5 MB of base64, and URL and file images are only counted", () => {
    const big = FakeImage.block("image/png", 10, 10, Math.ceil((Limits.imageBase64Bytes * 3) / 4))
    expect(big.source.data.length).toBeGreaterThan(Limits.imageBase64Bytes)
    expect(failure(request({ messages: [user([big])] }))).toMatchObject({
      check: "image",
      field: "messages[0].content[0].source.data"
    })
    const url = { type: "image" as const, source: { type: "url" as const, url: "https://example.com/cat.bmp" } }
    expect(Either.isRight(Preflight.validate(request({ messages: [user([url])] })))).toBe(true)
  })
})

describe("the size check", () => {
  const bytesOf = (params: unknown) => Buffer.byteLength(JSON.stringify(params))

  it.prop(
    "refuses exactly the requests whose JSON body is over the limit",
    [
      fc.oneof(fc.string({ unit: "binary", maxLength: 3000 }), fc.base64String({ maxLength: 12_000 })),
      fc.integer({ min: 200, max: 12_000 })
    ],
    ([text, limit]) => {
      const params = request({ messages: [user(text.length > 0 ? text : "x")] })
      const result = Preflight.validate(params, { requestSize: limit })
      const size = bytesOf(params)
      if (size > limit) {
        assert(Either.isLeft(result) && result.left._tag === "RequestTooLargeError")
        expect(result.left).toMatchObject({ preflight: true, bytes: size, maxBytes: limit })
        expect(result.left.message).toContain("Files API")
      } else {
        assert(Either.isRight(result))
        expect(result.right).toBe(params)
      }
    }
  )

  it.prop(
    "is exact at the limit, whichever step decides",
    [fc.constantFrom("A", "é", "\n", "😀"), fc.integer({ min: 1100, max: 5000 })],
    ([char, n]) => {
      const params = request({ messages: [user(char.repeat(n))] })
      const size = bytesOf(params)
      expect(Either.isRight(Preflight.validate(params, { requestSize: size }))).toBe(true)
      expect(failure(params, { requestSize: size - 1 })).toMatchObject({ _tag: "RequestTooLargeError", bytes: size })
    }
  )

  it("defaults to the API's 32 MiB", () => {
    const params = request({ messages: [user("x".repeat(Limits.requestBytes))] })
    const error = failure(params)
    assert(error._tag === "RequestTooLargeError")
    expect(error).toMatchObject({ bytes: bytesOf(params), maxBytes: 32 * 1024 * 1024, preflight: true })
    expect(Either.isRight(Preflight.validate(params, { requestSize: false }))).toBe(true)
  })
})

describe("Preflight.apiKey", () => {
  const key = (raw: string) =>
    Effect.runSyncExit(
      Preflight.apiKey(Redacted.make(raw)).pipe(Effect.map(Redacted.value), Logger.withMinimumLogLevel(LogLevel.None))
    )

  it("trims whitespace around the key, and passes keys of any printable shape", () => {
    expect(key("  sk-ant-api03-abcdefgh\r\n")).toEqual(Exit.succeed("sk-ant-api03-abcdefgh"))
    expect(key("\uFEFFsk-ant-api03-abcdefgh")).toEqual(Exit.succeed("sk-ant-api03-abcdefgh"))
    for (const gateway of ["gw_live_1234567890", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "k".repeat(1024)]) {
      expect(key(gateway)).toEqual(Exit.succeed(gateway))
    }
  })

  it.each([
    ["", "is empty"],
    [" \n\t", "is only whitespace"],
    ['"sk-ant-api03-abcdefgh"', "is wrapped in quotes"],
    ["Bearer sk-ant-api03-abcdefgh", 'starts with "Bearer "'],
    ["sk-ant-api03 abcdefgh", "whitespace"],
    ["sk-ant-api03-\u0000abcdefgh", "a control character"],
    ["sk-ant-api03-\u2013abcdefgh", "a non-ASCII character"],
    ["sk-ant", "is only 6 characters long"],
    ["k".repeat(1025), "is 1025 characters long"]
  ])("refuses %j: it %s", (raw, why) => {
    const exit = key(raw)
    assert(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect(error).toMatchObject({ _tag: "PreflightError", check: "api_key", field: "apiKey" })
    expect(error?.message).toContain(why)
  })

  it.prop(
    "never puts the key in the error, its message, its advice or its encoding",
    [
      fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/),
      fc.constantFrom(" inner", "\u00a0x", '"', "Bearer ", "\u0007", "\u201c", ""),
      fc.constantFrom("prefix", "suffix", "middle")
    ],
    ([secret, flaw, where]) => {
      const raw =
        where === "prefix"
          ? flaw + secret
          : where === "suffix"
            ? secret + flaw
            : secret.slice(0, 6) + flaw + secret.slice(6)
      const full = flaw === '"' ? `"${secret}"` : raw
      const exit = key(full)
      if (Exit.isSuccess(exit)) return // a flaw the trim removed: nothing to leak
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert(error !== undefined)
      const printed = [
        String(error),
        error.message,
        error.advice,
        error.field,
        JSON.stringify(Schema.encodeSync(ClaudeError.ClaudeError)(error)),
        JSON.stringify(error)
      ].join("\n")
      expect(printed).not.toContain(secret)
      expect(printed).not.toContain(secret.slice(0, 12))
    }
  )

  it("logs the trim once at Warning, without the key", () => {
    const logs: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => logs.push(`${logLevel.label} ${String(message)}`))
    Effect.runSync(
      Preflight.apiKey(Redacted.make("sk-ant-api03-secretsecret\n")).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
    )
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/^WARN preflight: the API key had 1 character of whitespace around it/)
    expect(logs[0]).not.toContain("secretsecret")
  })
})
