/**
 * The preflight against FakeClaude, over real HTTP with the real SDK: with the preflight off, the
 * server refuses exactly the requests the preflight refuses, for every check (generated valid and
 * one-defect requests, and sizes around the limit); with it on, a refused request never reaches the
 * server, a clamp is sent as the cap, notices are logged once, options apply per call, and the API
 * key is checked when the layer is built.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, Preflight } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, FakeImage } from "@claude-resilience/testing"
import { assert, describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Runtime,
  Schedule,
  Stream
} from "effect"
import { defect, validRequest } from "./preflightArbitraries.js"

const LIMIT = 64 * 1024

/**
 * Claude against a FakeClaude with `LIMIT` as its body limit, logging nothing unless `logs` is
 * given. `retry` retries every error (default: none), so a retry would show in the requests.
 */
const onFake = (
  options: Omit<Claude.Options, "apiKey" | "baseURL"> & { readonly key?: (fake: string) => string },
  extra: {
    readonly retry?: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
    readonly logs?: Layer.Layer<never>
  } = {}
) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({
        ...options,
        apiKey: Redacted.make(options.key?.(fake.apiKey) ?? fake.apiKey),
        baseURL: fake.url
      }).pipe(Layer.provide(RetryPolicy.layer(extra.retry ?? Schedule.stop)), Layer.provide(CircuitBreaker.layer({})))
    )
  ).pipe(
    Layer.provideMerge(FakeClaude.layer({ maxRequestBytes: LIMIT })),
    Layer.provideMerge(extra.logs ?? Logger.minimumLogLevel(LogLevel.None))
  )

type Verdict = "accepted" | "400" | "404" | "413"

const preflightVerdict = (params: Claude.MessageCreateParams): Verdict => {
  const result = Preflight.validate(params, { maxTokens: "fail", unknownModel: "fail", requestSize: LIMIT })
  if (Either.isRight(result)) return "accepted"
  const error = result.left
  if (error._tag === "RequestTooLargeError") return "413"
  return error.check === "model" ? "404" : "400"
}

const serverVerdict = (result: Either.Either<Claude.Message, ClaudeError.ClaudeError>): Verdict | string => {
  if (Either.isRight(result)) return "accepted"
  const error = result.left
  switch (error._tag) {
    case "InvalidRequestError":
      return "400"
    case "NotFoundError":
      return "404"
    case "RequestTooLargeError":
      return "413"
    default:
      return String(error)
  }
}

/** A valid request padded with one text block of `chars` characters of `char`, to land near the limit. */
const nearTheLimit = fc
  .tuple(validRequest, fc.integer({ min: -3000, max: 3000 }), fc.constantFrom("a", "é", "漢", "😀", "\n"))
  .map(([params, delta, char]) => {
    const base = Buffer.byteLength(JSON.stringify(params))
    const unit = Buffer.byteLength(JSON.stringify(char)) - 2
    const n = Math.max(1, Math.floor((LIMIT - base + delta) / unit))
    const last = params.messages[params.messages.length - 1]!
    const blocks = typeof last.content === "string" ? [{ type: "text" as const, text: last.content }] : last.content
    const padded = { ...last, content: [...blocks, { type: "text" as const, text: `${char.repeat(n)}end` }] }
    return { ...params, messages: [...params.messages.slice(0, -1), padded] } as Claude.MessageCreateParams
  })

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    if (text.startsWith("preflight:")) lines.push(`${logLevel.label} ${text}`)
  })
  return {
    lines,
    layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.Debug))
  }
}

const ask = (extra: Partial<Claude.MessageCreateParams> = {}): Claude.MessageCreateParams => ({
  model: "claude-haiku-4-5",
  max_tokens: 128,
  messages: [{ role: "user", content: "Hello" }],
  ...extra
})

describe("preflight and FakeClaude agree", () => {
  it.live("FakeClaude refuses exactly what the preflight refuses, for every check", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const run = Runtime.runPromise(yield* Effect.runtime<never>())
      const cases = fc.oneof(
        { arbitrary: validRequest, weight: 2 },
        { arbitrary: defect.map((d) => d.params), weight: 4 },
        { arbitrary: nearTheLimit, weight: 2 }
      )
      const seen = new Map<Verdict, number>()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(cases, async (params) => {
            const expected = preflightVerdict(params)
            const actual = serverVerdict(await run(Effect.either(claude.messages.create(params))))
            seen.set(expected, (seen.get(expected) ?? 0) + 1)
            expect(actual).toBe(expected)
          }),
          { numRuns: 160 }
        )
      )
      // every verdict was met, so no check was left out of the comparison
      expect([...seen.keys()].sort()).toEqual(["400", "404", "413", "accepted"])
    }).pipe(Effect.provide(onFake({ preflight: false })))
  )

  it.live("streams and token counts go through the same check", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const image = { ...FakeImage.block("image/png", 9000, 9000) }
      const messages = [{ role: "user" as const, content: [image] }]
      const streamed = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask({ messages }))))
      const counted = yield* Effect.flip(claude.messages.countTokens({ model: "claude-haiku-4-5", messages }))
      for (const error of [streamed, counted]) {
        expect(error).toMatchObject({
          _tag: "PreflightError",
          check: "image",
          field: "messages[0].content[0].source.data"
        })
      }
      expect(yield* fake.requests).toHaveLength(0)
      const counts = yield* claude.messages.countTokens({
        model: "claude-haiku-4-5",
        messages: [{ role: "user", content: "hi" }]
      })
      expect(counts.input_tokens).toBeGreaterThan(0)
    }).pipe(Effect.provide(onFake({})))
  )
})

