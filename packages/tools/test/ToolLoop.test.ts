/**
 * The tool loop through the real SDK and FakeClaude (real HTTP), which rejects a broken tool pairing
 * with the API's 400.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Reply } from "@claude-resilience/testing"
import { Conversation, Tool, Toolkit, ToolLoop } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, FastCheck, Fiber, Layer, Redacted, Ref, Runtime, Schedule, Schema } from "effect"

const MODEL = "claude-haiku-4-5" // claude-sonnet-4-5 was retired: the API (and FakeClaude) answer 404

const ClaudeOnFake = Layer.unwrapEffect(
  Effect.map(FakeClaude.FakeClaude, (fake) =>
    Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
      Layer.provide(RetryPolicy.layer(Schedule.stop)),
      Layer.provide(CircuitBreaker.layer({}))
    )
  )
).pipe(Layer.provideMerge(FakeClaude.layer({ seed: 7 })))

class Boom extends Schema.TaggedError<Boom>()("Boom", { message: Schema.String }) {}

const echo = Tool.make("echo", {
  parameters: Schema.Struct({ text: Schema.String }),
  handler: ({ text }) => Effect.succeed(text)
})
const fails = Tool.make("fails", {
  parameters: Schema.Struct({}),
  handler: () => Effect.fail(new Boom({ message: "the backend said no" }))
})
const dies = Tool.make("dies", { parameters: Schema.Struct({}), handler: () => Effect.die("bug") })
const hangs = Tool.make("hangs", { parameters: Schema.Struct({}), handler: () => Effect.never, timeout: "30 millis" })
const quits = Tool.make("quits", { parameters: Schema.Struct({}), handler: () => Effect.interrupt })
const toolkit = Toolkit.make(echo, fails, dies, hangs, quits)

const ask = (text: string): Claude.MessageCreateParams => ({
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: "user", content: text }]
})

const call = (name: string, input: unknown = {}) => ({ name, input })

describe("ToolLoop through FakeClaude", () => {
  it.live("every failure kind yields an error result and the loop goes on to a final answer", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(
        Reply.toolUse([
          call("echo", { text: "hello" }),
          call("echo", { txt: "typo" }),
          call("fails"),
          call("dies"),
          call("hangs"),
          call("quits"),
          call("teleport")
        ]),
        Reply.toolUse([call("echo", { text: "again" })]),
        Reply.text("All done.")
      )
      const result = yield* ToolLoop.run(ask("Go"), { toolkit, concurrency: "unbounded" })
      assert.strictEqual(result.turns, 3)
      assert.strictEqual(result.message.stop_reason, "end_turn")
      assert.deepStrictEqual(result.message.content[0]?.type === "text" && result.message.content[0].text, "All done.")
      assert.lengthOf(result.messages, 6)
      assert.deepStrictEqual(Conversation.validate(result.messages), [])
      const first = result.messages[2]?.content as ReadonlyArray<{ content?: unknown; is_error?: boolean }>
      assert.deepStrictEqual(
        first.map((r) => r.is_error === true),
        [false, true, true, true, true, true, true]
      )
      assert.strictEqual(first[0]?.content, "hello")
      assert.strictEqual(first[2]?.content, "Error: Boom: the backend said no")
      assert.strictEqual(first[4]?.content, 'Error: tool "hangs" timed out after 30ms.')

      const requests = yield* fake.requests
      assert.deepStrictEqual(
        requests.map((r) => r.outcome),
        [200, 200, 200]
      )
      // the toolkit's tools went with every request
      const body = requests[0]?.body as { tools: ReadonlyArray<{ name: string }> }
      assert.deepStrictEqual(
        body.tools.map((t) => t.name),
        ["echo", "fails", "dies", "hangs", "quits"]
      )
      // usage is the sum of the three answers
      assert.strictEqual(
        result.usage.output_tokens,
        requests.reduce((sum, r) => sum + (r.outputTokens ?? 0), 0)
      )
      assert.strictEqual(
        result.usage.input_tokens,
        requests.reduce((sum, r) => sum + (r.inputTokens ?? 0), 0)
      )
    }).pipe(Effect.provide(ClaudeOnFake))
  )

  it.live("the turn limit fails with TurnLimitExceeded and leaves a conversation FakeClaude accepts", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.reply(...Reply.times(Reply.toolUse([call("echo", { text: "more" })]), 3))
      const error = yield* Effect.flip(ToolLoop.run(ask("Loop"), { toolkit, maxTurns: 2 }))
      assert.strictEqual(error._tag, "TurnLimitExceeded")
      if (error._tag !== "TurnLimitExceeded") return
      assert.strictEqual(error.maxTurns, 2)
      assert.lengthOf(error.messages, 5)
      const last = error.messages[4]?.content as ReadonlyArray<{ content?: unknown; is_error?: boolean }>
      assert.isTrue(last[0]?.is_error)
      assert.include(String(last[0]?.content), "was not run: the tool loop reached its limit of 2 turns")
      assert.lengthOf(yield* fake.requests, 2)
      // the conversation continues
      const claude = yield* Claude.Claude
      const next = yield* claude.messages.create({ ...ask(""), messages: [...error.messages] })
      assert.strictEqual(next.stop_reason, "tool_use")
    }).pipe(Effect.provide(ClaudeOnFake))
  )

  it.live("an invalid conversation is caught before the request; repair makes FakeClaude accept it", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const broken: ReadonlyArray<Conversation.Message> = [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01lost", name: "echo", input: { text: "x" } }] },
        { role: "user", content: "Hello?" }
      ]
      const claude = yield* Claude.Claude
      const rejected = yield* Effect.flip(claude.messages.create({ ...ask(""), messages: [...broken] }))
      assert.strictEqual(rejected._tag, "InvalidRequestError")
      assert.include(rejected.message, "`tool_use` ids were found without `tool_result` blocks immediately after")

      const checked = yield* Effect.flip(ToolLoop.run({ ...ask(""), messages: [...broken] }, { toolkit }))
      assert.strictEqual(checked._tag, "InvalidConversation")
      assert.lengthOf(yield* fake.requests, 1)

      const repaired = yield* ToolLoop.run({ ...ask(""), messages: [...broken] }, { toolkit, repair: true })
      assert.strictEqual(repaired.message.stop_reason, "end_turn")
      const sent = (yield* fake.requests)[1]?.body as { messages: ReadonlyArray<Conversation.Message> }
      assert.deepStrictEqual(Conversation.validate(sent.messages), [])
    }).pipe(Effect.provide(ClaudeOnFake))
  )

  it.live("interrupting the loop while tools run leaves a valid conversation in the Ref", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const started = yield* Ref.make(0)
      const waits = Tool.make("waits", {
        parameters: Schema.Struct({ ms: Schema.Number }),
        handler: ({ ms }) => Ref.update(started, (n) => n + 1).pipe(Effect.zipRight(Effect.sleep(ms)), Effect.as("ok"))
      })
      yield* fake.reply(Reply.toolUse([call("waits", { ms: 1 }), call("waits", { ms: 60_000 })]))
      const conversation = yield* Ref.make<ReadonlyArray<Conversation.Message>>([])
      const fiber = yield* Effect.fork(
        ToolLoop.run(ask("Wait"), { toolkit: Toolkit.make(waits), conversation, concurrency: 2 })
      )
      while ((yield* Ref.get(started)) < 2) yield* Effect.sleep("5 millis")
      yield* Effect.sleep("20 millis")
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      const messages = yield* Ref.get(conversation)
      assert.lengthOf(messages, 3)
      assert.deepStrictEqual(Conversation.validate(messages), [])
      const results = messages[2]?.content as ReadonlyArray<{ content?: unknown; is_error?: boolean }>
      assert.strictEqual(results[0]?.content, "ok")
      assert.strictEqual(results[1]?.content, 'Error: tool "waits" was interrupted before it finished.')
      const claude = yield* Claude.Claude
      const next = yield* claude.messages.create({ ...ask(""), messages: [...messages] })
      assert.strictEqual(next.stop_reason, "end_turn")
    }).pipe(Effect.provide(ClaudeOnFake))
  )

  type Behaviour = "ok" | "fail" | "die" | "timeout" | "interrupt" | "badInput" | "unknown"
  const behaviours: ReadonlyArray<Behaviour> = ["ok", "fail", "die", "timeout", "interrupt", "badInput", "unknown"]

  it.live(
    "property: random handler outcomes and interruptions never produce a request FakeClaude rejects for pairing",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const claude = yield* Claude.Claude
        const runtime = yield* Effect.runtime<Claude.Claude>()
        const act = Tool.make("act", {
          parameters: Schema.Struct({ b: Schema.Literal(...behaviours), ms: Schema.Number }),
          handler: ({ b, ms }) =>
            Effect.sleep(ms).pipe(
              Effect.zipRight(
                b === "fail"
                  ? Effect.fail("nope")
                  : b === "die"
                    ? Effect.die("bug")
                    : b === "timeout"
                      ? Effect.never
                      : b === "interrupt"
                        ? Effect.interrupt
                        : Effect.succeed("done")
              )
            ),
          timeout: "15 millis"
        })
        const kit = Toolkit.make(act)
        const turn = FastCheck.array(
          FastCheck.record({ b: FastCheck.constantFrom(...behaviours), ms: FastCheck.integer({ min: 0, max: 8 }) }),
          { minLength: 1, maxLength: 4 }
        )
        const arbitrary = FastCheck.record({
          turns: FastCheck.array(turn, { minLength: 1, maxLength: 3 }),
          interruptAfterMs: FastCheck.option(FastCheck.integer({ min: 0, max: 40 }), { nil: undefined }),
          concurrency: FastCheck.integer({ min: 1, max: 3 })
        })
        const property = FastCheck.asyncProperty(arbitrary, ({ concurrency, interruptAfterMs, turns }) =>
          Runtime.runPromise(runtime)(
            Effect.gen(function* () {
              yield* fake.reset
              yield* fake.reply(
                ...turns.map((calls) =>
                  Reply.toolUse(
                    calls.map(({ b, ms }) =>
                      b === "unknown"
                        ? call("gone", {})
                        : b === "badInput"
                          ? call("act", { b: "ok", ms: "slow" })
                          : call("act", { b, ms })
                    )
                  )
                ),
                Reply.text("Finished.")
              )
              const conversation = yield* Ref.make<ReadonlyArray<Conversation.Message>>([])
              const fiber = yield* Effect.fork(
                ToolLoop.run(ask("Start"), { toolkit: kit, conversation, concurrency, maxTurns: 10 })
              )
              if (interruptAfterMs !== undefined) {
                yield* Effect.sleep(interruptAfterMs)
                yield* Fiber.interrupt(fiber)
              } else {
                const result = yield* Fiber.join(fiber)
                assert.strictEqual(result.message.stop_reason, "end_turn")
              }
              const messages = yield* Ref.get(conversation)
              assert.deepStrictEqual(Conversation.validate(messages), [])
              // continue the conversation: FakeClaude must accept it
              const next: Array<Conversation.Message> =
                messages.at(-1)?.role === "assistant"
                  ? [...messages, { role: "user", content: "Thanks" }]
                  : [...messages]
              const sent = yield* Effect.either(claude.messages.create({ ...ask(""), messages: next }))
              assert.isTrue(Either.isRight(sent), Either.isLeft(sent) ? sent.left.message : "")
              const rejected = (yield* fake.requests).filter((r) => r.outcome === 400)
              assert.lengthOf(rejected, 0)
            })
          )
        )
        yield* Effect.promise(() => FastCheck.assert(property, { numRuns: 40, seed: 12 }))
      }).pipe(Effect.provide(ClaudeOnFake)),
    { timeout: 60_000 }
  )
})
