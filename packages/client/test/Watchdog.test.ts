/**
 * The stall watchdog: an idle limit between SSE events (pings included) and an optional limit
 * for pings without content, in virtual time (ScriptedClaude) and over real HTTP (FakeClaude).
 */
import { Claude, ScriptedClaude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Layer, Logger, LogLevel, Option, Redacted, Stream, TestClock } from "effect"

const ask = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] }
const all = ScriptedClaude.events(ScriptedClaude.message("Slow and steady words."), 6)

/** Lets promise callbacks (the scripted pauses) register with the TestClock. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Advances virtual time one second at a time, `seconds` times. */
const advance = (seconds: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < seconds; i++) {
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
    }
  })

const drain = (options: Claude.CallOptions) =>
  Effect.flatMap(Claude.Claude, (claude) =>
    Stream.runCollect(claude.messages.stream(ask, { retry: false, ...options }))
  )

describe("stall watchdog in virtual time", () => {
  it.effect("a stall is detected within the idle limit, as a retryable TimeoutError of the stream phase", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(drain({ idleTimeout: "10 seconds" }))
      yield* advance(9)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* advance(1)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return
      const error: ClaudeError.ClaudeError = exit.cause.error
      expect(error._tag).toBe("TimeoutError")
      expect(error._tag === "TimeoutError" && error.phase).toBe("stream")
      expect(error.message).toMatch(/not even a ping/)
    }).pipe(
      Effect.provide(ScriptedClaude.layer([{ _tag: "Stream", events: [...all.slice(0, 3), ScriptedClaude.stall] }]))
    )
  )

  it.effect("pings keep a slow stream alive past the idle limit", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(drain({ idleTimeout: "10 seconds" }))
      yield* advance(60)
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(events.at(-1)?.type).toBe("message_stop")
      expect(events.some((e) => (e as { type: string }).type === "ping")).toBe(false)
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([{ _tag: "Stream", events: [...all.slice(0, 3), ...slowPings(), ...all.slice(3)] }])
      )
    )
  )

  it.effect("pings without content for the content limit are a stall too", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(drain({ idleTimeout: "10 seconds", contentTimeout: "30 seconds" }))
      yield* advance(29)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* advance(9)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error.message).toMatch(/no content/)
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([{ _tag: "Stream", events: [...all.slice(0, 3), ...slowPings(), ...all.slice(3)] }])
      )
    )
  )
})

/** Six pings eight seconds apart: 48 s without content, never 10 s without an event. */
const slowPings = () => Array.from({ length: 6 }, () => [ScriptedClaude.pause("8 seconds"), ScriptedClaude.ping]).flat()

const withFake = (options: FakeClaude.Options = {}) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) => Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }))
  ).pipe(Layer.provideMerge(FakeClaude.layer(options)), Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))

describe("stall watchdog over real HTTP", () => {
  it.live("a stalled socket (open, nothing sent) fails within the idle limit, not the connect timeout", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.stall(4, 5_000))
      const started = Date.now()
      const error = yield* Effect.flip(drain({ idleTimeout: "150 millis", timeout: "10 seconds" }))
      expect(error._tag === "TimeoutError" && error.phase).toBe("stream")
      expect(Date.now() - started).toBeLessThan(2_000)
    }).pipe(Effect.provide(withFake()))
  )

  it.live("real SSE pings reach the watchdog: they keep the stream alive, and the content limit still fires", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.pings(4, 8, 40))
      const events = yield* drain({ idleTimeout: "150 millis" })
      expect(Chunk.last(events).pipe(Option.map((e) => e.type))).toEqual(Option.some("message_stop"))
      yield* fake.enqueue(Fault.pings(4, 8, 40))
      const error = yield* Effect.flip(drain({ idleTimeout: "150 millis", contentTimeout: "200 millis" }))
      expect(error.message).toMatch(/no content/)
    }).pipe(Effect.provide(withFake()))
  )
})
