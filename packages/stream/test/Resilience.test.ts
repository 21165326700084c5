/**
 * Issue 13: stalls resume like cuts, per-model prefill support learned once, exact stitching of
 * continuations, whole tool calls across cuts, lifecycle events and interruption. (The stitching
 * function itself, `Stitch`, is tested in @claude-resilience/api.)
 */
import { ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { PrefillSupport, ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault, Reply } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Schedule, Stream, TestClock } from "effect"
import { ask, fast, MODEL, notices, run, textOf, withFake } from "./helpers.js"

const resumed = (events: ReadonlyArray<ResumableStream.Event>) => events.filter(ResumableStream.isResumed)

const lastRole = (request: FakeClaude.RecordedRequest) =>
  (request.body as { readonly messages: ReadonlyArray<{ readonly role: string }> }).messages.at(-1)!.role

describe("stall watchdog in the resumable stream", () => {
  it.live("a stalled socket resumes like a cut: TimeoutError (phase stream), exact text", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.stall(8, 10_000))
      const events = yield* run(ask(), { idleTimeout: "150 millis" })
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      const [notice] = notices(events)
      expect(notice?.reason._tag).toBe("TimeoutError")
      expect(notice?.reason._tag === "TimeoutError" && notice.reason.phase).toBe("stream")
      expect(notice?.strategy).toBe("prefill")
    }).pipe(Effect.provide(withFake()))
  )

  it.live("pings without content past the content limit resume too", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.pings(8, 10, 30))
      const events = yield* run(ask(), { idleTimeout: "150 millis", contentTimeout: "150 millis" })
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      expect(notices(events)[0]?.reason.message).toMatch(/no content/)
    }).pipe(Effect.provide(withFake()))
  )

  it.effect("in virtual time: a stall is detected within the idle limit and resumed", () =>
    Effect.gen(function* () {
      const full = "Steady words arrive slowly here."
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 7)
      const fiber = yield* Effect.fork(
        run(ask(), { idleTimeout: "20 seconds", schedule: Schedule.recurs(2) }).pipe(
          Effect.provide(
            ScriptedClaude.layer([
              { _tag: "Stream", events: [...first.slice(0, 3), ScriptedClaude.stall] },
              { _tag: "Stream", events: ScriptedClaude.events(ScriptedClaude.message(full.slice(7)), 7) }
            ])
          )
        )
      )
      for (let i = 0; i < 19; i++) {
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        yield* TestClock.adjust("1 second")
      }
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const events = yield* Fiber.join(fiber)
      expect(textOf(events)).toBe(full)
      expect(notices(events)[0]?.reason._tag).toBe("TimeoutError")
    })
  )

  it.live("a stream that ends without message_stop is a retryable cut, never a short success", () =>
    Effect.gen(function* () {
      const first = ScriptedClaude.events(ScriptedClaude.message("Half of it, then the rest."), 5)
      const events = yield* run(ask(), { schedule: Schedule.recurs(2) }).pipe(
        Effect.provide(
          ScriptedClaude.layer([
            { _tag: "Stream", events: first.slice(0, 4) },
            { _tag: "Stream", events: ScriptedClaude.events(ScriptedClaude.message(", then the rest."), 5) }
          ])
        )
      )
      expect(textOf(events)).toBe("Half of it, then the rest.")
      expect(notices(events)[0]?.reason._tag).toBe("ConnectionError")
    })
  )

  it.live("the consumer's own stop is never retried and is told apart from a disconnect", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.stall(6, 10_000))
      const seen: Array<ResumableStream.Event> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(ResumableStream.events(ask(), { schedule: fast() }), (e) => Effect.sync(() => seen.push(e)))
      )
      yield* Effect.sleep("150 millis")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(notices(seen)).toHaveLength(0)
      yield* Effect.sleep("50 millis")
      const requests = yield* fake.requests
      expect(requests).toHaveLength(1)
      expect(requests[0]!.outcome).toBe("client-closed")
    }).pipe(Effect.provide(withFake()))
  )
})

