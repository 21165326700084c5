/**
 * Resumable streams against FakeClaude (real HTTP, SSE and SDK) and against ScriptedClaude
 * (in memory, virtual time).
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { type Claude, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Duration,
  Effect,
  Exit,
  Fiber,
  HashMap,
  FastCheck,
  Layer,
  Logger,
  LogLevel,
  Metric,
  Option,
  Redacted,
  Schedule,
  Schema,
  Stream,
  TestClock
} from "effect"
import { ask, fast, MODEL, notices, run, textOf, withFake } from "./helpers.js"

const lastMessage = (request: FakeClaude.RecordedRequest) => {
  const body = request.body as {
    readonly messages: ReadonlyArray<{ readonly role: string; readonly content: unknown }>
  }
  return body.messages.at(-1)!
}

/** The shape a UI relies on: one message_start first, message_stop last, indices that never go back. */
const expectSeamless = (events: ReadonlyArray<ResumableStream.Event>) => {
  const raw = events.filter((e) => e.type !== "resumption")
  expect(raw.filter((e) => e.type === "message_start")).toHaveLength(1)
  expect(raw[0]?.type).toBe("message_start")
  expect(raw.filter((e) => e.type === "message_stop")).toHaveLength(1)
  expect(raw.at(-1)?.type).toBe("message_stop")
  const starts = raw.flatMap((e) => (e.type === "content_block_start" ? [e.index] : []))
  expect(starts).toEqual(starts.map((_, i) => i))
}

