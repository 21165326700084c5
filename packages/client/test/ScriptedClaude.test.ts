import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Schedule, Stream, TestClock } from "effect"

const ask = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] }

describe("ScriptedClaude", () => {
  it.effect("survives one overload in virtual time (the docs example)", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const fiber = yield* Effect.fork(claude.messages.create(ask))
      yield* TestClock.adjust("1 minute")
      const message = yield* Fiber.join(fiber)
      expect(message.content[0]).toMatchObject({ type: "text", text: "recovered" })
      const script = yield* ScriptedClaude.ScriptedClaude
      expect((yield* script.calls).map((c) => c.operation)).toEqual(["create", "create"])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })),
          ScriptedClaude.reply("recovered")
        ])
      )
    )
  )

  it.effect("does not retry a 400, and reports it typed", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(claude.messages.create(ask))
      expect(error._tag).toBe("InvalidRequestError")
      const script = yield* ScriptedClaude.ScriptedClaude
      expect(yield* script.calls).toHaveLength(1)
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(new ClaudeError.InvalidRequestError({ message: "bad", status: 400 })),
          ScriptedClaude.reply("never")
        ])
      )
    )
  )

  it.effect("streams the scripted text, and fails mid-stream where told", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const events = yield* Stream.runCollect(claude.messages.stream(ask))
      const text = Chunk.toReadonlyArray(events)
        .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
        .join("")
      expect(text).toBe("Hello there, friend")
      const error = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask)))
      expect(error._tag).toBe("ConnectionError")
    }).pipe(
      Effect.provide(
        ScriptedClaude.layerWithoutDependencies([
          ScriptedClaude.stream("Hello there, friend", { chunkSize: 4 }),
          ScriptedClaude.stream("Hello there, friend", {
            chunkSize: 4,
            failAfter: { events: 4, error: new ClaudeError.ConnectionError({ message: "reset", phase: "stream" }) }
          })
        ]).pipe(Layer.provide(RetryPolicy.layer(Schedule.stop)), Layer.provide(CircuitBreaker.layer()))
      )
    )
  )

  it.effect("an exhausted script is a typed failure, not a defect", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(claude.messages.create(ask, { retry: false }))
      expect(error._tag).toBe("UnknownApiError")
      expect(error.message).toContain("no step left")
    }).pipe(Effect.provide(ScriptedClaude.layer([])))
  )

  it.effect("push adds steps after the layer is built", () =>
    Effect.gen(function* () {
      const script = yield* ScriptedClaude.ScriptedClaude
      yield* script.push(ScriptedClaude.reply("late"))
      const message = yield* Claude.use((claude) => claude.messages.create(ask))
      expect(message.content[0]).toMatchObject({ text: "late" })
    }).pipe(Effect.provide(ScriptedClaude.layer([])))
  )
})
