/**
 * The Claude service through real HTTP and SSE against FakeClaude, with the real SDK.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  type Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Metric,
  Option,
  Redacted,
  Schedule,
  Stream,
  Tracer
} from "effect"

const MODEL = "claude-sonnet-5-5"
const ask = (text = "Tell me about resilience") => ({
  model: MODEL,
  max_tokens: 512,
  messages: [{ role: "user" as const, content: text }]
})

/** Fast retries for real-time tests: 20 ms apart, at most 6 attempts, Retry-After honoured. */
const fastRetry = RetryPolicy.withRetryAfter(
  Schedule.spaced("20 millis").pipe(
    Schedule.intersect(Schedule.recurs(5)),
    Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
  )
)

/** Claude against a FakeClaude started with `options`, with the given retry and breaker. */
const withFake = (
  fakeOptions: FakeClaude.Options,
  pieces: {
    readonly retry?: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
    readonly breaker?: CircuitBreaker.Options
    readonly attemptTimeout?: Duration.DurationInput
  } = {}
) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({
        apiKey: Redacted.make(fake.apiKey),
        baseURL: fake.url,
        attemptTimeout: pieces.attemptTimeout
      }).pipe(
        Layer.provide(RetryPolicy.layer(pieces.retry ?? Schedule.stop)),
        Layer.provideMerge(CircuitBreaker.layer(pieces.breaker ?? {}))
      )
    )
  ).pipe(
    Layer.provideMerge(FakeClaude.layer(fakeOptions)),
    // Quiet test output; the observability test turns logging back on for itself.
    Layer.merge(Logger.minimumLogLevel(LogLevel.None))
  )

const textOf = (message: Claude.Message) =>
  message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("")