describe("ResumableStream against FakeClaude", () => {
  it.live("an uninterrupted stream passes through unchanged", () =>
    Effect.gen(function* () {
      const events = yield* run(ask())
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      expect(notices(events)).toHaveLength(0)
      expectSeamless(events)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a cut after k events, for every k, yields the uninterrupted text byte for byte", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const expected = FakeClaude.completionText(ask(), 0, 300)
      yield* run(ask())
      const eventCount = (yield* fake.requests)[0]!.events
      expect(eventCount).toBeGreaterThan(20)
      for (let k = 1; k < eventCount - 1; k++) {
        yield* fake.reset
        yield* fake.enqueue(Fault.cutStream(k))
        const events = yield* run(ask())
        expect(textOf(events), `cut after ${k} events`).toBe(expected)
        expectSeamless(events)
        const requests = yield* fake.requests
        expect(requests, `cut after ${k} events`).toHaveLength(2)
        const resumed = lastMessage(requests[1]!)
        if (resumed.role === "assistant") {
          expect(String(resumed.content)).not.toMatch(/\s$/)
          expect(expected.startsWith(String(resumed.content))).toBe(true)
        }
      }
    }).pipe(Effect.provide(withFake({ completionChars: 300 })))
  )

  it.live.prop(
    "several cuts in one stream still yield the uninterrupted text",
    [FastCheck.array(FastCheck.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 })],
    ([cuts]) =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        yield* fake.reset
        yield* fake.enqueue(...cuts.map((k, i) => (i % 2 === 0 ? Fault.cutStream(k) : Fault.sseError(k))))
        const events = yield* run(ask())
        expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0, 300))
        expectSeamless(events)
        expect(notices(events).length).toBeLessThanOrEqual(cuts.length)
      }).pipe(Effect.provide(withFake({ completionChars: 300 }))),
    { fastCheck: { numRuns: 12 } }
  )

  it.live("an SSE overloaded_error mid-stream resumes with a prefill and says so", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.sseError(8, { errorType: "overloaded_error" }))
      const events = yield* run(ask())
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      const [notice] = notices(events)
      expect(notice?.reason._tag).toBe("OverloadedError")
      expect(notice?.strategy).toBe("prefill")
      expect(notice?.attempt).toBe(2)
      expect(notice?.characters).toBeGreaterThan(0)
      expect(textOf(events.slice(0, events.indexOf(notice!))).length).toBe(notice?.characters)
      const requests = yield* fake.requests
      expect(lastMessage(requests[1]!).role).toBe("assistant")
    }).pipe(Effect.provide(withFake()))
  )

  it.live("several failures in one stream: text exact, usage summed, every attempt accounted", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(6), Fault.sseError(5), Fault.cutStream(9))
      const final = yield* ResumableStream.finalMessage(ask(), { schedule: fast() })
      expect(final.text).toBe(FakeClaude.completionText(ask(), 0))
      expect(final.resumptions).toHaveLength(3)
      expect(final.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4])
      expect(final.attempts.map((a) => a.completed)).toEqual([false, false, false, true])
      expect(final.message.stop_reason).toBe("end_turn")
      expect(final.message.content).toHaveLength(1)
      const requests = yield* fake.requests
      expect(final.message.usage.input_tokens).toBe(requests.reduce((n, r) => n + (r.inputTokens ?? 0), 0))
      expect(final.message.usage.output_tokens).toBe(final.attempts.reduce((n, a) => n + a.outputTokens, 0))
      expect(final.attempts.reduce((n, a) => n + a.characters, 0)).toBe(final.text.length)
      expect(final.attempts.at(-1)!.outputTokens).toBe(requests.at(-1)!.outputTokens)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a resumed cut logs no failed call: one outcome line, at Debug, with its resumptions", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(6), Fault.sseError(5))
      const logs: Array<{ readonly message: string; readonly level: string; readonly annotations: object }> = []
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        logs.push({
          message: String(message),
          level: logLevel.label,
          annotations: Object.fromEntries(HashMap.toEntries(annotations))
        })
      })
      const final = yield* ResumableStream.finalMessage(ask(), { schedule: fast() }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(final.resumptions).toHaveLength(2)
      // the cut connections are logged as the client's calls, at Debug: nothing at Warning
      expect(logs.filter((l) => l.level === "WARN" || l.level === "ERROR")).toEqual([])
      const calls = logs.filter((l) => l.message === "claude.call")
      expect(calls.map((l) => [l.level, (l.annotations as { outcome: string }).outcome])).toEqual([
        ["DEBUG", "failure"],
        ["DEBUG", "failure"],
        ["DEBUG", "success"]
      ])
      const outcome = logs.filter((l) => l.message === "claude.stream.resumable")
      expect(outcome).toHaveLength(1)
      expect(outcome[0]?.level).toBe("DEBUG")
      expect(outcome[0]?.annotations).toMatchObject({ outcome: "success", resumptions: 2 })
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a stream that cannot be resumed logs its failure once, at Warning", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(6), Fault.cutStream(6))
      const logs: Array<{ readonly message: string; readonly level: string; readonly annotations: object }> = []
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        logs.push({
          message: String(message),
          level: logLevel.label,
          annotations: Object.fromEntries(HashMap.toEntries(annotations))
        })
      })
      const error = yield* Effect.flip(
        ResumableStream.finalMessage(ask(), { schedule: fast(1) }).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Info)
        )
      )
      expect(error._tag).toBe("ResumeExhaustedError")
      expect(logs.map((l) => [l.message, l.level])).toEqual([["claude.stream.resumable", "WARN"]])
      expect(logs[0]?.annotations).toMatchObject({
        outcome: "failure",
        error_tag: "ResumeExhaustedError",
        resumptions: 1
      })
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a failure before the first delta is an ordinary retry of the same request", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(1), Fault.cutStream(2))
      const events = yield* run(ask())
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      expect(notices(events).map((n) => n.strategy)).toEqual(["retry", "retry"])
      expectSeamless(events)
      const requests = yield* fake.requests
      expect(requests.map((r) => lastMessage(r).role)).toEqual(["user", "user", "user"])
    }).pipe(Effect.provide(withFake()))
  )

  it.live("a tool_use block cut mid-JSON is never delivered in part and arrives whole once", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(5))
      const params = {
        ...ask("Look up the weather"),
        tools: [
          {
            name: "get_weather",
            description: "Weather for a city",
            input_schema: {
              type: "object" as const,
              properties: { city: { type: "string" }, unit: { type: "string" }, days: { type: "integer" } }
            }
          }
        ],
        tool_choice: { type: "any" as const }
      }
      const events = yield* run(params)
      const [notice] = notices(events)
      expect(notice?.fallback).toBe("tool_use_cut")
      expect(notice?.discarded).toBeGreaterThan(0)
      const final = ResumableStream.collect(Stream.fromIterable(events))
      const message = (yield* final).message
      const tools = message.content.filter((b) => b.type === "tool_use")
      expect(tools).toHaveLength(1)
      expect(tools[0]!.type === "tool_use" && tools[0]!.input).toMatchObject({ city: expect.any(String) })
      expect(events.filter((e) => e.type === "content_block_start")).toHaveLength(1)
      expect(message.stop_reason).toBe("tool_use")
    }).pipe(Effect.provide(withFake()))
  )

  it.live("the article's continuation turn, when chosen, continues the same text", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(10))
      const events = yield* run(ask(), { strategy: "continuation" })
      expect(textOf(events)).toBe(FakeClaude.completionText(ask(), 0))
      expect(notices(events)[0]?.strategy).toBe("continuation")
      const resumed = lastMessage((yield* fake.requests)[1]!)
      expect(resumed).toEqual({ role: "user", content: "Continue from exactly where you left off." })
    }).pipe(Effect.provide(withFake()))
  )

  it.live("restart supersedes the partial block; the final message holds the full text once", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(10))
      const events = yield* run(ask(), { strategy: "restart" })
      const expected = FakeClaude.completionText(ask(), 0)
      const [notice] = notices(events)
      expect(notice?.superseded).toEqual([0])
      const final = yield* ResumableStream.collect(Stream.fromIterable(events))
      expect(final.text).toBe(expected)
      expect(textOf(events)).toBe(expected.slice(0, notice!.characters) + expected)
      expectSeamless(events)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("an exhausted budget fails with ResumeExhaustedError carrying the partial text", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.cutStream(6), Fault.cutStream(7), Fault.cutStream(8))
      const delivered: Array<string> = []
      const error = yield* ResumableStream.stream(ask(), { schedule: fast(2) }).pipe(
        Stream.runForEach((e) =>
          Effect.sync(() => {
            if (e.type === "content_block_delta" && e.delta.type === "text_delta") delivered.push(e.delta.text)
          })
        ),
        Effect.flip
      )
      expect(error._tag).toBe("ResumeExhaustedError")
      if (error._tag !== "ResumeExhaustedError") return
      expect(error.partialText.length).toBeGreaterThan(0)
      expect(error.partialText).toBe(delivered.join(""))
      expect(FakeClaude.completionText(ask(), 0).startsWith(error.partialText)).toBe(true)
      expect(error.attempts).toHaveLength(3)
      expect(error.cause._tag).toBe("ConnectionError")
    }).pipe(Effect.provide(withFake()))
  )

  it.live("interruption stops the stream and aborts the request", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const taken = yield* Stream.runCollect(Stream.take(ResumableStream.stream(ask(), { schedule: fast() }), 6))
      expect(Chunk.size(taken)).toBe(6)
      // the server sees the connection close within a moment
      let outcome: FakeClaude.Outcome = "pending"
      for (let i = 0; i < 50 && outcome === "pending"; i++) {
        yield* Effect.sleep("10 millis")
        outcome = (yield* fake.requests)[0]!.outcome
      }
      expect(outcome).toBe("client-closed")
      expect((yield* fake.requests).length).toBe(1)
    }).pipe(Effect.provide(withFake({ eventDelayMs: 20 })))
  )
})

