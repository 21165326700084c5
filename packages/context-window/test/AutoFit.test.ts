/**
 * AutoFit: recovering from "prompt is too long" and an over-limit max_tokens, against FakeClaude's
 * real 400s over HTTP.
 */
import { Claude } from "@claude-resilience/client"
import { AutoFit, ContextWindow } from "@claude-resilience/context-window"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Metric, Stream } from "effect"
import {
  answeringClaude,
  COUNT_PATH,
  claudeOverFake,
  layout,
  MESSAGES_PATH,
  MODEL,
  request,
  requestsOn,
  toolPairingProblem
} from "./helpers.js"

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

  it.live("AutoFit.layer turns the 400 into a success with exactly one extra request, and says so", () => {
    const lines: Array<string> = []
    const logger = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ message, annotations }) => {
        lines.push(`${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
      })
    )
    const events: Array<AutoFit.Recovery> = []
    return Effect.gen(function* () {
      const metricBefore = yield* metricValue("fit")
      const claude = yield* Claude.Claude
      const message = yield* claude.messages.create(request(long, 500))
      const sent = yield* requestsOn(MESSAGES_PATH)
      expect(sent.map((r) => r.outcome)).toEqual([400, 200])
      const recoveries = AutoFit.recoveriesOf(message)
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
        AutoFit.layer({ onRecovery: (r) => Effect.sync(() => events.push(r)) }).pipe(
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
    }).pipe(Effect.provide(AutoFit.layer().pipe(Layer.provideMerge(claudeOverFake({ contextWindow: WINDOW })))))
  )

  it.live("AutoFit.create returns the recoveries, and the overflow when nothing fits", () =>
    Effect.gen(function* () {
      const ok = yield* AutoFit.create(request(long, 500))
      expect(ok.recoveries.map((r) => r._tag)).toEqual(["Fitted"])
      const hopeless = layout([{ _tag: "text", user: 100, assistant: 100 }], false, 30_000)
      const error = yield* Effect.flip(AutoFit.create(request(hopeless, 500)))
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
    }).pipe(Effect.provide(AutoFit.layer().pipe(Layer.provideMerge(claudeOverFake({ contextWindow: WINDOW })))))
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
      expect(AutoFit.recoveriesOf(message)).toEqual([
        { _tag: "Clamped", model: MODEL, from: 100_000, to: 64_000, maximum: 64_000 }
      ])
    }).pipe(Effect.provide(AutoFit.layer().pipe(Layer.provideMerge(claudeOverFake()))))
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
      const { message, recoveries } = yield* AutoFit.create(request([{ role: "user", content: "hi" }], 21_333))
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
    }).pipe(Effect.provide(AutoFit.layer().pipe(Layer.provideMerge(claudeOverFake()))))
  )
})

describe("auto-recovery: inputs of any shape", () => {
  const tooLong = new ClaudeError.InvalidRequestError({
    message: "prompt is too long: 250000 tokens > 200000 maximum",
    status: 400,
    promptTooLong: { promptTokens: 250_000, maxTokens: 200_000 }
  })
  const long = layout(
    Array.from({ length: 10 }, () => ({ _tag: "text" as const, user: 500, assistant: 500 })),
    false,
    100
  )

  it.effect("a count reply that is not a count: create fails with it, the layer answers the original 400", () =>
    Effect.gen(function* () {
      const { state, layer: base } = answeringClaude({ count: () => ({ input_tokens: "lots" }) })
      const failing = Layer.effect(
        Claude.Claude,
        Effect.map(Claude.Claude, (claude) => ({
          ...claude,
          messages: { ...claude.messages, create: () => Effect.fail(tooLong) }
        }))
      ).pipe(Layer.provide(base))
      const created = yield* Effect.flip(AutoFit.create(request(long, 500), { contextWindow: 3_000 })).pipe(
        Effect.provide(failing)
      )
      assert(created._tag === "ConnectionError", created._tag)
      expect(created.reason).toBe("protocol")
      expect(created.message).toContain("input_tokens")
      const wrapped = yield* Effect.flip(
        Effect.flatMap(Claude.Claude, (claude) => claude.messages.create(request(long, 500)))
      ).pipe(Effect.provide(AutoFit.layer({ contextWindow: 3_000 }).pipe(Layer.provide(failing))))
      expect(wrapped).toBe(tooLong)
      expect(state.counts).toBeGreaterThan(0)
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
  )

  it("recoveriesOf reads anything", () => {
    for (const message of [null, undefined, 42, "text", {}, { content: [] }]) {
      expect(AutoFit.recoveriesOf(message as unknown as Claude.Message)).toEqual([])
    }
  })
})
