/**
 * Issue 20, through real HTTP and SSE against FakeClaude with the real SDK: a 504 answered by a
 * streamed try, long requests streamed from the start, every stop reason handled (pause_turn and
 * max_tokens continued, refusal and the context window as typed failures), 402 never retried and
 * counted.
 */
import Anthropic from "@anthropic-ai/sdk"
import { Content } from "@claude-resilience/api"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Fault, Reply } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Layer, Logger, LogLevel, Metric, Redacted, Schedule, Stream } from "effect"
import { MODEL_NONSTREAMING_TOKENS, requiresStreaming } from "../src/internal/viaStream.js"

const PREFILL_MODEL = "claude-haiku-4-5"
const CONTINUATION_MODEL = "claude-sonnet-4-6"

const ask = (text = "Tell me about resilience", extra: Partial<Claude.MessageCreateParams> = {}) => ({
  model: CONTINUATION_MODEL,
  max_tokens: 512,
  messages: [{ role: "user" as const, content: text }],
  ...extra
})

/** Claude against a FakeClaude started with `fakeOptions`; the real policy unless `retry` is given. */
const withFake = (
  fakeOptions: FakeClaude.Options,
  options: Partial<Claude.Options> = {},
  retry: RetryPolicy.Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError> = Schedule.stop
) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({ ...options, apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
        Layer.provide(RetryPolicy.layer(retry)),
        Layer.provide(CircuitBreaker.layer())
      )
    )
  ).pipe(Layer.provideMerge(FakeClaude.layer(fakeOptions)), Layer.merge(Logger.minimumLogLevel(LogLevel.None)))

const messagesRequests = Effect.flatMap(FakeClaude.FakeClaude, (fake) =>
  Effect.map(fake.requests, (all) => all.filter((r) => r.path === "/v1/messages"))
)

const bodyOf = (request: FakeClaude.RecordedRequest) =>
  request.body as { readonly max_tokens: number; readonly messages: ReadonlyArray<Content.MessageParam> }

const withoutId = (message: Claude.Message) => ({ ...message, id: "" })

/**
 * What the SDK's own accumulator (`MessageStream.finalMessage`) makes of a stream of the same
 * request, less the `parsed_output` its structured-output helper adds (not a field of the API's).
 */
const sdkStreamed = (params: Claude.MessageCreateParams) =>
  Effect.flatMap(FakeClaude.FakeClaude, (fake) =>
    Effect.promise(async () => {
      const { parsed_output: _, ...message } = await new Anthropic({
        apiKey: fake.apiKey,
        baseURL: fake.url,
        maxRetries: 0,
        logLevel: "off"
      }).messages
        .stream(params)
        .finalMessage()
      return message as Claude.Message
    })
  )

describe("504 → a streamed try", () => {
  it.live("a 504 is not retried as it is: one streamed try, collected into the message a stream gives", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const reply = Reply.toolUse([{ name: "lookup", input: { city: "Paris", days: [1, 2] }, id: "toolu_01paris" }], {
        text: "Let me check."
      })
      yield* fake.reply(reply, reply, reply)
      yield* fake.enqueue(Fault.status(504))
      const message = yield* claude.messages.create(ask())
      const sent = yield* messagesRequests
      expect(sent.map((r) => [r.stream, r.outcome])).toEqual([
        [false, 504],
        [true, 200]
      ])
      expect(message.content.map((b) => b.type)).toEqual(["text", "tool_use"])
      expect(withoutId(message)).toEqual(withoutId(yield* sdkStreamed(ask())))
      expect(withoutId(message)).toEqual(withoutId(yield* claude.messages.create(ask())))
    }).pipe(Effect.provide(withFake({}, {}, {})))
  )

  it.live("the generated text too: the collected message equals the non-streaming one", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(504))
      const message = yield* claude.messages.create(ask())
      expect(Content.textOf(message.content)).toBe(FakeClaude.completionText(ask(), 0))
      expect(withoutId(message)).toEqual(withoutId(yield* claude.messages.create(ask())))
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("a 504 on the streamed try too is the call's failure: two requests, no more", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(504), Fault.status(504))
      const error = yield* Effect.flip(claude.messages.create(ask()))
      expect(error._tag).toBe("GatewayTimeoutError")
      expect((yield* messagesRequests).map((r) => r.stream)).toEqual([false, true])
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("streamOnGatewayTimeout: false retries the 504 as it is, per the policy", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(504))
      yield* claude.messages.create(ask(), { streamOnGatewayTimeout: false })
      expect((yield* messagesRequests).map((r) => [r.stream, r.outcome])).toEqual([
        [false, 504],
        [false, 200]
      ])
    }).pipe(Effect.provide(withFake({}, {}, Schedule.spaced("10 millis").pipe(Schedule.compose(Schedule.recurs(2))))))
  )
})