describe("ResumableStream with ScriptedClaude", () => {
  const cut = (events: ReadonlyArray<Claude.MessageStreamEvent>, after: number): ScriptedClaude.Step => ({
    _tag: "Stream",
    events: events.slice(0, after),
    failAfter: new ClaudeError.ConnectionError({ message: "socket hang up", reason: "reset", phase: "stream" })
  })
  const streamOf = (text: string, chunk = 4): ScriptedClaude.Step => ({
    _tag: "Stream",
    events: ScriptedClaude.events(ScriptedClaude.message(text), chunk)
  })
  const calls = Effect.flatMap(ScriptedClaude.ScriptedClaude, (s) => s.calls)
  const paramsOf = (call: ScriptedClaude.Call) => call.params as Claude.MessageStreamParams

  it.effect("every resumed attempt is admitted by the client's rate limiter and settled with what it used", () =>
    Effect.gen(function* () {
      const full = "Hello there, my friend. Fine day."
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 6)
      const key = LimitKey.make(Redacted.make("sk-ant-scripted"), MODEL)
      const admitted = Metric.tagged(Metric.tagged(Quota.metrics.admissions, "key", key.id), "outcome", "admitted")
      const before = (yield* Metric.value(admitted)).count
      const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 }
      const { events, state } = yield* Effect.gen(function* () {
        const events = yield* run(ask(), { schedule: Schedule.recurs(3) })
        const state = yield* Effect.flatMap(Quota.Quota, (quota) => quota.state(key))
        return { events, state }
      }).pipe(
        Effect.provide(
          ScriptedClaude.layerWithoutDependencies([cut(first, 3), streamOf(" there, my friend. Fine day.")]).pipe(
            Layer.provide(RetryPolicy.layer()),
            Layer.provide(CircuitBreaker.layer()),
            Layer.provideMerge(Quota.layer({ limits }))
          )
        )
      )
      expect(textOf(events)).toBe(full)
      // two stream calls: the first and the resumed one, each admitted once
      expect((yield* Metric.value(admitted)).count - before).toBe(2)
      expect(state.buckets.requests?.level).toBe(98)
      // the cut attempt kept the 6 characters it streamed (2 tokens), the resumed one its message_delta
      // usage; ScriptedClaude reports 10 input tokens per message
      expect(state.buckets.outputTokens?.level).toBe(10_000 - 2 - Math.ceil(" there, my friend. Fine day.".length / 4))
      expect(state.buckets.inputTokens?.level).toBe(10_000 - 10 - 10)
    })
  )

  it.effect("whitespace at the cut: trimmed from the prefill, emitted exactly once", () =>
    Effect.gen(function* () {
      const full = "Hello there, my friend. Fine day."
      // chunks of 6: "Hello ", "there,", " my fr" ...: cut after "Hello " (2 deltas after start events)
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 6)
      const events = yield* run(ask(), { schedule: Schedule.recurs(3) }).pipe(
        Effect.provide(ScriptedClaude.layer([cut(first, 3), streamOf(" there, my friend. Fine day.")]))
      )
      expect(textOf(events)).toBe(full)
      expectSeamless(events)
    })
  )

  it.effect("whitespace at the cut: a continuation without the space keeps the one delivered", () =>
    Effect.gen(function* () {
      const full = "Hello there, my friend."
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 6)
      const layer = ScriptedClaude.layer([cut(first, 3), streamOf("there, my friend.")])
      const [events, sent] = yield* Effect.all([run(ask(), { schedule: Schedule.recurs(3) }), calls]).pipe(
        Effect.provide(layer)
      )
      expect(textOf(events)).toBe(full)
      const prefill = paramsOf(sent[1]!).messages.at(-1)
      expect(prefill).toEqual({ role: "assistant", content: "Hello" })
    })
  )

  it.effect("whitespace-only text before the cut is an ordinary retry, still emitted once", () =>
    Effect.gen(function* () {
      const first = ScriptedClaude.events(ScriptedClaude.message("\n\nAnswer."), 2)
      const layer = ScriptedClaude.layer([cut(first, 3), streamOf("\n\nAnswer.")])
      const [events, sent] = yield* Effect.all([run(ask(), { schedule: Schedule.recurs(3) }), calls]).pipe(
        Effect.provide(layer)
      )
      expect(textOf(events)).toBe("\n\nAnswer.")
      expect(notices(events)[0]?.strategy).toBe("retry")
      expect(paramsOf(sent[1]!).messages.at(-1)?.role).toBe("user")
    })
  )

  it.effect("text then a tool_use cut mid-JSON: prefill with the text, the tool call delivered once", () =>
    Effect.gen(function* () {
      const tool = (id: string, json: ReadonlyArray<string>): ReadonlyArray<Claude.MessageStreamEvent> => [
        {
          type: "content_block_start",
          index: 1,
          content_block: { type: "tool_use", id, name: "lookup", input: {}, caller: { type: "direct" } }
        },
        ...json.map(
          (partial_json): Claude.MessageStreamEvent => ({
            type: "content_block_delta",
            index: 1,
            delta: { type: "input_json_delta", partial_json }
          })
        ),
        { type: "content_block_stop", index: 1 }
      ]
      const base = ScriptedClaude.events(ScriptedClaude.message("Let me check."), 100)
      const head = base.slice(0, 4) // message_start, block start, one delta, block stop
      const tail = base.slice(-2)
      const first = [...head, ...tool("toolu_1", ['{"q":', '"wea']).slice(0, 2)]
      const retried = [base[0]!, ...tool("toolu_2", ['{"q":', '"weather"}']).map(reindex(0)), ...tail]
      const layer = ScriptedClaude.layer([
        { _tag: "Stream", events: first, failAfter: new ClaudeError.OverloadedError({ message: "Overloaded" }) },
        { _tag: "Stream", events: retried }
      ])
      const [events, sent] = yield* Effect.all([run(ask(), { schedule: Schedule.recurs(3) }), calls]).pipe(
        Effect.provide(layer)
      )
      expect(paramsOf(sent[1]!).messages.at(-1)).toEqual({ role: "assistant", content: "Let me check." })
      expect(notices(events)[0]?.fallback).toBe("tool_use_cut")
      const final = yield* ResumableStream.collect(Stream.fromIterable(events))
      expect(final.text).toBe("Let me check.")
      const tools = final.message.content.filter((b) => b.type === "tool_use")
      expect(tools.map((b) => b.type === "tool_use" && b.id)).toEqual(["toolu_2"])
      expect(tools[0]!.type === "tool_use" && tools[0]!.input).toEqual({ q: "weather" })
      expect(events.flatMap((e) => (e.type === "content_block_start" ? [e.index] : []))).toEqual([0, 1])
    })
  )

  it.effect("a model that rejects the prefill gets the continuation turn at once, off the budget", () =>
    Effect.gen(function* () {
      const full = "One two three four five six."
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 8)
      const layer = ScriptedClaude.layer([
        cut(first, 3),
        ScriptedClaude.fail(
          new ClaudeError.InvalidRequestError({
            message: "This model does not support assistant message prefill.",
            status: 400
          })
        ),
        streamOf(full.slice(8))
      ])
      // a budget of one resumption: the refused prefill must not spend it
      const [events, sent] = yield* Effect.all([run(ask(), { schedule: Schedule.recurs(1) }), calls]).pipe(
        Effect.provide(layer)
      )
      expect(textOf(events)).toBe(full)
      expect(notices(events).map((n) => [n.strategy, n.fallback])).toEqual([
        ["prefill", undefined],
        ["continuation", "prefill_rejected"]
      ])
      expect(paramsOf(sent[2]!).messages.at(-1)).toEqual({
        role: "user",
        content: "Continue from exactly where you left off."
      })
    })
  )

  it.effect("extended thinking falls back to the continuation turn and drops a second reasoning pass", () =>
    Effect.gen(function* () {
      const thinking = (index: number): ReadonlyArray<Claude.MessageStreamEvent> => [
        { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } },
        { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: "hmm" } },
        { type: "content_block_delta", index, delta: { type: "signature_delta", signature: "sig" } },
        { type: "content_block_stop", index }
      ]
      const text = ScriptedClaude.events(ScriptedClaude.message("Alpha beta gamma."), 6)
      const first = [text[0]!, ...thinking(0), ...text.slice(1, 3).map(reindex(1))]
      const second = [
        text[0]!,
        ...thinking(0),
        ...ScriptedClaude.events(ScriptedClaude.message("beta gamma."), 6).slice(1).map(reindex(1))
      ]
      const layer = ScriptedClaude.layer([
        { _tag: "Stream", events: first, failAfter: new ClaudeError.ApiError({ message: "boom", status: 500 }) },
        { _tag: "Stream", events: second }
      ])
      const params = { ...ask(), thinking: { type: "enabled" as const, budget_tokens: 1024 } }
      const [events, sent] = yield* Effect.all([run(params, { schedule: Schedule.recurs(2) }), calls]).pipe(
        Effect.provide(layer)
      )
      expect(notices(events)[0]).toMatchObject({ strategy: "continuation", fallback: "thinking" })
      expect(paramsOf(sent[1]!).messages.at(-1)?.role).toBe("user")
      const final = yield* ResumableStream.collect(Stream.fromIterable(events))
      expect(final.text).toBe("Alpha beta gamma.")
      expect(final.message.content.map((b) => b.type)).toEqual(["thinking", "text"])
    })
  )

  it.effect("resumptions are spaced by the schedule, in virtual time", () =>
    Effect.gen(function* () {
      const full = "Steady words arrive slowly."
      const first = ScriptedClaude.events(ScriptedClaude.message(full), 7)
      const layer = ScriptedClaude.layer([cut(first, 3), streamOf(full.slice(7))])
      const fiber = yield* Effect.fork(
        run(ask(), { schedule: Schedule.spaced("5 seconds").pipe(Schedule.intersect(Schedule.recurs(2))) }).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("4 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const events = yield* Fiber.join(fiber)
      expect(textOf(events)).toBe(full)
      expect(Duration.toMillis(notices(events)[0]!.delay)).toBe(5000)
    })
  )

  it.effect("ResumeExhaustedError is a Schema.TaggedError: it encodes and decodes with its attempts and cause", () =>
    Effect.gen(function* () {
      const first = ScriptedClaude.events(ScriptedClaude.message("Some text here."), 4)
      const error = yield* run(ask(), { schedule: Schedule.recurs(0) }).pipe(
        Effect.provide(ScriptedClaude.layer([cut(first, 3)])),
        Effect.flip
      )
      expect(error).toBeInstanceOf(ResumableStream.ResumeExhaustedError)
      if (error._tag !== "ResumeExhaustedError") return
      const encoded = Schema.encodeSync(ResumableStream.ResumeExhaustedError)(error)
      const decoded = Schema.decodeUnknownSync(ResumableStream.ResumeExhaustedError)(encoded)
      expect(decoded).toBeInstanceOf(ResumableStream.ResumeExhaustedError)
      expect(decoded.partialText).toBe("Some")
      expect(decoded.attempts.map((a) => [a.attempt, a.kind, a.error?._tag])).toEqual([
        [1, "initial", "ConnectionError"]
      ])
      expect(decoded.cause).toBeInstanceOf(ClaudeError.ConnectionError)
      expect(decoded.message).toBe(error.message)
    })
  )

  it.effect("a non-retryable failure mid-stream ends the stream with that error", () =>
    Effect.gen(function* () {
      const first = ScriptedClaude.events(ScriptedClaude.message("Some text here."), 4)
      const exit = yield* Effect.exit(
        run(ask(), { schedule: Schedule.recurs(3) }).pipe(
          Effect.provide(
            ScriptedClaude.layer([
              {
                _tag: "Stream",
                events: first.slice(0, 4),
                failAfter: new ClaudeError.InvalidRequestError({ message: "bad", status: 400, phase: "stream" })
              }
            ])
          )
        )
      )
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("InvalidRequestError")
    })
  )
})

const reindex =
  (index: number) =>
  (event: Claude.MessageStreamEvent): Claude.MessageStreamEvent =>
    event.type === "content_block_start" || event.type === "content_block_delta" || event.type === "content_block_stop"
      ? { ...event, index }
      : event
