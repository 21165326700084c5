/**
 * ContextWindow: valid cuts, the count bound, fits against FakeClaude over real HTTP, strategies,
 * auto-recovery and the overflow error.
 */
import Anthropic from "@anthropic-ai/sdk"
import { Claude } from "@claude-resilience/client"
import { ContextWindow } from "@claude-resilience/context-window"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc, Layer, Logger, Metric, pipe, Schedule, Stream } from "effect"
import {
  COUNT_PATH,
  claudeOverFake,
  conversationArb,
  lastUserIndex,
  layout,
  MESSAGES_PATH,
  MODEL,
  requestsOn,
  roleProblem,
  toolPairingProblem
} from "./helpers.js"

type Message = ContextWindow.MessageParam

const request = (messages: Array<Message>, max_tokens = 1_000): Claude.MessageCreateParams => ({
  model: MODEL,
  max_tokens,
  system: "You are a careful assistant.",
  messages
})

/** An in-memory Claude whose count_tokens is FakeClaude's documented estimate, counting calls. */
const countingClaude = () => {
  const state = { counts: 0 }
  const unsupported = () => Effect.die("not used")
  const service: Claude.Service = {
    messages: {
      create: unsupported,
      stream: () => Stream.die("not used"),
      countTokens: (params) =>
        Effect.sync(() => {
          state.counts++
          return { input_tokens: FakeClaude.estimateTokens(params) } as Claude.TokensCount
        })
    },
    request: unsupported,
    sdk: new Anthropic({ apiKey: "unused" }),
    retrySchedule: Schedule.stop
  }
  return { state, layer: Layer.succeed(Claude.Claude, service) }
}

/** The conversation kept by a cut. */
const keptBy = (messages: ReadonlyArray<Message>, pinned: number, c: number) => [
  ...messages.slice(0, pinned),
  ...messages.slice(c)
]

describe("cutPoints", () => {
  it("cuts only before user turns that do not answer a dropped tool_use", () => {
    const messages = layout(
      [
        { _tag: "text", user: 10, assistant: 10 },
        { _tag: "tools", user: 10, chain: [[10], [10, 10]] },
        { _tag: "text", user: 10, assistant: 10 }
      ],
      false,
      10
    )
    // 0 u, 1 a, 2 u, 3 a(tool_use), 4 u(result), 5 a(tool_use×2), 6 u(results), 7 a, 8 u, 9 a, 10 u
    expect(ContextWindow.cutPoints(messages).cuts).toEqual([0, 2, 8, 10])
  })

  it("extends a pin that ends inside a tool pair, and then cuts before assistant turns", () => {
    const messages = layout(
      [
        { _tag: "tools", user: 10, chain: [[10]] },
        { _tag: "text", user: 10, assistant: 10 }
      ],
      false,
      10
    )
    // 0 u, 1 a(tool_use), 2 u(result), 3 a, 4 u, 5 a, 6 u
    expect(ContextWindow.cutPoints(messages, 2)).toEqual({ pinned: 3, cuts: [3, 5] })
    expect(ContextWindow.cutPoints(messages, 1)).toEqual({ pinned: 1, cuts: [1, 3, 5] })
  })

  it("keeps the last user turn and the tool_use it answers", () => {
    const messages = layout([{ _tag: "text", user: 10, assistant: 10 }], true, 10)
    // 0 u, 1 a, 2 u, 3 a(tool_use), 4 u(result)
    expect(ContextWindow.cutPoints(messages).cuts).toEqual([0, 2])
  })

  it.prop(
    "every cut keeps a valid conversation with the pinned prefix and the last user turn",
    [conversationArb(12), fc.integer({ min: 0, max: 6 })],
    ([messages, pin]) => {
      const { cuts, pinned } = ContextWindow.cutPoints(messages, pin)
      expect(pinned).toBeGreaterThanOrEqual(Math.min(pin, messages.length))
      expect(cuts[0]).toBe(pinned)
      const last = lastUserIndex(messages)
      for (const c of cuts) {
        const kept = keptBy(messages, pinned, c)
        expect(roleProblem(kept)).toBeUndefined()
        expect(toolPairingProblem(kept)).toBeUndefined()
        expect(c <= last || c === pinned).toBe(true)
        expect(kept.at(-1)).toBe(messages.at(-1))
      }
    },
    { fastCheck: { numRuns: 300 } }
  )
})

