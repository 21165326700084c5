/**
 * Mid-stream fallback against FakeClaude (real HTTP, SSE and SDK): a stream cut on one model at
 * every point finishes on the next, byte for byte, whichever way the next model resumes (prefill or
 * the continuation turn); refusals restart on the next model; exhausted resumptions leave; the
 * final message says which models answered.
 */
import { Bulkhead, Claude, Fallback } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault, Reply } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, Metric, MetricState, Redacted, Schedule, Stream } from "effect"
import { ask, fast, notices, run, textOf, withFake } from "./helpers.js"

/** The model that fails: a 5.x model (it rejects a prefill; its own mode does not matter here). */
const A = "claude-sonnet-5-5"
/** Takes a prefill. */
const PREFILL = "claude-haiku-4-5"
/** Rejects a prefill: resumes with the continuation turn. */
const CONTINUATION = "claude-sonnet-4-6"

type Body = {
  readonly model: string
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: unknown }>
}
const bodyOf = (r: FakeClaude.RecordedRequest) => r.body as Body

const fallbacksCounted = (from: string, to: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs
      .filter((p) => p.metricKey.name === "claude_fallbacks_total")
      .filter((p) => {
        const tags = Object.fromEntries(p.metricKey.tags.map((t) => [t.key, t.value]))
        return tags.from === from && tags.to === to
      })
      .reduce((n, p) => n + (MetricState.isCounterState(p.metricState) ? Number(p.metricState.count) : 0), 0)
  )

