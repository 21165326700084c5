/**
 * The tool loop through the real SDK and FakeClaude (real HTTP), which rejects a broken tool pairing
 * with the API's 400; and over a small fake `Claude` service that answers anything at all.
 */
import Anthropic from "@anthropic-ai/sdk"
import { Content } from "@claude-resilience/api"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Reply } from "@claude-resilience/testing"
import { Conversation, Tool, Toolkit, ToolLoop } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Effect,
  Either,
  Exit,
  FastCheck,
  Fiber,
  Layer,
  Logger,
  Redacted,
  Ref,
  Runtime,
  Schedule,
  Schema,
  Stream
} from "effect"

const MODEL = "claude-sonnet-4-6"

const ClaudeOnFake = Layer.unwrapEffect(
  Effect.map(FakeClaude.FakeClaude, (fake) =>
    Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
      Layer.provide(RetryPolicy.layer(Schedule.stop)),
      Layer.provide(CircuitBreaker.layer({}))
    )
  )
).pipe(
  Layer.provideMerge(FakeClaude.layer({ seed: 7 })),
  // the tests run with live services and read no logs: keep their output quiet
  Layer.merge(Logger.remove(Logger.defaultLogger))
)

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

/** A `Claude` whose `create` answers the given replies in turn (typed as messages, whatever they are). */
const answering = (replies: ReadonlyArray<unknown>) => {
  const sent: Array<Claude.MessageCreateParams> = []
  const service: Claude.Service = {
    messages: {
      create: (params) =>
        Effect.sync(() => {
          sent.push(params)
          return replies[sent.length - 1] as Claude.Message
        }),
      stream: () => Stream.die("not used"),
      countTokens: () => Effect.die("not used")
    },
    sdk: new Anthropic({ apiKey: "unused" }),
    retrySchedule: Schedule.stop,
    request: () => Effect.die("request not used")
  }
  return { sent, layer: Layer.succeed(Claude.Claude, service) }
}

const usage = { input_tokens: 10, output_tokens: 5 }
const toolUseReply = (...uses: ReadonlyArray<{ id: string; name: string; input: unknown }>) => ({
  content: uses.map((u) => ({ type: "tool_use", ...u })),
  stop_reason: "tool_use",
  usage
})
const textReply = (text: string) => ({ content: [{ type: "text", text }], stop_reason: "end_turn", usage })

const circular: Record<string, unknown> = {}
circular.self = circular
/** What a handler may produce that JSON cannot carry, or carries as nothing. */
const odd: ReadonlyArray<unknown> = [
  undefined,
  () => 1,
  Symbol("s"),
  10n,
  { big: 10n },
  circular,
  {
    toJSON: () => {
      throw new Error("no")
    }
  },
  { toJSON: () => undefined },
  Tool.content([null] as unknown as Tool.Content),
  Tool.content("not blocks" as unknown as Tool.Content),
  null,
  Number.NaN,
  "plain text"
]
const oddTool = Tool.make("odd", {
  parameters: Schema.Struct({ k: Schema.Number }),
  handler: ({ k }) => Effect.succeed(odd[Math.abs(Math.trunc(k)) % odd.length])
})
const voidTool = Tool.make("void", { parameters: Schema.Struct({}), handler: () => Effect.void })
const oddKit = Toolkit.make(echo, oddTool, voidTool)

/** Runs the loop with `oddKit`: its exit and the conversation the Ref holds at the end. */
const conversationOf = (options: Partial<ToolLoop.Options<never>> = {}) =>
  Effect.gen(function* () {
    const conversation = yield* Ref.make<ReadonlyArray<Conversation.Message>>([])
    const exit = yield* Effect.exit(ToolLoop.run(ask("Go"), { toolkit: oddKit, conversation, ...options }))
    return { exit, messages: yield* Ref.get(conversation) }
  })