describe("preflight in the client", () => {
  it.live("a refused request costs no attempt: nothing reaches the server, nothing is retried", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(claude.messages.create(ask({ max_tokens: 0 })))
      expect(error).toMatchObject({ _tag: "PreflightError", check: "max_tokens", field: "max_tokens" })
      const tooLarge = yield* Effect.flip(
        claude.messages.create(ask({ messages: [{ role: "user", content: "x".repeat(LIMIT) }] }))
      )
      expect(tooLarge).toMatchObject({ _tag: "RequestTooLargeError", preflight: true, maxBytes: LIMIT })
      expect(yield* fake.requests).toHaveLength(0)
    }).pipe(Effect.provide(onFake({ preflight: { requestSize: LIMIT } }, { retry: Schedule.recurs(3) })))
  )

  it.live("max_tokens over the cap is sent as the cap, and the clamp logged once per model", () => {
    const logs = captureLogs()
    return Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* claude.messages.create(ask({ max_tokens: 100_000 }))
      yield* claude.messages.create(ask({ max_tokens: 90_000 }))
      yield* claude.messages.create(ask({ model: "claude-haiku-4-5-20251001", max_tokens: 70_000 }))
      const sent = (yield* fake.requests).map((r) => (r.body as { max_tokens: number }).max_tokens)
      expect(sent).toEqual([64_000, 64_000, 64_000])
      expect(logs.lines).toEqual([
        "INFO preflight: max_tokens 100000 is above the output cap of claude-haiku-4-5; sent as 64000",
        "INFO preflight: max_tokens 70000 is above the output cap of claude-haiku-4-5-20251001; sent as 64000"
      ])
    }).pipe(Effect.provide(onFake({}, { logs: logs.layer })))
  })

  it.live("an unknown id is sent (FakeClaude answers 404) and warned about once per id", () => {
    const logs = captureLogs()
    return Effect.gen(function* () {
      const claude = yield* Claude.Claude
      for (const model of ["claude-next-1", "claude-next-1", "claude-next-2"]) {
        const error = yield* Effect.flip(claude.messages.create(ask({ model })))
        expect(error._tag).toBe("NotFoundError")
      }
      expect(logs.lines).toHaveLength(2)
      expect(logs.lines[0]).toMatch(/^WARN preflight: unknown model id "claude-next-1", sent as is \(did you mean /)
      expect(logs.lines[1]).toMatch(/^WARN preflight: unknown model id "claude-next-2"/)
    }).pipe(Effect.provide(onFake({}, { logs: logs.layer })))
  })

  it.live("a call's options override the layer's, field by field", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const strict = yield* Effect.flip(
        claude.messages.create(ask({ max_tokens: 100_000 }), { preflight: { maxTokens: "fail" } })
      )
      expect(strict).toMatchObject({ _tag: "PreflightError", check: "max_tokens" })
      // with the check off for this call, the server's 400 says the same, parsed
      const server = yield* Effect.flip(claude.messages.create(ask({ max_tokens: 100_000 }), { preflight: false }))
      assert(server._tag === "InvalidRequestError")
      expect(server.maxTokensTooLarge).toEqual({ maxTokens: 100_000, maximum: 64_000 })
      expect(yield* fake.requests).toHaveLength(1)
    }).pipe(Effect.provide(onFake({})))
  )

  it.live("a layer with the preflight off runs only the checks a call turns on", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const over = yield* Effect.flip(
        claude.messages.create(ask({ max_tokens: 100_000 }), { preflight: { images: true } })
      )
      expect(over._tag).toBe("InvalidRequestError")
      const image = yield* Effect.flip(
        claude.messages.create(
          ask({ messages: [{ role: "user", content: [FakeImage.block("image/gif", 9000, 1)] }] }),
          {
            preflight: { images: true }
          }
        )
      )
      expect(image).toMatchObject({ _tag: "PreflightError", check: "image" })
    }).pipe(Effect.provide(onFake({ preflight: false })))
  )
})

describe("the API key, when the layer is built", () => {
  it.live("a key with a line break is trimmed, logged once, and works", () => {
    const logs = captureLogs()
    return Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const fake = yield* FakeClaude.FakeClaude
      const message = yield* claude.messages.create(ask())
      expect(message.type).toBe("message")
      expect(logs.lines).toEqual([
        "WARN preflight: the API key had 2 characters of whitespace around it (a line break from the environment?); they were trimmed"
      ])
      expect(logs.lines.join("")).not.toContain(fake.apiKey)
    }).pipe(Effect.provide(onFake({ key: (k) => `${k}\r\n` }, { logs: logs.layer })))
  })

  it.live("a malformed key fails the layer with a PreflightError that never contains it", () =>
    Effect.gen(function* () {
      const secret = "sk-ant-api03-VERYSECRETVALUE"
      for (const bad of [`Bearer ${secret}`, `"${secret}"`, `${secret.slice(0, 12)} ${secret.slice(12)}`]) {
        const exit = yield* Effect.exit(
          Layer.build(Claude.layer({ apiKey: Redacted.make(bad), retryPolicy: Schedule.stop })).pipe(Effect.scoped)
        )
        assert(Exit.isFailure(exit))
        const printed = Cause.pretty(exit.cause)
        expect(printed).toContain("PreflightError")
        expect(printed).not.toContain("VERYSECRET")
      }
      const error = yield* Effect.flip(Layer.build(Claude.layer({ apiKey: Redacted.make("\n") })).pipe(Effect.scoped))
      expect(error).toMatchObject({ _tag: "PreflightError", check: "api_key", field: "apiKey" })
      // switched off, any key goes through (and the server says what it thinks of it)
      const built = yield* Effect.exit(
        Layer.build(Claude.layer({ apiKey: Redacted.make("x y"), preflight: { apiKey: false } })).pipe(Effect.scoped)
      )
      expect(Exit.isSuccess(built)).toBe(true)
    })
  )
})