describe("per-model prefill support", () => {
  it("the table: 4.6 generation and later continue, older ones prefill, overrides win", () => {
    expect(PrefillSupport.known("claude-opus-4-6")).toBe("continuation")
    expect(PrefillSupport.known("claude-sonnet-4-6-20260101")).toBe("continuation")
    expect(PrefillSupport.known("claude-opus-4-8")).toBe("continuation")
    expect(PrefillSupport.known("claude-fable-5")).toBe("continuation")
    expect(PrefillSupport.known("claude-haiku-4-5")).toBe("prefill")
    expect(PrefillSupport.known("claude-sonnet-4-20250514")).toBe("prefill")
    expect(PrefillSupport.known("claude-3-7-sonnet-latest")).toBe("prefill")
    expect(PrefillSupport.known("claude-opus-4-6", { "claude-opus-4-6": "prefill" })).toBe("prefill")
  })

  it.live("a model that refuses prefill is learned once and never sent a prefill again", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const expected = FakeClaude.completionText(ask(), 0)
      // a budget of one resumption per stream: the refused prefill must not spend it
      yield* fake.enqueue(Fault.cutStream(8))
      const first = yield* run(ask(), { schedule: fast(1) })
      expect(textOf(first)).toBe(expected)
      expect(notices(first).map((n) => [n.strategy, n.fallback])).toEqual([
        ["prefill", undefined],
        ["continuation", "prefill_rejected"]
      ])
      for (const k of [6, 10]) {
        yield* fake.enqueue(Fault.cutStream(k))
        const again = yield* run(ask(), { schedule: fast(1) })
        expect(textOf(again)).toBe(expected)
        expect(notices(again).map((n) => [n.strategy, n.fallback])).toEqual([["continuation", "prefill_unsupported"]])
      }
      const requests = yield* fake.requests
      expect(requests.filter((r) => lastRole(r) === "assistant")).toHaveLength(1)
      expect(requests.filter((r) => r.outcome === 400)).toHaveLength(1)
      const learned = yield* Effect.flatMap(PrefillSupport.PrefillSupport, (s) => s.learned)
      expect([...learned]).toEqual([[MODEL, "continuation"]])
    }).pipe(Effect.provide(Layer.merge(withFake({ rejectPrefill: [MODEL] }), PrefillSupport.layer())))
  )

  it.live("a model known to refuse prefill gets the continuation turn from the first cut", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const params = ask("Tell me about resilient streams", "claude-sonnet-4-6")
      yield* fake.enqueue(Fault.cutStream(9))
      const events = yield* run(params)
      expect(textOf(events)).toBe(FakeClaude.completionText(params, 0))
      expect(notices(events)[0]).toMatchObject({ strategy: "continuation", fallback: "prefill_unsupported" })
      expect((yield* fake.requests).map(lastRole)).toEqual(["user", "user"])
    }).pipe(Effect.provide(withFake({ rejectPrefill: ["claude-sonnet-4-6*"] })))
  )
})

