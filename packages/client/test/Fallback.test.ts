/**
 * Fallback plans: the leave rules in virtual time with ScriptedClaude, and the outage story against
 * FakeClaude with the real SDK over HTTP (a model down, every call on the next, back when the
 * breaker's half-open probe succeeds).
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, Fallback, ScriptedClaude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import {
  Effect,
  ExecutionPlan,
  Exit,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Metric,
  MetricState,
  Redacted,
  Schedule,
  Stream,
  TestClock,
  Tracer
} from "effect"

const A = "claude-sonnet-5-5"
const B = "claude-haiku-4-5"

const ask = (text = "Tell me about fallbacks", model = A) => ({
  model,
  max_tokens: 256,
  messages: [{ role: "user" as const, content: text }]
})

const overloaded = () => new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })

/** The models of the scripted calls, in order. */
const modelsCalled = Effect.map(
  Effect.flatMap(ScriptedClaude.ScriptedClaude, (scripted) => scripted.calls),
  (calls) => calls.map((c) => (c.params as { readonly model: string }).model)
)

/** Runs `self` to its end, advancing virtual time in steps while it waits. */
const settle = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(self)
    for (let i = 0; i < 20; i++) yield* TestClock.adjust("10 seconds")
    return yield* Fiber.join(fiber)
  })

/** `claude_fallbacks_total` for one from → to, any reason. */
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