describe("ToolLoop over a Claude that answers anything", () => {
  it.effect("a null message fails with InvalidConversation before any request", () =>
    Effect.gen(function* () {
      const { layer, sent } = answering([textReply("Hi")])
      const params = { ...ask(""), messages: [null] } as unknown as Claude.MessageCreateParams
      const error = yield* Effect.flip(ToolLoop.run(params, { toolkit: oddKit })).pipe(Effect.provide(layer))
      assert.strictEqual(error._tag, "InvalidConversation")
      assert.include(error.message, "messages.0: expected a message (an object), found null")
      const repaired = yield* Effect.flip(ToolLoop.run(params, { toolkit: oddKit, repair: true })).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(repaired._tag, "InvalidConversation")
      assert.lengthOf(sent, 0)
    })
  )

  it.effect("a reply whose content is a string fails with a protocol ConnectionError naming it", () =>
    Effect.gen(function* () {
      const { layer } = answering([{ content: "Hello", stop_reason: "end_turn", usage }])
      const { exit, messages } = yield* conversationOf().pipe(Effect.provide(layer))
      assert.isTrue(Exit.isFailure(exit) && !Cause.isDie(exit.cause))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(error, ClaudeError.ConnectionError)
      if (!(error instanceof ClaudeError.ConnectionError)) return
      assert.strictEqual(error.reason, "protocol")
      assert.include(error.message, "content: expected an array of content blocks, found a string")
      // the conversation is the one the request was made with
      assert.deepStrictEqual(messages, ask("Go").messages)
    })
  )

  it.effect("replies that break the rules the loop relies on are named, and nothing of them is appended", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [null, "expected a message (an object), found null"],
        [{ ...textReply("x"), usage: { input_tokens: -1000, output_tokens: 1 } }, "usage.input_tokens"],
        [{ ...textReply("x"), usage: undefined }, "usage: expected an object, found nothing"],
        [{ ...textReply("x"), stop_reason: 3 }, "stop_reason: expected a string or null"],
        [toolUseReply({ id: "t1", name: "echo", input: "text" }), "content.0.input: expected an object"],
        [
          toolUseReply({ id: "t1", name: "echo", input: {} }, { id: "t1", name: "echo", input: {} }),
          "content.1: the tool_use id of content.0 again"
        ]
      ]
      for (const [reply, expected] of cases) {
        const { layer } = answering([reply])
        const { exit, messages } = yield* conversationOf().pipe(Effect.provide(layer))
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.instanceOf(error, ClaudeError.ConnectionError)
        assert.include(String((error as ClaudeError.ConnectionError).message), expected)
        assert.lengthOf(messages, 1)
      }
      // a tool_use id the conversation already holds
      const { layer } = answering([
        toolUseReply({ id: "t1", name: "echo", input: { text: "a" } }),
        toolUseReply({ id: "t1", name: "echo", input: { text: "b" } })
      ])
      const { exit, messages } = yield* conversationOf().pipe(Effect.provide(layer))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.include(String((error as ClaudeError.ConnectionError).message), "request 2 of the tool loop")
      assert.include(String((error as ClaudeError.ConnectionError).message), "already holds")
      assert.lengthOf(messages, 3)
      assert.deepStrictEqual(Conversation.validate(messages), [])
    })
  )

  it.effect("a handler returning nothing, a function or a symbol still answers its tool_use", () =>
    Effect.gen(function* () {
      const { layer } = answering([
        toolUseReply(
          { id: "t1", name: "void", input: {} },
          { id: "t2", name: "odd", input: { k: 0 } },
          { id: "t3", name: "odd", input: { k: 1 } },
          { id: "t4", name: "odd", input: { k: 2 } },
          { id: "t5", name: "odd", input: { k: 3 } },
          { id: "t6", name: "odd", input: { k: 5 } }
        ),
        textReply("Done.")
      ])
      const { exit, messages } = yield* conversationOf().pipe(Effect.provide(layer))
      assert.isTrue(Exit.isSuccess(exit))
      const results = messages[2]?.content as ReadonlyArray<Content.ToolResultBlockParam>
      assert.deepStrictEqual(
        results.map((r) => [r.tool_use_id, r.is_error === true, r.content]),
        [
          ["t1", false, "(no output)"],
          ["t2", false, "(no output)"],
          ["t3", true, 'Error: tool "odd" returned a result that cannot be sent: it is a function.'],
          ["t4", true, 'Error: tool "odd" returned a result that cannot be sent: it is a symbol.'],
          ["t5", true, 'Error: tool "odd" returned a result that cannot be sent: it is a BigInt.'],
          ["t6", true, 'Error: tool "odd" returned a result that cannot be sent: it contains a circular reference.']
        ]
      )
    })
  )

  const id = FastCheck.constantFrom("t1", "t2", "t3", "t4", "t5", "t6")
  const call = FastCheck.oneof(
    FastCheck.record({ id, name: FastCheck.constant("echo"), input: FastCheck.record({ text: FastCheck.string() }) }),
    FastCheck.record({ id, name: FastCheck.constant("odd"), input: FastCheck.record({ k: FastCheck.nat(100) }) }),
    FastCheck.record({ id, name: FastCheck.constantFrom("void", "gone"), input: FastCheck.anything() })
  )
  const goodReply = FastCheck.oneof(
    FastCheck.array(call, { minLength: 1, maxLength: 3 }).map((calls) => toolUseReply(...calls)),
    FastCheck.string().map(textReply)
  )
  const badReply = FastCheck.oneof(
    FastCheck.anything(),
    FastCheck.jsonValue(),
    FastCheck.record({ content: FastCheck.anything(), stop_reason: FastCheck.anything(), usage: FastCheck.anything() }),
    FastCheck.tuple(goodReply, FastCheck.anything()).map(([reply, usage]) => ({ ...reply, usage })),
    FastCheck.tuple(goodReply, FastCheck.anything()).map(([reply, block]) => ({
      ...reply,
      content: [...reply.content, block]
    }))
  )
  const replies = FastCheck.array(
    FastCheck.oneof({ weight: 4, arbitrary: goodReply }, { weight: 1, arbitrary: badReply }),
    {
      minLength: 1,
      maxLength: 6
    }
  )

  it.effect.prop(
    "property: arbitrary replies and handler outputs end in success or a typed failure, never a defect",
    [replies, FastCheck.integer({ min: 1, max: 6 })],
    ([answers, maxTurns]) =>
      Effect.gen(function* () {
        // after the scripted replies, a final answer
        const { layer } = answering([...answers, textReply("Done.")])
        const { exit, messages } = yield* conversationOf({ maxTurns, concurrency: 2 }).pipe(Effect.provide(layer))
        if (Exit.isFailure(exit)) {
          assert.isFalse(Cause.isDie(exit.cause), Cause.pretty(exit.cause))
          const error = Cause.squash(exit.cause)
          assert.isTrue(
            error instanceof ToolLoop.TurnLimitExceeded ||
              (error instanceof ClaudeError.ConnectionError && error.reason === "protocol"),
            String(error)
          )
          assert.deepStrictEqual(Conversation.validate(messages), [])
          return
        }
        const result = exit.value
        assert.strictEqual(result.messages, messages)
        assert.deepStrictEqual(Conversation.validate(messages.slice(0, -1)), [])
        assert.deepStrictEqual(messages.at(-1), Content.assistantMessage(result.message))
        for (const message of messages) {
          for (const block of Content.blocksOf(message.content)) {
            if (!Content.isToolResult(block)) continue
            assert.isTrue(block.content !== undefined, "a tool_result without content")
            assert.doesNotThrow(() => JSON.stringify(block))
          }
        }
        assert.isTrue(Number.isSafeInteger(result.usage.input_tokens) && result.usage.input_tokens >= 0)
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