describe("ResumableStream with fallback (FakeClaude)", () => {
  for (const [mode, B] of [
    ["prefill", PREFILL],
    ["continuation", CONTINUATION]
  ] as const) {
    it.live(`an overload of A after k events, for every k, finishes on B byte for byte (B resumes by ${mode})`, () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const request = ask("Tell me about fallbacks", A)
        const expected = FakeClaude.completionText(request, 0, 300)
        yield* run(request)
        const eventCount = (yield* fake.requests)[0]!.events
        expect(eventCount).toBeGreaterThan(20)
        for (let k = 1; k < eventCount - 1; k++) {
          yield* fake.reset
          yield* fake.enqueue(Fault.forModel(Fault.sseError(k, { errorType: "overloaded_error" }), A))
          const events = yield* run(request, { fallback: [B] })
          expect(textOf(events), `overloaded after ${k} events`).toBe(expected)
          const final = yield* ResumableStream.collect(Stream.fromIterable(events))
          expect(final.text, `after ${k}`).toBe(expected)
          const requests = yield* fake.requests
          expect(
            requests.map((r) => bodyOf(r).model),
            `after ${k}`
          ).toEqual([A, B])
          const [notice] = notices(events)
          expect(notice?.model).toBe(B)
          expect(notice?.reason._tag).toBe("OverloadedError")
          // B was asked to continue (when text had arrived) its own way
          const last = bodyOf(requests[1]!).messages.at(-1)!
          if (notice!.characters > 0) {
            expect(last.role, `after ${k}`).toBe(mode === "prefill" ? "assistant" : "user")
            expect(notice!.strategy).toBe(mode)
            // the continuation repeats its last words: the stitch drops them
            const resumed = events.filter(ResumableStream.isResumed)[0]
            if (mode === "continuation") expect(resumed?.dropped, `after ${k}`).toBeGreaterThan(0)
            else expect(resumed?.dropped, `after ${k}`).toBe(0)
          } else expect(notice!.strategy).toBe("retry")
          expect(final.message.model).toBe(B)
          expect(final.models.map((m) => [m.model, m.attempts])).toEqual([
            [A, 1],
            [B, 1]
          ])
        }
      }).pipe(Effect.provide(withFake({ completionChars: 300, continuationRepeatWords: 3 })))
    )
  }

  it.live("a model that is down is left at once for every stream; tokens and cost per model", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.setModelOutage(A, true)
      const before = yield* fallbacksCounted(A, PREFILL)
      for (let i = 0; i < 3; i++) {
        const final = yield* ResumableStream.finalMessage(ask(`down ${i}`, A), {
          schedule: fast(),
          fallback: [PREFILL]
        })
        expect(final.text).toBe(FakeClaude.completionText(ask(`down ${i}`, A), 0))
        expect(final.models.map((m) => m.model)).toEqual([A, PREFILL])
        expect(final.models[0]).toMatchObject({ inputTokens: 0, outputTokens: 0, cost: 0 })
        expect(final.models[1]?.outputTokens).toBeGreaterThan(0)
        expect(final.models[1]?.cost).toBeGreaterThan(0)
      }
      expect((yield* fallbacksCounted(A, PREFILL)) - before).toBe(3)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a cut whose resumptions on A are exhausted goes on with B", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const request = ask("exhaust me", A)
      yield* fake.enqueue(...Fault.times(Fault.forModel(Fault.cutStream(8), A), 2))
      const events = yield* run(request, { fallback: Fallback.make([{ attempts: 2 }, PREFILL]) })
      expect(textOf(events)).toBe(FakeClaude.completionText(request, 0))
      expect((yield* fake.requests).map((r) => bodyOf(r).model)).toEqual([A, A, PREFILL])
      expect(notices(events).map((n) => [n.model, n.reason._tag])).toEqual([
        [A, "ConnectionError"],
        [PREFILL, "ConnectionError"]
      ])
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a refusal on A restarts on B: what A said is superseded, the answer is B's", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const request = ask("refuse me", A)
      yield* fake.reply(
        Reply.text("I can't help with that.", {
          stopReason: "refusal",
          stopDetails: { category: "cyber", explanation: null },
          match: (r) => (r.body as Body).model === A
        })
      )
      const final = yield* ResumableStream.finalMessage(request, { schedule: fast(), fallback: [PREFILL] })
      expect(final.text).toBe(FakeClaude.completionText(request, 0))
      expect(final.message.stop_reason).toBe("end_turn")
      expect(final.resumptions.map((n) => [n.reason._tag, n.strategy, n.superseded.length > 0])).toEqual([
        ["RefusalError", "restart", true]
      ])
      // the refusal was billed: its output counts for A
      expect(final.models[0]).toMatchObject({ model: A })
      expect(final.models[0]?.outputTokens).toBeGreaterThan(0)
      const requests = yield* fake.requests
      expect(requests.map((r) => bodyOf(r).model)).toEqual([A, PREFILL])
      expect(bodyOf(requests[1]!).messages).toEqual(request.messages)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("without a step after it, a refusal ends the stream as before", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(Reply.text("No.", { stopReason: "refusal" }))
      const final = yield* ResumableStream.finalMessage(ask("refuse me", A), { schedule: fast() })
      expect(final.message.stop_reason).toBe("refusal")
      expect(final.models.map((m) => m.model)).toEqual([A])
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a failure no rule names (a 400) fails the stream on A", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.forModel(Fault.status(400), A))
      const error = yield* Effect.flip(run(ask("bad", A), { fallback: [PREFILL] }))
      expect(error._tag).toBe("InvalidRequestError")
      expect((yield* fake.requests).map((r) => bodyOf(r).model)).toEqual([A])
    }).pipe(Effect.provide(withFake()))
  )

  it.live("max_tokens is clamped to the next model's output cap", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.setModelOutage(A, true)
      yield* run({ ...ask("big", A), max_tokens: 100_000 }, { fallback: [PREFILL] })
      expect((yield* fake.requests).map((r) => (r.body as { max_tokens: number }).max_tokens)).toEqual([
        100_000, 64_000
      ])
    }).pipe(Effect.provide(withFake()))
  )
})

describe("ResumableStream and the bulkhead", () => {
  it.live("a resumed stream takes the slot its cut attempt freed", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(6))
      const final = yield* ResumableStream.finalMessage(ask("resume me"), { schedule: fast() })
      expect(final.text).toBe(FakeClaude.completionText(ask("resume me"), 0))
      expect(final.resumptions).toHaveLength(1)
    }).pipe(
      Effect.provide(
        FakeClaude.layerWith({}, (fake) =>
          Claude.layer({
            apiKey: Redacted.make(fake.apiKey),
            baseURL: fake.url,
            retryPolicy: Schedule.stop,
            bulkhead: { maxConcurrent: 1 }
          })
        ).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))
      )
    )
  )

  it.live("a full bulkhead rejects a stream at once, typed", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.Bulkhead
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* bulkhead.permit(A)
          const error = yield* Effect.flip(run(ask("no room", A)))
          expect(error).toBeInstanceOf(ClaudeError.BulkheadRejectedError)
        })
      )
    }).pipe(
      Effect.provide(
        FakeClaude.layerWith({}, (fake) =>
          Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
            Layer.provideMerge(Bulkhead.layer({ maxConcurrent: 1 }))
          )
        ).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))
      )
    )
  )
})