describe("Fallback.create (ScriptedClaude, virtual time)", () => {
  const plan = Fallback.make([A, B])

  it.effect("an overloaded model is left at once: the next model answers, with no wait", () =>
    Effect.gen(function* () {
      const before = yield* fallbacksCounted(A, B)
      // no clock adjustment: a retry's wait on A would never end
      const result = yield* Fallback.create(plan, ask())
      expect(result.model).toBe(B)
      expect(result.fallbacks).toBe(1)
      expect(result.message.content[0]).toMatchObject({ text: "from B" })
      expect(result.steps.map((s) => [s.model, s.outcome, s.attempts])).toEqual([
        [A, "failed", 1],
        [B, "answered", 1]
      ])
      expect(result.steps[0]?.error?._tag).toBe("OverloadedError")
      expect(yield* modelsCalled).toEqual([A, B])
      expect((yield* fallbacksCounted(A, B)) - before).toBe(1)
      // usage and cost per model: only B's reply reported tokens
      expect(result.models.map((m) => [m.model, m.attempts, m.outputTokens > 0])).toEqual([
        [A, 1, false],
        [B, 1, true]
      ])
      expect(result.cost).toBeGreaterThan(0)
    }).pipe(Effect.provide(ScriptedClaude.layer([ScriptedClaude.fail(overloaded()), ScriptedClaude.reply("from B")])))
  )

  it.effect("a step whose attempts end in a retryable error is left (exhausted retries)", () =>
    Effect.gen(function* () {
      const result = yield* settle(Fallback.create(Fallback.make([{ model: A, attempts: 2 }, B]), ask()))
      expect(result.model).toBe(B)
      expect(result.steps.map((s) => [s.model, s.attempts])).toEqual([
        [A, 2],
        [B, 1]
      ])
      expect(yield* modelsCalled).toEqual([A, A, B])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(new ClaudeError.ApiError({ message: "Internal", status: 500 })),
          ScriptedClaude.fail(new ClaudeError.ApiError({ message: "Internal", status: 500 })),
          ScriptedClaude.reply("from B")
        ])
      )
    )
  )

  it.effect("an error no rule names (a 400) fails the call on its first model", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Fallback.create(plan, ask()))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("InvalidRequestError")
      expect(yield* modelsCalled).toEqual([A])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(new ClaudeError.InvalidRequestError({ message: "bad", status: 400 }))
        ])
      )
    )
  )

  it.effect("leaveOn replaces the rules: without OverloadedError the step retries its overload", () =>
    Effect.gen(function* () {
      const result = yield* settle(Fallback.create(Fallback.make([A, B], { leaveOn: ["CircuitOpenError"] }), ask()))
      expect(result.model).toBe(A)
      expect(result.steps).toHaveLength(1)
      expect(yield* modelsCalled).toEqual([A, A])
    }).pipe(Effect.provide(ScriptedClaude.layer([ScriptedClaude.fail(overloaded()), ScriptedClaude.reply("A again")])))
  )

  it.effect("a refusal (RefusalError) leaves the step and is billed to its model; the last step's fails the call", () =>
    Effect.gen(function* () {
      const first = yield* Fallback.create(plan, ask())
      expect(first.model).toBe(B)
      expect(first.steps.map((s) => [s.outcome, s.error?._tag])).toEqual([
        ["refused", "RefusalError"],
        ["answered", undefined]
      ])
      expect(first.models[0]?.outputTokens).toBeGreaterThan(0)
      const last = yield* Effect.flip(Fallback.create(plan, ask("again")))
      expect(last._tag).toBe("RefusalError")
      expect(yield* modelsCalled).toEqual([A, B, A, B])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.reply(ScriptedClaude.message("I can't help with that.", { stopReason: "refusal" })),
          ScriptedClaude.reply("from B"),
          ScriptedClaude.reply(ScriptedClaude.message("No.", { stopReason: "refusal" })),
          ScriptedClaude.reply(ScriptedClaude.message("No either.", { stopReason: "refusal" }))
        ])
      )
    )
  )

  it.effect(
    "with refusals returned (stopReasons.refusal: return), the stop reason leaves the step; the last one is the answer",
    () =>
      Effect.gen(function* () {
        const returned = { stopReasons: { refusal: "return" as const } }
        const first = yield* Fallback.create(plan, ask(), returned)
        expect(first.model).toBe(B)
        expect(first.steps.map((s) => s.outcome)).toEqual(["refused", "answered"])
        const last = yield* Fallback.create(plan, ask("again"), returned)
        expect(last.message.stop_reason).toBe("refusal")
        expect(last.steps.map((s) => s.outcome)).toEqual(["refused", "refused"])
        expect(yield* modelsCalled).toEqual([A, B, A, B])
      }).pipe(
        Effect.provide(
          ScriptedClaude.layer([
            ScriptedClaude.reply(ScriptedClaude.message("I can't help with that.", { stopReason: "refusal" })),
            ScriptedClaude.reply("from B"),
            ScriptedClaude.reply(ScriptedClaude.message("No.", { stopReason: "refusal" })),
            ScriptedClaude.reply(ScriptedClaude.message("No either.", { stopReason: "refusal" }))
          ])
        )
      )
  )

  it.effect("the last step waits out an overload as any call does", () =>
    Effect.gen(function* () {
      const result = yield* settle(Fallback.create(plan, ask()))
      expect(result.model).toBe(B)
      expect(result.steps.map((s) => [s.model, s.attempts])).toEqual([
        [A, 1],
        [B, 2]
      ])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(overloaded()),
          ScriptedClaude.fail(overloaded()),
          ScriptedClaude.reply("B, second try")
        ])
      )
    )
  )

  it.effect("an open circuit leaves the step without a request", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.CircuitBreaker
      yield* breaker.isolate(A)
      const result = yield* Fallback.create(plan, ask())
      expect(result.steps[0]).toMatchObject({ model: A, outcome: "failed", attempts: 1 })
      expect(result.steps[0]?.error?._tag).toBe("CircuitOpenError")
      expect(yield* modelsCalled).toEqual([B])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layerWithoutDependencies([ScriptedClaude.reply("from B")]).pipe(
          Layer.provide(RetryPolicy.layer()),
          Layer.provideMerge(CircuitBreaker.layer())
        )
      )
    )
  )

  it.effect("each step's request names its model and max_tokens within its caps", () =>
    Effect.gen(function* () {
      const result = yield* Fallback.create(Fallback.make([A, { model: B }, { model: B, maxTokens: 1_000 }]), {
        ...ask(),
        max_tokens: 100_000
      })
      expect(result.model).toBe(B)
      const calls = yield* Effect.flatMap(ScriptedClaude.ScriptedClaude, (s) => s.calls)
      expect(calls.map((c) => (c.params as { readonly max_tokens: number }).max_tokens)).toEqual([
        100_000, 64_000, 1_000
      ])
    }).pipe(
      Effect.provide(
        ScriptedClaude.layer([
          ScriptedClaude.fail(overloaded()),
          ScriptedClaude.fail(overloaded()),
          ScriptedClaude.reply("capped")
        ])
      )
    )
  )

  it.effect("toExecutionPlan: an effect of your own through the plan's steps", () =>
    Effect.gen(function* () {
      const answer = yield* Effect.gen(function* () {
        const { step } = yield* Fallback.CurrentStep
        const claude = yield* Claude.Claude
        return yield* claude.messages.create(Fallback.paramsFor(step, ask()), { retry: false })
      }).pipe(Effect.withExecutionPlan(Fallback.toExecutionPlan(plan)))
      expect(answer.content[0]).toMatchObject({ text: "mine" })
      expect(yield* modelsCalled).toEqual([A, B])
      expect(ExecutionPlan.isExecutionPlan(Fallback.toExecutionPlan(plan))).toBe(true)
    }).pipe(Effect.provide(ScriptedClaude.layer([ScriptedClaude.fail(overloaded()), ScriptedClaude.reply("mine")])))
  )

  it.effect("a span records the path and the model that answered", () =>
    Effect.gen(function* () {
      const base = yield* Effect.tracer
      const recorded: Array<Tracer.Span> = []
      const tracer = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          recorded.push(span)
          return span
        },
        context: base.context
      })
      yield* Fallback.create(plan, ask()).pipe(Effect.withTracer(tracer))
      const span = recorded.find((s) => s.name === "claude.fallback")
      expect(Object.fromEntries(span?.attributes ?? [])).toMatchObject({
        "claude.fallback.answered_by": B,
        "claude.fallback.count": 1,
        "claude.fallback.path": `${A} > ${B}`
      })
    }).pipe(Effect.provide(ScriptedClaude.layer([ScriptedClaude.fail(overloaded()), ScriptedClaude.reply("from B")])))
  )
})