describe("requests too long for a non-streaming call", () => {
  it.live("are streamed from the start and collected; the limit is the SDK's", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const long = yield* claude.messages.create(ask("Tell me about resilience", { max_tokens: 32_000 }))
      yield* claude.messages.create(ask("Tell me about resilience", { max_tokens: 21_333 }))
      yield* claude.messages.create(ask("Tell me about resilience", { max_tokens: 21_334 }))
      yield* claude.messages.create(ask("Tell me about resilience", { max_tokens: 32_000 }), {
        streamLongRequests: false
      })
      expect((yield* messagesRequests).map((r) => [bodyOf(r).max_tokens, r.stream])).toEqual([
        [32_000, true],
        [21_333, false],
        [21_334, true],
        [32_000, false]
      ])
      expect(Content.textOf(long.content)).toBe(FakeClaude.completionText(ask(), 0))
      expect(long.stop_reason).toBe("end_turn")
    }).pipe(Effect.provide(withFake({})))
  )

  it.prop(
    "requiresStreaming is true exactly when the SDK's calculateNonstreamingTimeout refuses",
    {
      maxTokens: fc.integer({ min: 1, max: 200_000 }),
      model: fc.constantFrom(CONTINUATION_MODEL, PREFILL_MODEL, ...Object.keys(MODEL_NONSTREAMING_TOKENS))
    },
    ({ maxTokens, model }) => {
      const sdk = new Anthropic({ apiKey: "sk-ant-test" })
      let refused = false
      try {
        sdk.calculateNonstreamingTimeout(maxTokens, MODEL_NONSTREAMING_TOKENS[model])
      } catch {
        refused = true
      }
      expect(requiresStreaming({ model, max_tokens: maxTokens })).toBe(refused)
    }
  )
})

