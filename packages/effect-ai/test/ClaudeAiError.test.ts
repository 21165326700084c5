/**
 * Our failures as `AiError` members with the original as the `cause`: `catchTag` on the `AiError`
 * member works as with `@effect/ai-anthropic`, and on the `ClaudeError` tag after `unwrap`.
 */
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { AiError, LanguageModel } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, Schedule, Stream } from "effect"
import { ClaudeAiError } from "../src/index.js"
import { withFake } from "./helpers.js"

const once = { callOptions: { retry: false as const } }

describe("the AiError of each failure", () => {
  it.live("429 with retry-after: HttpResponseError 429 with the header, the RateLimitError as cause", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(429, { retryAfter: "7" }))
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Hello" }))
      expect(error._tag).toBe("HttpResponseError")
      if (error._tag !== "HttpResponseError") return
      expect(error.response.status).toBe(429)
      expect(error.response.headers["retry-after"]).toBe("7")
      expect(error.response.headers["request-id"]).toMatch(/^req_01/)
      expect(error.method).toBe("generateText")
      expect(error.request.url).toBe(`${fake.url}/v1/messages`)
      expect(AiError.isAiError(error)).toBe(true)
      const original = Option.getOrThrow(ClaudeAiError.getOriginal(error))
      expect(original).toBeInstanceOf(ClaudeError.RateLimitError)
      expect(original._tag === "RateLimitError" && original.retryAfter).toEqual(Duration.seconds(7))
      expect(error.cause).toBe(original)
    }).pipe(Effect.provide(withFake({}, once)))
  )

  it.live("catchTag on the AiError member, or on the ClaudeError tag after unwrap", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(529), Fault.status(529))
      const byMember = yield* LanguageModel.generateText({ prompt: "Hello" }).pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("HttpResponseError", (e) => Effect.succeed(`status ${e.response.status}`))
      )
      const byTag = yield* LanguageModel.generateText({ prompt: "Hello" }).pipe(
        Effect.map(() => "answered"),
        ClaudeAiError.unwrap,
        Effect.catchTag("OverloadedError", (e) => Effect.succeed(`overloaded ${e.status}`))
      )
      expect([byMember, byTag]).toEqual(["status 529", "overloaded 529"])
    }).pipe(Effect.provide(withFake({}, once)))
  )

  it.live("a proxy's HTML 502: HttpResponseError 502, the page snippet as body", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.html(502))
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Hello" }))
      expect(error._tag === "HttpResponseError" && [error.response.status, error.body?.includes("<html")]).toEqual([
        502,
        true
      ])
      expect(Option.map(ClaudeAiError.getOriginal(error), (e) => e._tag)).toEqual(Option.some("BadGatewayError"))
    }).pipe(Effect.provide(withFake({}, once)))
  )

  it.live("a reset: HttpRequestError (Transport), the ConnectionError as cause", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.reset())
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Hello" }))
      expect(error._tag === "HttpRequestError" && error.reason).toBe("Transport")
      expect(Option.map(ClaudeAiError.getOriginal(error), (e) => e._tag)).toEqual(Option.some("ConnectionError"))
    }).pipe(Effect.provide(withFake({}, once)))
  )

  it.live("a non-retryable 404 fails at once even with retries on", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Hello" }))
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(404)
      expect((yield* fake.requests).length).toBe(1)
    }).pipe(Effect.provide(withFake({}, { model: "claude-nonexistent-9" })))
  )

  it.live("a stream whose resumptions run out: the ResumeExhaustedError (partial text) as cause", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.sseError(6), Fault.sseError(3))
      const error = yield* Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "Hello" })))
      // an SSE `error` event carries the status of its type, as its ClaudeError does (529 here)
      expect(error._tag === "HttpResponseError" && [error.response.status, error.method]).toEqual([529, "streamText"])
      expect(error._tag === "HttpResponseError" && error.description).toMatch(/^stream could not be resumed .*\(last: /)
      const partial = yield* Stream.runDrain(LanguageModel.streamText({ prompt: "Hello" })).pipe(
        Effect.as(""),
        ClaudeAiError.unwrap,
        Effect.catchTag("ResumeExhaustedError", (e) => Effect.succeed(e.cause._tag))
      )
      expect(partial).toBe("OverloadedError")
    }).pipe(
      Effect.provide(withFake({ chaos: { rates: { sseOverloaded: 1 } } }, { stream: { schedule: Schedule.recurs(1) } }))
    )
  )

  it("fromClaudeError: a local failure without a request (open circuit) is UnknownError", () => {
    const error = ClaudeAiError.fromClaudeError(
      new ClaudeError.CircuitOpenError({ message: "open", key: "claude-haiku-4-5", state: "Open" }),
      { method: "generateText", url: "https://api.anthropic.com/v1/messages" }
    )
    expect(error._tag).toBe("UnknownError")
    expect(error.message).toBe("ClaudeLanguageModel.generateText: CircuitOpenError: open")
    expect(ClaudeAiError.isOriginal(error.cause)).toBe(true)
  })

  it("unwrap leaves other errors alone", () =>
    Effect.runPromise(
      Effect.fail(new AiError.MalformedOutput({ module: "x", method: "y" })).pipe(
        ClaudeAiError.unwrap,
        Effect.flip,
        Effect.map((e) => expect(e._tag).toBe("MalformedOutput"))
      )
    ))
})