/** Claude with a breaker (3 failures open a circuit for 30 s), no retries, against FakeClaude. */
const fakeClaude = (options: FakeClaude.Options = {}) =>
  FakeClaude.layerWith(options, (fake) =>
    Claude.layer({
      apiKey: Redacted.make(fake.apiKey),
      baseURL: fake.url,
      retryPolicy: Schedule.stop,
      circuitBreaker: { trip: CircuitBreaker.consecutiveFailures(3), openDuration: "30 seconds" }
    })
  ).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))

/** The models of the server's records from `from` on, and the outcome of each. */
const served = (from: number) =>
  Effect.map(
    Effect.flatMap(FakeClaude.FakeClaude, (fake) => fake.requests),
    (records) => records.slice(from).map((r) => `${(r.body as { readonly model: string }).model}:${String(r.outcome)}`)
  )

describe("Fallback.layer against FakeClaude (real SDK over HTTP)", () => {
  it.effect(
    "during an outage of A every call succeeds on B; when A recovers, the half-open probe brings calls back",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const claude = yield* Claude.Claude
        yield* fake.setModelOutage(A, true)
        // the outage: A answers 529 until its circuit opens, then is not asked at all
        for (let i = 0; i < 8; i++) {
          const message = yield* claude.messages.create(ask(`during ${i}`))
          expect(message.model).toBe(B)
        }
        expect(yield* served(0)).toEqual([
          `${A}:529`,
          `${B}:200`,
          `${A}:529`,
          `${B}:200`,
          `${A}:529`,
          `${B}:200`,
          ...Array(5).fill(`${B}:200`)
        ])
        // A is back, but its circuit is still open: calls stay on B
        yield* fake.setModelOutage(A, false)
        expect((yield* claude.messages.create(ask("still open"))).model).toBe(B)
        expect(yield* served(11)).toEqual([`${B}:200`])
        // once the open duration has passed, one probe goes to A; it succeeds and A has the calls again
        yield* TestClock.adjust("30 seconds")
        for (let i = 0; i < 3; i++) expect((yield* claude.messages.create(ask(`after ${i}`))).model).toBe(A)
        expect(yield* served(12)).toEqual([`${A}:200`, `${A}:200`, `${A}:200`])
      }).pipe(Effect.provide(Fallback.layer(Fallback.make([A, B])).pipe(Layer.provideMerge(fakeClaude()))))
  )

  it.effect("a stream falls back before its first event; the step's client may use another key", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.setModelOutage(A, { status: 503 })
      const events = yield* Stream.runCollect(claude.messages.stream(ask("stream me")))
      const text = [...events]
        .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
        .join("")
      expect(text).toBe(FakeClaude.completionText(ask("stream me"), 0))
      const records = yield* fake.requests
      expect(records.map((r) => [(r.body as { readonly model: string }).model, r.outcome, r.keyIndex])).toEqual([
        [A, 503, 0],
        [B, 200, 1]
      ])
    }).pipe(
      Effect.provide(
        Layer.unwrapEffect(
          Effect.map(FakeClaude.FakeClaude, (fake) =>
            Fallback.layer(
              Fallback.make([
                A,
                {
                  model: B,
                  claude: Claude.layer({
                    apiKey: Redacted.make("sk-ant-backup"),
                    baseURL: fake.url,
                    retryPolicy: Schedule.stop
                  })
                }
              ])
            )
          )
        ).pipe(Layer.provideMerge(fakeClaude({ extraApiKeys: ["sk-ant-backup"] })))
      )
    )
  )
})