describe("exact stitching of continuations", () => {
  // no word or phrase of it is immediately repeated, so a head that starts with the last words is a repeat
  const full =
    "Rivers carry silt toward the delta, where\n\ncurrents slow and islands form. Engineers measure each channel twice, then plan levees; farmers wait for spring."
  const MAX_OVERLAP = 60

  /** The head a continuation starts with when it repeats the last `k` words of `partial`. */
  const repeatOf = (partial: string, k: number): string => {
    let start = partial.trimEnd().length
    for (let i = 0; i < k && start > 0; i++) {
      while (start > 0 && /\s/.test(partial.charAt(start - 1))) start--
      while (start > 0 && !/\s/.test(partial.charAt(start - 1))) start--
    }
    return partial.slice(start)
  }

  it.effect(
    "for every cut point and every overlap k up to the bound, the stitched text is the uninterrupted text",
    () =>
      Effect.gen(function* () {
        const events = ScriptedClaude.events(ScriptedClaude.message(full), 5)
        const deltas = events.filter((e) => e.type === "content_block_delta").length
        let runs = 0
        for (let d = 1; d < deltas; d++) {
          const partial = full.slice(0, d * 5)
          for (let k = 0; ; k++) {
            const repeat = repeatOf(partial, k)
            if (repeat.trim().length > MAX_OVERLAP || (k > 0 && repeat === repeatOf(partial, k - 1))) break
            const layer = ScriptedClaude.layer([
              {
                _tag: "Stream",
                events: events.slice(0, 2 + d),
                failAfter: new ClaudeError.ConnectionError({ message: "reset", phase: "stream" })
              },
              { _tag: "Stream", events: ScriptedClaude.events(ScriptedClaude.message(repeat + full.slice(d * 5)), 7) }
            ])
            const out = yield* run(ask(), {
              strategy: "continuation",
              schedule: Schedule.recurs(2),
              maxOverlap: MAX_OVERLAP
            }).pipe(Effect.provide(layer))
            expect(textOf(out), `cut after ${d} deltas, ${k} words repeated`).toBe(full)
            const [join] = resumed(out)
            expect(join?.dropped, `cut after ${d} deltas, ${k} words repeated`).toBe(repeat.length)
            expect(join?.kept).toBe(partial.length)
            runs++
          }
        }
        expect(runs).toBeGreaterThan(100)
      })
  )

  it.live("FakeClaude's continuation that repeats the last k words, stitched exactly over HTTP", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const expected = FakeClaude.completionText(ask(), 0, 300)
      for (const cut of [5, 9, 14, 22]) {
        yield* fake.reset
        yield* fake.enqueue(Fault.cutStream(cut))
        const events = yield* run(ask(), { strategy: "continuation" })
        expect(textOf(events), `cut after ${cut} events`).toBe(expected)
        expect(resumed(events)[0]?.dropped).toBeGreaterThan(0)
        const final = yield* ResumableStream.collect(Stream.fromIterable(events))
        expect(final.attempts.at(-1)?.dropped).toBe(resumed(events)[0]?.dropped)
      }
    }).pipe(Effect.provide(withFake({ completionChars: 300, continuationRepeatWords: 3 })))
  )
})

describe("whole tool calls across cuts", () => {
  const tools = [
    {
      name: "get_weather",
      description: "Weather for a city",
      input_schema: { type: "object" as const, properties: { city: { type: "string" } } }
    },
    {
      name: "get_time",
      description: "Time in a city",
      input_schema: { type: "object" as const, properties: { city: { type: "string" } } }
    }
  ]
  const calls = [
    { name: "get_weather", input: { city: "Lisbon", unit: "celsius", days: 3 } },
    { name: "get_time", input: { city: "Lisbon", format: "24h" } }
  ]
  const text = "Let me look both of those up for you."

  it.live("for every cut point: text exact, each tool_use once, complete JSON, no id delivered twice", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const params = { ...ask("What about Lisbon?"), tools }
      yield* fake.reply(Reply.toolUse(calls, { text }))
      yield* run(params)
      const eventCount = (yield* fake.requests)[0]!.events
      for (let k = 1; k < eventCount - 1; k++) {
        yield* fake.reset
        yield* fake.reply(...Reply.times(Reply.toolUse(calls, { text }), 3))
        yield* fake.enqueue(Fault.cutStream(k))
        const events = yield* run(params)
        const final = yield* ResumableStream.collect(Stream.fromIterable(events))
        expect(final.text, `cut after ${k}`).toBe(text)
        const uses = final.message.content.filter((b) => b.type === "tool_use")
        expect(
          uses.map((b) => (b.type === "tool_use" ? [b.name, b.input] : [])),
          `cut after ${k}`
        ).toEqual(calls.map((c) => [c.name, c.input]))
        const started = events.flatMap((e) =>
          e.type === "content_block_start" && e.content_block.type === "tool_use" ? [e.content_block.id] : []
        )
        expect(new Set(started).size, `cut after ${k}`).toBe(2)
        expect(started, `cut after ${k}`).toHaveLength(2)
        expect(final.message.stop_reason).toBe("tool_use")
      }
    }).pipe(Effect.provide(withFake()))
  )
})