describe("pause_turn", () => {
  it.live("is continued: the content sent back, the answers merged, the usage summed", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(Reply.text("Let me search the web.", { stopReason: "pause_turn" }), Reply.text("Found it: 42."))
      const message = yield* claude.messages.create(ask("Search it", { model: PREFILL_MODEL }))
      expect(message.content).toEqual([
        { type: "text", text: "Let me search the web." },
        { type: "text", text: "Found it: 42." }
      ])
      expect(message.stop_reason).toBe("end_turn")
      const sent = yield* messagesRequests
      expect(sent).toHaveLength(2)
      expect(bodyOf(sent[1]!).messages.at(-1)).toEqual({
        role: "assistant",
        content: [{ type: "text", text: "Let me search the web." }]
      })
      expect(message.usage.output_tokens).toBe(sent.reduce((n, r) => n + (r.outputTokens ?? 0), 0))
      expect(message.usage.input_tokens).toBe(sent.reduce((n, r) => n + (r.inputTokens ?? 0), 0))
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("is bounded: after pauseTurn continuations the paused message is returned; false: none", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(...Array.from({ length: 6 }, (_, i) => Reply.text(`step ${i}`, { stopReason: "pause_turn" })))
      const message = yield* claude.messages.create(ask("Search it", { model: PREFILL_MODEL }), {
        stopReasons: { pauseTurn: 3 }
      })
      expect(message.stop_reason).toBe("pause_turn")
      expect(Content.textOf(message.content)).toBe("step 0step 1step 2step 3")
      expect(yield* messagesRequests).toHaveLength(4)
      const paused = yield* claude.messages.create(ask("Search it", { model: PREFILL_MODEL }), {
        stopReasons: { pauseTurn: false }
      })
      expect(paused.stop_reason).toBe("pause_turn")
      expect(yield* messagesRequests).toHaveLength(5)
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("max_tokens", () => {
  const cut = (model: string) => ask("Write about resilience", { model, max_tokens: 60 })

  it.live("is returned as it is by default", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(cut(PREFILL_MODEL))
      expect(message.stop_reason).toBe("max_tokens")
      expect(yield* messagesRequests).toHaveLength(1)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("is continued with a prefill on a model that takes one, byte-exact", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(cut(PREFILL_MODEL), { stopReasons: { maxTokens: 10 } })
      expect(Content.textOf(message.content)).toBe(FakeClaude.completionText(cut(PREFILL_MODEL), 0))
      expect(message.content).toHaveLength(1)
      expect(message.stop_reason).toBe("end_turn")
      const sent = yield* messagesRequests
      expect(sent.length).toBeGreaterThan(2)
      for (const request of sent.slice(1)) {
        const last = bodyOf(request).messages.at(-1)!
        expect(last.role).toBe("assistant")
        expect(String(last.content)).toBe(String(last.content).trimEnd())
      }
      expect(message.usage.output_tokens).toBe(sent.reduce((n, r) => n + (r.outputTokens ?? 0), 0))
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("is continued with the continuation turn on a model that refuses prefill, the repeat stitched off", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(cut(CONTINUATION_MODEL), { stopReasons: { maxTokens: 10 } })
      expect(Content.textOf(message.content)).toBe(FakeClaude.completionText(cut(CONTINUATION_MODEL), 0))
      expect(message.stop_reason).toBe("end_turn")
      const sent = yield* messagesRequests
      expect(sent.length).toBeGreaterThan(2)
      for (const request of sent.slice(1)) {
        expect(bodyOf(request).messages.at(-1)).toEqual({
          role: "user",
          content: "Continue from exactly where you left off."
        })
      }
    }).pipe(Effect.provide(withFake({ continuationRepeatWords: 3 })))
  )

  it.live("is bounded: after maxTokens continuations the cut message is returned", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(cut(PREFILL_MODEL), { stopReasons: { maxTokens: 1 } })
      expect(message.stop_reason).toBe("max_tokens")
      expect(yield* messagesRequests).toHaveLength(2)
      const text = Content.textOf(message.content)
      expect(FakeClaude.completionText(cut(PREFILL_MODEL), 0).startsWith(text)).toBe(true)
      expect(text.length).toBeGreaterThan(60 * 4)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("a cut tool call is not continued", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(Reply.toolUse([{ name: "lookup", input: { q: "x" } }], { stopReason: "max_tokens" }))
      const message = yield* claude.messages.create(cut(PREFILL_MODEL), { stopReasons: { maxTokens: 3 } })
      expect(message.stop_reason).toBe("max_tokens")
      expect(yield* messagesRequests).toHaveLength(1)
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("refusal", () => {
  const refusal = Reply.text("I can't help with that.", {
    stopReason: "refusal",
    stopDetails: { category: "cyber", explanation: "Malware development" }
  })

  it.live("is a RefusalError by default, matched with catchTag; never retried", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(refusal, refusal)
      const error = yield* Effect.flip(claude.messages.create(ask("Write malware")))
      expect(error._tag).toBe("RefusalError")
      if (error._tag !== "RefusalError") return
      expect(error.model).toBe(CONTINUATION_MODEL)
      expect(error.stopDetails).toEqual({ type: "refusal", category: "cyber", explanation: "Malware development" })
      expect(Content.textOf(error.response.content)).toBe("I can't help with that.")
      expect(error.requestId).toMatch(/^req_/)
      expect(ClaudeError.isRetryable(error)).toBe(false)
      const category = yield* claude.messages
        .create(ask("Write malware"))
        .pipe(Effect.catchTag("RefusalError", (e) => Effect.succeed(e.stopDetails?.category)))
      expect(category).toBe("cyber")
      expect(yield* messagesRequests).toHaveLength(2)
    }).pipe(Effect.provide(withFake({}, {}, {})))
  )

  it.live('refusal: "return" gives the message back, per call or on the layer', () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(refusal, refusal)
      const perCall = yield* claude.messages.create(ask(), { stopReasons: { refusal: "return" } })
      expect(perCall.stop_reason).toBe("refusal")
      expect(perCall.stop_details?.category).toBe("cyber")
      const error = yield* Effect.flip(claude.messages.create(ask(), { stopReasons: { refusal: "fail" } }))
      expect(error._tag).toBe("RefusalError")
    }).pipe(Effect.provide(withFake({}, { stopReasons: { refusal: "return" } })))
  )

  it.live("a stream delivers every event, then fails with the RefusalError; return lets it end", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(refusal, refusal)
      const events: Array<Claude.MessageStreamEvent> = []
      const error = yield* Effect.flip(
        Stream.runDrain(Stream.tap(claude.messages.stream(ask()), (e) => Effect.sync(() => events.push(e))))
      )
      expect(error._tag).toBe("RefusalError")
      expect(events.at(-1)?.type).toBe("message_stop")
      expect(error._tag === "RefusalError" && error.stopDetails?.category).toBe("cyber")
      expect(error._tag === "RefusalError" && error.response.stop_reason).toBe("refusal")
      const returned = yield* Stream.runCollect(claude.messages.stream(ask(), { stopReasons: { refusal: "return" } }))
      expect(Chunk.last(returned).pipe((last) => last._tag === "Some" && last.value.type)).toBe("message_stop")
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("model_context_window_exceeded", () => {
  const truncated = Reply.text("The first half of the answer", { stopReason: "model_context_window_exceeded" })

  it.live("is a ContextWindowExceededError carrying the partial message; return gives it back", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.reply(truncated, truncated, truncated)
      const error = yield* Effect.flip(claude.messages.create(ask()))
      expect(error._tag).toBe("ContextWindowExceededError")
      if (error._tag !== "ContextWindowExceededError") return
      expect(Content.textOf(error.response.content)).toBe("The first half of the answer")
      expect(error.response.stop_reason).toBe("model_context_window_exceeded")
      expect(error.response.usage.output_tokens).toBeGreaterThan(0)
      const returned = yield* claude.messages.create(ask(), { stopReasons: { contextWindowExceeded: "return" } })
      expect(returned.stop_reason).toBe("model_context_window_exceeded")
      const streamed = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask())))
      expect(streamed._tag).toBe("ContextWindowExceededError")
      expect(yield* messagesRequests).toHaveLength(3)
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("402 billing_error", () => {
  it.live("is never retried (even with x-should-retry), counted and logged once at Error level", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const before = (yield* Metric.value(Claude.metrics.billingErrors)).count
      const logs: Array<{ readonly level: string; readonly message: unknown }> = []
      const logger = Logger.make(({ logLevel, message }) => {
        logs.push({ level: logLevel.label, message })
      })
      yield* fake.enqueue(Fault.status(402, { shouldRetry: true, message: "credit balance too low" }))
      const error = yield* Effect.flip(
        claude.messages
          .create(ask())
          .pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
            Logger.withMinimumLogLevel(LogLevel.Error)
          )
      )
      expect(error._tag).toBe("BillingError")
      expect(yield* messagesRequests).toHaveLength(1)
      expect((yield* Metric.value(Claude.metrics.billingErrors)).count).toBe(before + 1)
      const errors = logs.filter((l) => l.level === "ERROR")
      expect(errors).toHaveLength(1)
      expect(String(errors[0]!.message)).toContain("claude.billing_error")
    }).pipe(Effect.provide(withFake({}, {}, {})))
  )
})

describe("in memory (ScriptedClaude, virtual time)", () => {
  it.effect("a 504 is answered by a streamed try; a paused turn is continued; both without a sleep", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const script = yield* ScriptedClaude.ScriptedClaude
      const message = yield* claude.messages.create(ask())
      expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual(["Searching.", "Found."])
      expect(message.stop_reason).toBe("end_turn")
      expect((yield* script.calls).map((c) => c.operation)).toEqual(["create", "stream", "create"])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(new ClaudeError.GatewayTimeoutError({ message: "timeout", status: 504 })),
          ScriptedClaude.reply(ScriptedClaude.message("Searching.", { stopReason: "pause_turn" })),
          ScriptedClaude.reply("Found.")
        ])
      )
    )
  )
})
