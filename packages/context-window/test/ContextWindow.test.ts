/**
 * ContextWindow: valid cuts, the count bound, fits against FakeClaude over real HTTP, the overflow
 * error, and where the window comes from.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import Anthropic from "@anthropic-ai/sdk"
import { type Content, Model } from "@claude-resilience/api"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ContextWindow } from "@claude-resilience/context-window"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Layer, Logger, Redacted, Schedule, Stream } from "effect"
import {
  answeringClaude,
  COUNT_PATH,
  claudeOverFake,
  conversationArb,
  lastUserIndex,
  layout,
  MODEL,
  request,
  requestsOn,
  roleProblem,
  toolPairingProblem
} from "./helpers.js"

type Message = Content.MessageParam

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
})

describe("window and bounds", () => {
  it.effect("fit reads the window from the api's model table unless contextWindow is given", () =>
    Effect.gen(function* () {
      const { layer: claude } = countingClaude()
      const req = request([{ role: "user", content: "hi" }])
      const windowOf = (r: Claude.MessageCreateParams, options?: ContextWindow.FitOptions) =>
        Effect.map(ContextWindow.fit(r, options), (fitted) => fitted.contextWindow).pipe(Effect.provide(claude))
      expect(yield* windowOf(req)).toBe(Model.contextWindow(MODEL))
      expect(yield* windowOf({ ...req, model: "claude-haiku-4-5-20251001" })).toBe(200_000)
      expect(yield* windowOf({ ...req, model: "some-new-model" })).toBe(Model.defaultContextWindow)
      expect(yield* windowOf(req, { contextWindow: 50_000 })).toBe(50_000)
    })
  )

  it("bounds", () => {
    expect(ContextWindow.maxCountCalls(1)).toBe(2)
    expect(ContextWindow.maxCountCalls(1_000)).toBe(12)
  })
})

describe("fit: inputs and count replies of any shape", () => {
  /** A server on loopback that answers every request with a 200 and `body`. */
  const rawServer = (body: string) =>
    Effect.acquireRelease(
      Effect.async<{ readonly url: string; readonly server: http.Server }>((resume) => {
        const server = http.createServer((req, res) => {
          req.resume()
          req.on("end", () => {
            res.writeHead(200, { "content-type": "application/json", "request-id": "req_raw" })
            res.end(body)
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo
          resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server }))
        })
      }),
      ({ server }) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )

  it.live('a count_tokens reply {"input_tokens":"lots"} over real HTTP is a typed failure naming it', () =>
    Effect.gen(function* () {
      const { url } = yield* rawServer('{"input_tokens":"lots"}')
      const claude = Claude.layerWithoutDependencies({ apiKey: Redacted.make("sk-ant-test"), baseURL: url }).pipe(
        Layer.provide(RetryPolicy.layer(Schedule.stop)),
        Layer.provide(CircuitBreaker.layer({})),
        // no log lines in the test output
        Layer.merge(Logger.remove(Logger.defaultLogger))
      )
      const exit = yield* Effect.exit(ContextWindow.fit(request([{ role: "user", content: "hi" }]))).pipe(
        Effect.provide(claude)
      )
      assert(Exit.isFailure(exit))
      expect(Cause.isDie(exit.cause)).toBe(false)
      const error = Cause.squash(exit.cause)
      assert(ClaudeError.isClaudeError(error), String(error))
      expect(error.message).toContain("input_tokens")
    }).pipe(Effect.scoped)
  )

  it.effect("count replies that are not a non-negative integer fail with a protocol ConnectionError", () =>
    Effect.gen(function* () {
      const messages = layout([{ _tag: "text", user: 100, assistant: 100 }], false, 100)
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ input_tokens: "lots" }, "input_tokens: expected a non-negative integer, found a string"],
        [{ input_tokens: -1000 }, "found the number -1000"],
        [{ input_tokens: 1.5 }, "found the number 1.5"],
        [{ input_tokens: Number.NaN }, "found NaN"],
        [{}, "found nothing"],
        [null, "malformed count_tokens reply: expected an object, found null"]
      ]
      for (const [reply, expected] of cases) {
        const { layer: claude } = answeringClaude({ count: () => reply })
        const error = yield* Effect.flip(ContextWindow.fit(request(messages))).pipe(Effect.provide(claude))
        assert(error._tag === "ConnectionError", error._tag)
        expect(error.reason).toBe("protocol")
        expect(error.message).toContain(expected)
      }
    })
  )

  it.effect("a request fit cannot read fails with MalformedRequestError before any count", () =>
    Effect.gen(function* () {
      const { layer: claude, state } = answeringClaude({})
      const good = request([{ role: "user", content: "hi" }])
      const cases: ReadonlyArray<readonly [unknown, ContextWindow.FitOptions, string]> = [
        [{ ...good, messages: [null] }, {}, "messages.0: expected a message (an object), found null"],
        [{ ...good, messages: "hi" }, {}, "messages: expected an array, found a string"],
        [
          { ...good, messages: [{ role: "system", content: "x" }] },
          {},
          'messages.0.role: expected "user" or "assistant"'
        ],
        [
          { ...good, messages: [{ role: "user", content: 3 }] },
          {},
          "messages.0.content: expected a string or an array"
        ],
        [{ ...good, messages: [{ role: "user", content: [{ type: "text" }] }] }, {}, "messages.0.content.0.text"],
        [{ ...good, model: 7 }, {}, "model: expected a string, found the number 7"],
        [{ ...good, max_tokens: "many" }, {}, "max_tokens: expected a non-negative integer, found a string"],
        [good, { headroom: Number.NaN }, "options.headroom: expected a non-negative number, found NaN"],
        [good, { contextWindow: 0 }, "options.contextWindow: expected a positive number"],
        [good, { inputTokens: -1 }, "options.inputTokens"]
      ]
      for (const [req, options, expected] of cases) {
        const error = yield* Effect.flip(ContextWindow.fit(req as Claude.MessageCreateParams, options)).pipe(
          Effect.provide(claude)
        )
        assert(error._tag === "MalformedRequestError", error._tag)
        expect(error.message).toContain(expected)
      }
      // data-last, and a request without messages given with options
      const dataLast = yield* Effect.flip(
        ContextWindow.fit({ pin: 1 })({ ...good, messages: [null] } as unknown as Claude.MessageCreateParams)
      ).pipe(Effect.provide(claude))
      expect(dataLast._tag).toBe("MalformedRequestError")
      const noMessages = yield* Effect.flip(ContextWindow.fit(null as unknown as Claude.MessageCreateParams, {})).pipe(
        Effect.provide(claude)
      )
      expect(noMessages._tag).toBe("MalformedRequestError")
      expect(state.counts).toBe(0)
    })
  )

  it.prop(
    "cutPoints reads anything without throwing: increasing cuts within the conversation",
    [fc.anything(), fc.anything()],
    ([messages, pin]) => {
      const { cuts, pinned } = ContextWindow.cutPoints(messages as Array<Message>, pin as number)
      const n = Array.isArray(messages) ? messages.length : 0
      expect(cuts[0]).toBe(pinned)
      expect(pinned).toBeGreaterThanOrEqual(0)
      expect(pinned).toBeLessThanOrEqual(n)
      for (let i = 1; i < cuts.length; i++) expect(cuts[i]!).toBeGreaterThan(cuts[i - 1]!)
    }
  )

  const anyCount = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) }, // the honest estimate
    { weight: 1, arbitrary: fc.anything() },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 2, arbitrary: fc.record({ input_tokens: fc.oneof(fc.anything(), fc.integer(), fc.double()) }) }
  )

  it.effect.prop(
    "counts answering arbitrary JSON end in a fit, an overflow or a protocol error, never a defect",
    [conversationArb(20), fc.array(anyCount, { maxLength: 16 }), fc.integer({ min: 500, max: 30_000 })],
    ([messages, answers, window]) =>
      Effect.gen(function* () {
        const { layer: claude } = answeringClaude({
          count: (params, i) => {
            const answer = answers[i]
            return answer === undefined ? { input_tokens: FakeClaude.estimateTokens(params) } : answer
          }
        })
        const exit = yield* Effect.exit(ContextWindow.fit(request(messages, 100), { contextWindow: window })).pipe(
          Effect.provide(claude)
        )
        if (Exit.isSuccess(exit)) {
          expect(Number.isSafeInteger(exit.value.inputTokens) && exit.value.inputTokens >= 0).toBe(true)
          expect(exit.value.inputTokens).toBeLessThanOrEqual(exit.value.budget)
          return
        }
        expect(Cause.isDie(exit.cause)).toBe(false)
        const error = Cause.squash(exit.cause)
        assert(
          error instanceof ContextWindow.ContextOverflowError ||
            (error instanceof ClaudeError.ConnectionError && error.reason === "protocol"),
          String(error)
        )
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "requests of any shape end in a fit or a typed failure, never a defect",
    [fc.oneof(fc.anything(), conversationArb(6), fc.array(fc.oneof(fc.anything(), fc.jsonValue()), { maxLength: 5 }))],
    ([messages]) =>
      Effect.gen(function* () {
        const { layer: claude } = answeringClaude({})
        const exit = yield* Effect.exit(
          ContextWindow.fit(request(messages as Array<Message>, 100), { contextWindow: 2_000 })
        ).pipe(Effect.provide(claude))
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          const tag = (Cause.squash(exit.cause) as { _tag?: string })._tag
          expect(["MalformedRequestError", "ContextOverflowError"]).toContain(tag)
        }
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