describe("Claude against FakeClaude", () => {
  it.live("creates a message", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(ask())
      expect(message.role).toBe("assistant")
      expect(textOf(message)).toBe(FakeClaude.completionText(ask(), 0))
      expect(message.usage.output_tokens).toBeGreaterThan(0)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("counts tokens", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const count = yield* claude.messages.countTokens(ask())
      expect(count.input_tokens).toBe(FakeClaude.estimateTokens(ask()))
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("streams the same text as create, ending with message_stop", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(claude.messages.stream(ask())))
      const text = events
        .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
        .join("")
      expect(text).toBe(FakeClaude.completionText(ask(), 0))
      expect(events.at(-1)?.type).toBe("message_stop")
      expect(events.filter((e) => e.type === "content_block_delta").length).toBeGreaterThan(10)
    }).pipe(Effect.provide(withFake({})))
  )

  describe("every error tag end to end", () => {
    const cases: ReadonlyArray<readonly [string, Fault.Fault, ClaudeError.Tag]> = [
      ["400", Fault.status(400), "InvalidRequestError"],
      ["401", Fault.status(401), "AuthenticationError"],
      ["402", Fault.status(402), "BillingError"],
      ["403", Fault.status(403), "PermissionError"],
      ["404", Fault.status(404), "NotFoundError"],
      ["408", Fault.status(408), "RequestTimeoutError"],
      ["409", Fault.status(409), "ConflictError"],
      ["413", Fault.status(413), "RequestTooLargeError"],
      ["422", Fault.status(422), "UnprocessableEntityError"],
      ["429", Fault.status(429, { retryAfter: "3" }), "RateLimitError"],
      ["500", Fault.status(500), "ApiError"],
      ["502 html", Fault.html(502), "BadGatewayError"],
      ["503 empty", Fault.emptyBody(503), "ServiceUnavailableError"],
      ["504", Fault.status(504), "GatewayTimeoutError"],
      ["529", Fault.status(529), "OverloadedError"],
      ["418", Fault.status(418, { errorType: "teapot_error" }), "UnknownApiError"],
      ["500 truncated", Fault.truncatedJson(500), "ApiError"],
      ["reset", Fault.reset(), "ConnectionError"]
    ]
    for (const [name, fault, tag] of cases) {
      it.live(`${name} → ${tag}`, () =>
        Effect.gen(function* () {
          const fake = yield* FakeClaude.FakeClaude
          const claude = yield* Claude.Claude
          yield* fake.enqueue(fault)
          // the status as it is: by default a 504 is answered by a streamed try (StopReasons.test.ts)
          const error = yield* Effect.flip(claude.messages.create(ask(), { streamOnGatewayTimeout: false }))
          expect(error._tag).toBe(tag)
          expect(String(error)).not.toContain(fake.apiKey)
          if (ClaudeError.isApiResponseError(error)) expect(error.requestId).toMatch(/^req_/)
        }).pipe(Effect.provide(withFake({})))
      )
    }

    it.live("an unknown model is a NotFoundError, a wrong key an AuthenticationError", () =>
      Effect.gen(function* () {
        const claude = yield* Claude.Claude
        const notFound = yield* Effect.flip(claude.messages.create({ ...ask(), model: "claude-nope-1" }))
        expect(notFound._tag).toBe("NotFoundError")
      }).pipe(Effect.provide(withFake({})))
    )

    it.live("an SSE overloaded_error mid-stream is a mid-stream OverloadedError", () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const claude = yield* Claude.Claude
        yield* fake.enqueue(Fault.sseError(5, { errorType: "overloaded_error" }))
        const error = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask())))
        expect(error._tag).toBe("OverloadedError")
        expect(error._tag === "OverloadedError" && error.phase).toBe("stream")
      }).pipe(Effect.provide(withFake({})))
    )

    it.live("a socket cut mid-stream is a mid-stream ConnectionError", () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const claude = yield* Claude.Claude
        yield* fake.enqueue(Fault.cutStream(6))
        const error = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask())))
        expect(error._tag).toBe("ConnectionError")
        expect(error._tag === "ConnectionError" && error.phase).toBe("stream")
      }).pipe(Effect.provide(withFake({})))
    )

    it.live("malformed SSE is a ConnectionError(protocol)", () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const claude = yield* Claude.Claude
        yield* fake.enqueue(Fault.malformedSse(4))
        const error = yield* Effect.flip(Stream.runDrain(claude.messages.stream(ask())))
        expect(error._tag === "ConnectionError" && error.reason).toBe("protocol")
      }).pipe(Effect.provide(withFake({})))
    )
  })

  it.live("retries a 429 after its retry-after, and the server saw the gap", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(429, { retryAfter: "1" }))
      const message = yield* claude.messages.create(ask())
      expect(message.type).toBe("message")
      const requests = yield* fake.requests
      expect(requests).toHaveLength(2)
      expect(requests[1]!.time - requests[0]!.time).toBeGreaterThanOrEqual(950)
    }).pipe(Effect.provide(withFake({}, { retry: fastRetry })))
  )

  it.live("per-call override: retry: false sends exactly one request", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(529))
      const error = yield* Effect.flip(claude.messages.create(ask(), { retry: false }))
      expect(error._tag).toBe("OverloadedError")
      expect((yield* fake.stats).total).toBe(1)
    }).pipe(Effect.provide(withFake({}, { retry: fastRetry })))
  )

  it.live("RetryPolicy.withPolicy overrides the layer's policy for one call", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(529), Fault.status(529))
      const message = yield* claude.messages.create(ask()).pipe(RetryPolicy.withPolicy(fastRetry))
      expect(message.type).toBe("message")
      expect((yield* fake.stats).total).toBe(3)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("the attempt timeout turns a slow answer into a TimeoutError and retries it", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.latency(2000))
      const message = yield* claude.messages.create(ask())
      expect(message.type).toBe("message")
      const requests = yield* fake.requests
      expect(requests).toHaveLength(2)
      yield* Effect.sleep("100 millis")
      expect((yield* fake.requests)[0]!.outcome).toBe("client-closed")
    }).pipe(Effect.provide(withFake({}, { retry: fastRetry, attemptTimeout: "300 millis" })))
  )

  it.live("the breaker opens during an outage, fails fast, then recovers", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const breaker = yield* CircuitBreaker.CircuitBreaker
      const tags: Array<string> = []
      // 1.2 s of outage; 40 calls, 50 ms apart, no retries.
      for (let i = 0; i < 40; i++) {
        const exit = yield* Effect.exit(claude.messages.create(ask(), { retry: false }))
        tags.push(Exit.isSuccess(exit) ? "ok" : Option.getOrThrow(Exit.causeOption(exit)).toString())
        yield* Effect.sleep("50 millis")
      }
      const requests = yield* fake.requests
      const duringOutage = requests.filter((r) => r.faultSource === "outage").length
      // threshold (3) + at most one probe per half-open window (every 400 ms in 1.2 s → ≤ 3)
      expect(duringOutage).toBeLessThanOrEqual(3 + 3)
      expect(requests.length).toBeLessThan(40)
      expect((yield* breaker.state(MODEL))._tag).toBe("Closed")
      const last = yield* claude.messages.create(ask(), { retry: false })
      expect(last.type).toBe("message")
    }).pipe(
      Effect.provide(
        withFake(
          { outages: [{ from: 0, to: "1200 millis", status: 503 }] },
          { breaker: { trip: CircuitBreaker.consecutiveFailures(3), openDuration: "400 millis" } }
        )
      )
    )
  )

  it.live("interruption aborts an in-flight request", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.latency(3000))
      const fiber = yield* Effect.fork(claude.messages.create(ask()))
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep("200 millis")
      const requests = yield* fake.requests
      expect(requests).toHaveLength(1)
      expect(requests[0]!.outcome).toBe("client-closed")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("taking part of a stream aborts the rest of it", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.stall(6, 3000))
      const taken = yield* Stream.runCollect(claude.messages.stream(ask()).pipe(Stream.take(4)))
      expect(Chunk.size(taken)).toBe(4)
      yield* Effect.sleep("200 millis")
      const requests = yield* fake.requests
      expect(requests[0]!.outcome).toBe("client-closed")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("100 concurrent calls under transient chaos all succeed", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const fake = yield* FakeClaude.FakeClaude
      const results = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => claude.messages.create(ask(`question ${i}`)),
        { concurrency: 100 }
      )
      expect(results).toHaveLength(100)
      const stats = yield* fake.stats
      expect(stats.total).toBeGreaterThan(100)
    }).pipe(
      Effect.provide(
        withFake(
          {
            seed: 7,
            chaos: { rates: { "429": 0.1, "500": 0.05, "529": 0.1, html502: 0.05, reset: 0.05 }, retryAfter: "0" }
          },
          {
            retry: RetryPolicy.withRetryAfter(
              Schedule.spaced("10 millis").pipe(
                Schedule.intersect(Schedule.recurs(20)),
                Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
              )
            ),
            // Chaos is not an outage: keep the breaker out of the way here.
            breaker: { trip: CircuitBreaker.consecutiveFailures(1000) }
          }
        )
      )
    )
  )
})

