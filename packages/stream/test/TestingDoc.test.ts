/**
 * The `ScriptedClaude` example of docs/testing.md, run as written: a retried 429, then a stream cut
 * half way and resumed — the resumed attempt is a call of its own and needs its own step.
 */
import { Claude, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

// --- docs/testing.md, "Without HTTP: the in-memory ScriptedClaude" ---
const TestClaude = ScriptedClaude.layer([
  // call 1, create: a 429, retried ...
  ScriptedClaude.fail(new ClaudeError.RateLimitError({ message: "slow down", status: 429 })),
  // ... and answered
  ScriptedClaude.reply("hello"),
  // call 2, stream: cut after 4 events (message_start, content_block_start, "Half ", "of it") ...
  ScriptedClaude.stream("Half of it, then the rest.", {
    chunkSize: 5,
    failAfter: { events: 4, error: new ClaudeError.ConnectionError({ message: "reset", phase: "stream" }) }
  }),
  // ... and its resumption, a call of its own: without this step it fails with
  // "ScriptedClaude: the script has no step left for this call"
  ScriptedClaude.stream(", then the rest.")
])

const ask = (content: string) => ({
  model: "claude-haiku-4-5",
  max_tokens: 256,
  messages: [{ role: "user" as const, content }]
})

it.effect("retries the 429 and resumes the cut stream, in virtual time", () =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const fiber = yield* Effect.fork(
      Effect.all([claude.messages.create(ask("Say hello")), ResumableStream.finalMessage(ask("Tell me more"))])
    )
    yield* TestClock.adjust("5 minutes")
    const [hello, final] = yield* Fiber.join(fiber)
    expect(hello.content[0]).toMatchObject({ type: "text", text: "hello" })
    expect(final.text).toBe("Half of it, then the rest.")
    expect(final.resumptions).toHaveLength(1)
  }).pipe(Effect.provide(TestClaude))
)
// --- end of the example ---

it.effect("without the resumption's step, the script runs out", () =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.either(ResumableStream.finalMessage(ask("Tell me more"))))
    yield* TestClock.adjust("5 minutes")
    const result = yield* Fiber.join(fiber)
    expect(result._tag).toBe("Left")
    expect(JSON.stringify(result)).toContain("the script has no step left for this call")
  }).pipe(
    Effect.provide(
      ScriptedClaude.layer([
        ScriptedClaude.stream("Half of it, then the rest.", {
          chunkSize: 5,
          failAfter: { events: 4, error: new ClaudeError.ConnectionError({ message: "reset", phase: "stream" }) }
        })
      ])
    )
  )
)