describe("fit: the search (in memory)", () => {
  const estimators = {
    guided: true,
    bisect: false,
    // deliberately wrong: tool results look free, text looks 10× larger
    misleading: (m: Message) =>
      typeof m.content === "string" ? m.content.length * 3 : m.content.some((b) => b.type === "tool_result") ? 1 : 50
  } as const

  for (const [name, estimate] of Object.entries(estimators)) {
    it.effect.prop(
      `${name}: picks the first fitting cut in at most ⌈log2 n⌉ + 2 counts`,
      [conversationArb(40), fc.integer({ min: 200, max: 60_000 }), fc.integer({ min: 0, max: 3 })],
      ([messages, window, pin]) => {
        const { layer: claude, state } = countingClaude()
        const req = request(messages, 100)
        const headroom = 0
        return Effect.gen(function* () {
          const exit = yield* Effect.exit(ContextWindow.fit(req, { contextWindow: window, headroom, pin, estimate }))
          const budget = window - 100 - headroom
          expect(state.counts).toBeLessThanOrEqual(ContextWindow.maxCountCalls(messages.length))
          const { cuts, pinned } = ContextWindow.cutPoints(messages, pin)
          const countOf = (c: number) => FakeClaude.estimateTokens({ ...req, messages: keptBy(messages, pinned, c) })
          if (Exit.isSuccess(exit)) {
            const fitted = exit.value
            expect(fitted.inputTokens).toBeLessThanOrEqual(budget)
            expect(fitted.inputTokens).toBe(FakeClaude.estimateTokens(fitted.request))
            expect(fitted.countCalls).toBe(state.counts)
            const i = cuts.indexOf(pinned + fitted.droppedMessages)
            expect(i).toBeGreaterThanOrEqual(0)
            // minimal: the cut before it does not fit
            if (i > 0) expect(countOf(cuts[i - 1]!)).toBeGreaterThan(budget)
          } else {
            const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
            assert(error?._tag === "ContextOverflowError", `unexpected ${String(exit.cause)}`)
            expect(error.minimalInputTokens).toBe(countOf(cuts.at(-1)!))
            expect(error.minimalInputTokens).toBeGreaterThan(budget)
            expect(error.budget).toBe(budget)
          }
        }).pipe(Effect.provide(claude))
      },
      { fastCheck: { numRuns: 100 } }
    )
  }

  it.effect("a known count of the whole request saves the first count", () =>
    Effect.gen(function* () {
      const { layer: claude, state } = countingClaude()
      const messages = layout(
        Array.from({ length: 50 }, () => ({ _tag: "text" as const, user: 400, assistant: 400 })),
        false,
        10
      )
      const req = request(messages)
      const full = FakeClaude.estimateTokens(req)
      const fitted = yield* ContextWindow.fit(req, { contextWindow: 10_000, inputTokens: full }).pipe(
        Effect.provide(claude)
      )
      expect(fitted.originalInputTokens).toBe(full)
      expect(fitted.droppedMessages).toBeGreaterThan(0)
      // the local estimate is close to the count: the guided search lands in two probes
      expect(state.counts).toBeLessThanOrEqual(2)
    })
  )
})