describe("observability", () => {
  it.live("spans, logs and metrics describe each call, and the key appears nowhere", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const logs: Array<string> = []
      const base = yield* Effect.tracer
      const recorded: Array<Tracer.Span> = []
      const native = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          recorded.push(span)
          return span
        },
        context: base.context
      })
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        logs.push(JSON.stringify({ message, level: logLevel.label, annotations: Object.fromEntries(annotations) }))
      })
      yield* fake.enqueue(Fault.status(529))
      const run = Effect.gen(function* () {
        yield* claude.messages.create(ask())
        yield* fake.enqueue(Fault.status(400))
        yield* Effect.flip(claude.messages.create(ask(), { retry: false, circuitKey: "other" }))
        yield* Stream.runDrain(claude.messages.stream(ask()))
      }).pipe(
        Effect.withTracer(native),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug),
        RetryPolicy.withPolicy(fastRetry)
      )
      yield* run

      const spans = recorded.map((span) => ({
        name: span.name,
        attributes: Object.fromEntries(span.attributes) as Record<string, unknown>
      }))
      const call = spans.find((s) => s.name === "claude.messages.create")
      expect(call?.attributes["gen_ai.system"]).toBe("anthropic")
      expect(call?.attributes["gen_ai.request.model"]).toBe(MODEL)
      expect(call?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0)
      expect(call?.attributes["gen_ai.response.finish_reasons"]).toEqual(["end_turn"])
      const attempts = spans.filter((s) => s.name === "claude.attempt")
      expect(attempts.map((s) => s.attributes["claude.attempt"])).toEqual([1, 2, 1, 1])
      expect(attempts[0]?.attributes["error.type"]).toBe("OverloadedError")

      const streamed = spans.find((s) => s.name === "claude.messages.stream")
      expect(streamed?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0)
      expect(streamed?.attributes["gen_ai.response.finish_reasons"]).toEqual(["end_turn"])

      const callLogs = logs.filter((l) => l.includes("claude.call"))
      expect(callLogs).toHaveLength(3)
      expect(callLogs[2]).toContain('"operation":"stream"')
      expect(callLogs[0]).toContain('"attempts":2')
      expect(callLogs[0]).toContain('"output_tokens"')
      expect(callLogs[1]).toContain('"error_tag":"InvalidRequestError"')
      // a success at Debug, a failure at Warning
      expect(callLogs.map((l) => JSON.parse(l).level)).toEqual(["DEBUG", "WARN", "DEBUG"])
      // prompts are not logged by default
      expect(callLogs.join("")).not.toContain("Tell me about resilience")

      const everything = JSON.stringify({ spans, logs })
      expect(everything).not.toContain(fake.apiKey)

      const latency = yield* Metric.value(Claude.metrics.latency)
      expect(latency.count).toBeGreaterThanOrEqual(2)
      const tagged = yield* Metric.value(
        Metric.tagged(Metric.tagged(Claude.metrics.calls, "outcome", "failure"), "error_tag", "InvalidRequestError")
      )
      expect(tagged.count).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("at Info (Effect's default level) a success logs nothing, a call's final failure one warning", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const logs: Array<{ readonly message: unknown; readonly level: string }> = []
      const logger = Logger.make(({ logLevel, message }) => {
        logs.push({ message, level: logLevel.label })
      })
      const quiet = <A, E, R>(self: Effect.Effect<A, E, R>) =>
        self.pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Info),
          RetryPolicy.withPolicy(fastRetry)
        )
      yield* quiet(claude.messages.create(ask()))
      expect(logs).toEqual([])
      yield* fake.enqueue(Fault.status(400))
      yield* quiet(Effect.flip(claude.messages.create(ask(), { retry: false })))
      expect(logs).toEqual([{ message: ["claude.call"], level: "WARN" }])
    }).pipe(Effect.provide(withFake({})))
  )
})
