/**
 * `@effect/ai-anthropic` alone next to this package: the same `LanguageModel.streamText` program on
 * the same FakeClaude with the same scripted fault, two providers. Kept as the comparison in
 * docs/effect-ai.md and the bench page.
 */
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { type AiError, LanguageModel } from "@effect/ai"
import { AnthropicClient, AnthropicLanguageModel } from "@effect/ai-anthropic"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Inspectable, Layer, Redacted, Schedule, Stream } from "effect"
import { MODEL, streamedText, withFake } from "./helpers.js"

const prompt = "Tell me about resilient streams"
const expected = FakeClaude.completionText({ messages: [{ role: "user", content: prompt }] }, 0)

/** What the consumer of `streamText` saw: the text, whether a finish part came, error parts, the failure. */
interface Seen {
  readonly text: string
  readonly finished: boolean
  readonly errorParts: number
  readonly failure: AiError.AiError | undefined
  readonly requests: number
  readonly apiKey: string
}

/** The same program for both providers, after `faults` are queued. */
const run = (...faults: ReadonlyArray<Fault.Fault>) =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.FakeClaude
    yield* fake.enqueue(...faults)
    const items = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.either(LanguageModel.streamText({ prompt }))))
    const parts = items.flatMap((item) => (Either.isRight(item) ? [item.right] : []))
    const failure = items.flatMap((item) => (Either.isLeft(item) ? [item.left] : []))[0]
    const seen: Seen = {
      text: streamedText(parts),
      finished: parts.some((p) => p.type === "finish"),
      errorParts: parts.filter((p) => p.type === "error").length,
      failure,
      requests: (yield* fake.requests).length,
      apiKey: fake.apiKey
    }
    return seen
  })

const anthropicAlone = FakeClaude.layerWith({}, (fake) =>
  AnthropicLanguageModel.layer({ model: MODEL }).pipe(
    Layer.provide(AnthropicClient.layer({ apiKey: Redacted.make(fake.apiKey), apiUrl: fake.url })),
    Layer.provide(FetchHttpClient.layer)
  )
)

describe("@effect/ai-anthropic alone vs ClaudeLanguageModel", () => {
  it.live("without a fault both stream FakeClaude's text", () =>
    Effect.gen(function* () {
      const alone = yield* run().pipe(Effect.provide(anthropicAlone))
      const ours = yield* run().pipe(Effect.provide(withFake()))
      expect([alone.text, alone.finished]).toEqual([expected, true])
      expect([ours.text, ours.finished]).toEqual([expected, true])
    })
  )

  it.live("socket cut after 8 events: theirs fails after part of the text; ours resumes, text exact", () =>
    Effect.gen(function* () {
      const alone = yield* run(Fault.cutStream(8)).pipe(Effect.provide(anthropicAlone))
      expect(alone.failure?._tag).toBe("HttpResponseError")
      expect(alone.finished).toBe(false)
      expect(alone.text.length).toBeGreaterThan(0)
      expect(expected.startsWith(alone.text) && alone.text !== expected).toBe(true)
      expect(alone.requests).toBe(1)

      const ours = yield* run(Fault.cutStream(8)).pipe(Effect.provide(withFake()))
      expect(ours).toMatchObject({ text: expected, finished: true, errorParts: 0, failure: undefined, requests: 2 })
    })
  )

  it.live("SSE overloaded_error after 8 events: theirs ends 'successfully' with an error part and a short text", () =>
    Effect.gen(function* () {
      const alone = yield* run(Fault.sseError(8)).pipe(Effect.provide(anthropicAlone))
      expect(alone.failure).toBeUndefined()
      expect(alone.errorParts).toBe(1)
      expect(alone.finished).toBe(false)
      expect(expected.startsWith(alone.text) && alone.text !== expected).toBe(true)

      const ours = yield* run(Fault.sseError(8)).pipe(Effect.provide(withFake()))
      expect(ours).toMatchObject({ text: expected, finished: true, errorParts: 0, failure: undefined, requests: 2 })
    })
  )

  it.live("529 before the answer: theirs fails at once with HttpResponseError 529; ours retries and answers", () =>
    Effect.gen(function* () {
      const alone = yield* run(Fault.status(529, { retryAfter: "0" })).pipe(Effect.provide(anthropicAlone))
      expect(alone.failure?._tag === "HttpResponseError" && alone.failure.response.status).toBe(529)
      expect([alone.text, alone.requests]).toEqual(["", 1])

      const ours = yield* run(Fault.status(529, { retryAfter: "0" })).pipe(Effect.provide(withFake()))
      expect(ours).toMatchObject({ text: expected, finished: true, failure: undefined, requests: 2 })
    })
  )

  it.live("the API key: in theirs the cut's error body holds it (0.27.0); never in ours", () =>
    Effect.gen(function* () {
      const alone = yield* run(Fault.cutStream(8)).pipe(Effect.provide(anthropicAlone))
      expect(Inspectable.format(alone.failure)).toContain(alone.apiKey)

      const ours = yield* run(Fault.sseError(4), Fault.sseError(4)).pipe(
        Effect.provide(withFake({}, { stream: { schedule: Schedule.recurs(1) } }))
      )
      expect(ours.failure?._tag).toBe("HttpResponseError")
      expect(Inspectable.format(ours.failure)).not.toContain(ours.apiKey)
      expect(Inspectable.format((ours.failure as { readonly cause?: unknown }).cause)).not.toContain(ours.apiKey)
    })
  )
})