layer(claudeOverFake({ seed: 3 }), { excludeTestServices: true })("fit against FakeClaude", (it) => {
  const counts = Effect.map(requestsOn(COUNT_PATH), (r) => r.length)

  for (const estimate of [true, false]) {
    it.effect.prop(
      `estimate ${estimate}: the fitted request fits, passes FakeClaude and the count bound`,
      [conversationArb(30), fc.integer({ min: 2_000, max: 40_000 }), fc.integer({ min: 0, max: 2 })],
      ([messages, window, pin]) =>
        Effect.gen(function* () {
          const claude = yield* Claude.Claude
          const before = yield* counts
          const req = request(messages, 500)
          const exit = yield* Effect.exit(ContextWindow.fit(req, { contextWindow: window, pin, estimate }))
          const calls = (yield* counts) - before
          expect(calls).toBeLessThanOrEqual(ContextWindow.maxCountCalls(messages.length))
          if (Exit.isFailure(exit)) {
            const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
            assert(error?._tag === "ContextOverflowError", `unexpected ${String(exit.cause)}`)
            expect(error.minimalInputTokens).toBeGreaterThan(error.budget)
            return
          }
          const fitted = exit.value
          expect(fitted.countCalls).toBe(calls)
          expect(fitted.inputTokens).toBeLessThanOrEqual(fitted.budget)
          expect(FakeClaude.estimateTokens(fitted.request)).toBe(fitted.inputTokens)
          const kept = fitted.request.messages
          expect(roleProblem(kept)).toBeUndefined()
          expect(toolPairingProblem(kept)).toBeUndefined()
          if (pin > 0) expect(kept[0]).toBe(messages[0])
          expect(kept.at(-1)).toBe(messages.at(-1))
          expect(fitted.request.system).toBe(req.system)
          // FakeClaude validates the request for real
          const reply = yield* claude.messages.create(fitted.request)
          expect(reply.usage.input_tokens).toBe(fitted.inputTokens)
        }),
      { fastCheck: { numRuns: 25 } }
    )
  }

  it.effect("fails with ContextOverflowError carrying the counts when the last turn alone is too long", () =>
    Effect.gen(function* () {
      const messages = layout([{ _tag: "text", user: 100, assistant: 100 }], false, 20_000)
      const error = yield* Effect.flip(ContextWindow.fit(request(messages, 1_000), { contextWindow: 4_000 }))
      assert(error._tag === "ContextOverflowError")
      expect(error.budget).toBe(4_000 - 1_000 - 80)
      expect(error.minimalInputTokens).toBe(FakeClaude.estimateTokens(request(messages.slice(2))))
      expect(error.inputTokens).toBe(FakeClaude.estimateTokens(request(messages)))
      expect(error.minimalMessages).toBe(1)
      expect(error.message).toContain("does not fit")
    })
  )

  it.effect("a request that fits is returned as is after one count", () =>
    Effect.gen(function* () {
      const before = yield* counts
      const req = request(layout([{ _tag: "text", user: 100, assistant: 100 }], false, 100))
      const fitted = yield* ContextWindow.fit(req)
      expect(fitted.request).toBe(req)
      expect(fitted.droppedMessages).toBe(0)
      expect((yield* counts) - before).toBe(1)
    })
  )

  it.effect("data-last form and a user-supplied strategy", () =>
    Effect.gen(function* () {
      const messages = layout(
        Array.from({ length: 20 }, () => ({ _tag: "text" as const, user: 800, assistant: 800 })),
        false,
        50
      )
      const note: ContextWindow.Strategy = {
        name: "note",
        reserve: 20,
        replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages removed]` })
      }
      const fitted = yield* pipe(
        request(messages),
        ContextWindow.fit({ contextWindow: 5_000 }),
        Effect.provide(ContextWindow.layerStrategy(note))
      )
      expect(fitted.strategy).toBe("note")
      const first = fitted.request.messages[0]!
      assert(typeof first.content !== "string")
      expect(first.content[0]).toEqual({ type: "text", text: `[${fitted.droppedMessages} earlier messages removed]` })
      expect(fitted.inputTokens).toBeLessThanOrEqual(fitted.budget)
      expect(FakeClaude.estimateTokens(fitted.request)).toBe(fitted.inputTokens)
    })
  )

  it.effect("summarize: one call to the cheaper model, its cost reported, the summary in the kept turn", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const messages = layout(
        Array.from({ length: 30 }, () => ({ _tag: "text" as const, user: 1_000, assistant: 1_000 })),
        false,
        50
      )
      const before = yield* requestsOn(MESSAGES_PATH)
      const fitted = yield* ContextWindow.fit(request(messages), { contextWindow: 8_000, pin: 1 }).pipe(
        Effect.provide(ContextWindow.layerSummarize({ model: "claude-haiku-4-5", maxTokens: 300 }))
      )
      const calls = (yield* requestsOn(MESSAGES_PATH)).slice(before.length)
      expect(calls.length).toBe(1)
      expect((calls[0]!.body as { model: string }).model).toBe("claude-haiku-4-5")
      const replacement = fitted.replacement
      assert(replacement !== undefined)
      expect(replacement.model).toBe("claude-haiku-4-5")
      expect(replacement.usage?.outputTokens).toBeGreaterThan(0)
      expect(replacement.costUsd).toBeCloseTo(
        (replacement.usage!.inputTokens * 1 + replacement.usage!.outputTokens * 5) / 1_000_000,
        12
      )
      // pinned task (user) is followed by an assistant turn: the summary goes into the pinned turn
      const kept = fitted.request.messages
      expect(roleProblem(kept)).toBeUndefined()
      expect(JSON.stringify(kept[0])).toContain("<summary of")
      expect(fitted.inputTokens).toBeLessThanOrEqual(fitted.budget)
      yield* claude.messages.create(fitted.request)
    })
  )
})

describe("auto-recovery against FakeClaude", () => {
  const WINDOW = 6_000
  const long = layout(
    Array.from({ length: 40 }, (_, i) =>
      i % 4 === 1
        ? { _tag: "tools" as const, user: 200, chain: [[600]] }
        : { _tag: "text" as const, user: 500, assistant: 500 }
    ),
    false,
    100
  )

  const metricValue = (kind: string) =>
    Effect.map(Metric.value(Metric.tagged(ContextWindow.metrics.recoveries, "kind", kind)), (s) => s.count)

  it.live("layerAutoFit turns the 400 into a success with exactly one extra request, and says so", () => {
    const lines: Array<string> = []
    const logger = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ message, annotations }) => {
        lines.push(`${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
      })
    )
    const events: Array<ContextWindow.Recovery> = []
    return Effect.gen(function* () {
      const metricBefore = yield* metricValue("fit")
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(request(long, 500))
      const sent = yield* requestsOn(MESSAGES_PATH)
      expect(sent.map((r) => r.outcome)).toEqual([400, 200])
      const recoveries = ContextWindow.recoveriesOf(message)
      expect(recoveries.length).toBe(1)
      const recovery = recoveries[0]!
      assert(recovery._tag === "Fitted")
      expect(recovery.maximum).toBe(WINDOW)
      expect(recovery.promptTokens).toBe(FakeClaude.estimateTokens(request(long, 500)))
      // N from the error spared the first count
      expect((yield* requestsOn(COUNT_PATH)).length).toBe(recovery.countCalls)
      expect(recovery.countCalls).toBeLessThanOrEqual(ContextWindow.maxCountCalls(long.length) - 1)
      const body = sent[1]!.body as Claude.MessageCreateParams
      expect(toolPairingProblem(body.messages)).toBeUndefined()
      expect(events).toEqual(recoveries)
      expect((yield* metricValue("fit")) - metricBefore).toBe(1)
      expect(lines.some((l) => l.startsWith("context_window.recovered") && l.includes('"kind":"fit"'))).toBe(true)
    }).pipe(
      Effect.provide(
        ContextWindow.layerAutoFit({ onRecovery: (r) => Effect.sync(() => events.push(r)) }).pipe(
          Layer.provideMerge(claudeOverFake({ contextWindow: WINDOW }))
        )
      ),
      Effect.provide(logger)
    )
  })

  it.live("without auto-recovery the same request fails with the parsed 400", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(claude.messages.create(request(long, 500)))
      assert(error._tag === "InvalidRequestError")
      expect(error.promptTooLong?.maxTokens).toBe(WINDOW)
    }).pipe(Effect.provide(claudeOverFake({ contextWindow: WINDOW })))
  )

  it.live("streams are recovered before their first event", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const events = yield* Stream.runCollect(claude.messages.stream(request(long, 500)))
      expect([...events].at(-1)?.type).toBe("message_stop")
      expect((yield* requestsOn(MESSAGES_PATH)).map((r) => r.outcome)).toEqual([400, 200])
    }).pipe(
      Effect.provide(ContextWindow.layerAutoFit().pipe(Layer.provideMerge(claudeOverFake({ contextWindow: WINDOW }))))
    )
  )

  it.live("createWithRecovery returns the recoveries, and the overflow when nothing fits", () =>
    Effect.gen(function* () {
      const ok = yield* ContextWindow.createWithRecovery(request(long, 500))
      expect(ok.recoveries.map((r) => r._tag)).toEqual(["Fitted"])
      const hopeless = layout([{ _tag: "text", user: 100, assistant: 100 }], false, 30_000)
      const error = yield* Effect.flip(ContextWindow.createWithRecovery(request(hopeless, 500)))
      expect(error._tag).toBe("ContextOverflowError")
    }).pipe(Effect.provide(claudeOverFake({ contextWindow: WINDOW })))
  )

  it.live("the layer surfaces the original 400 when nothing fits", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const hopeless = layout([{ _tag: "text", user: 100, assistant: 100 }], false, 30_000)
      const error = yield* Effect.flip(claude.messages.create(request(hopeless, 500)))
      assert(error._tag === "InvalidRequestError")
      expect(error.promptTooLong).toBeDefined()
    }).pipe(
      Effect.provide(ContextWindow.layerAutoFit().pipe(Layer.provideMerge(claudeOverFake({ contextWindow: WINDOW }))))
    )
  )

  it.live("clamps an over-limit max_tokens and retries once", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(
        Fault.status(400, {
          message: `max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for ${MODEL}`
        })
      )
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(request([{ role: "user", content: "hi" }], 100_000))
      const sent = yield* requestsOn(MESSAGES_PATH)
      expect(sent.map((r) => (r.body as { max_tokens: number }).max_tokens)).toEqual([100_000, 64_000])
      expect(ContextWindow.recoveriesOf(message)).toEqual([
        { _tag: "Clamped", model: MODEL, from: 100_000, to: 64_000, maximum: 64_000 }
      ])
    }).pipe(Effect.provide(ContextWindow.layerAutoFit().pipe(Layer.provideMerge(claudeOverFake()))))
  )

  it.live("input + max_tokens over the window: clamps to what is left", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(
        Fault.status(400, {
          message:
            "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"
        })
      )
      const { message, recoveries } = yield* ContextWindow.createWithRecovery(
        request([{ role: "user", content: "hi" }], 21_333)
      )
      expect(message.role).toBe("assistant")
      expect(recoveries).toEqual([{ _tag: "Clamped", model: MODEL, from: 21_333, to: 11_760, maximum: 200_000 }])
    }).pipe(Effect.provide(claudeOverFake()))
  )

  it.live("other errors pass through untouched", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(400, { message: "messages: text content blocks must be non-empty" }))
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(claude.messages.create(request([{ role: "user", content: "hi" }])))
      expect(error).toBeInstanceOf(ClaudeError.InvalidRequestError)
      expect((yield* requestsOn(MESSAGES_PATH)).length).toBe(1)
    }).pipe(Effect.provide(ContextWindow.layerAutoFit().pipe(Layer.provideMerge(claudeOverFake()))))
  )
})

describe("model table", () => {
  it("knows windows, dated ids, the 1M option and overrides", () => {
    expect(ContextWindow.contextWindowOf("claude-sonnet-4-5-20250929")).toBe(200_000)
    expect(ContextWindow.contextWindowOf("claude-sonnet-4-6", { longContext: true })).toBe(1_000_000)
    expect(ContextWindow.contextWindowOf("claude-haiku-4-5", { longContext: true })).toBe(200_000)
    expect(ContextWindow.contextWindowOf("some-new-model")).toBe(ContextWindow.defaultContextWindow)
    expect(ContextWindow.contextWindowOf("mine-7b", { models: { "mine-": { contextWindow: 32_000 } } })).toBe(32_000)
    expect(ContextWindow.contextWindowOf("claude-sonnet-4-5", { contextWindow: 50_000 })).toBe(50_000)
    expect(ContextWindow.modelInfo("claude-opus-4-1-20250805")?.maxOutputTokens).toBe(32_000)
    expect(ContextWindow.longContextHeaders["anthropic-beta"]).toBe("context-1m-2025-08-07")
  })

  it("bounds and costs", () => {
    expect(ContextWindow.maxCountCalls(1)).toBe(2)
    expect(ContextWindow.maxCountCalls(1_000)).toBe(12)
    expect(ContextWindow.costOf("claude-haiku-4-5", { inputTokens: 2_000_000, outputTokens: 1_000_000 })).toBe(7)
    expect(ContextWindow.costOf("unknown", { inputTokens: 1, outputTokens: 1 })).toBeUndefined()
  })
})
