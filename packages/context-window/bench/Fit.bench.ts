/**
 * Count calls and wall time to fit conversations of 10, 100 and 1,000 turns into a window that holds
 * about half of each, against FakeClaude over real HTTP: `ContextWindow.fit` (estimate-guided and
 * pure bisection) versus the source article's `truncate_to_fit` loop (count, drop the oldest pair,
 * count again). On the real API each count is a network round trip, so the count column is what
 * matters there; loopback wall time only shows the client-side cost.
 *
 * Run: `pnpm vitest bench --run --project context-window`
 */
import type { Content } from "@claude-resilience/api"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ContextWindow } from "@claude-resilience/context-window"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, ManagedRuntime, Redacted, Schedule } from "effect"
import { afterAll, bench, describe } from "vitest"

const MODEL = "claude-sonnet-4-6"
type Message = Content.MessageParam

const layer = Layer.unwrapEffect(
  Effect.map(FakeClaude.FakeClaude, (fake) =>
    Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
      Layer.provide(RetryPolicy.layer(Schedule.stop)),
      Layer.provide(CircuitBreaker.layer({}))
    )
  )
).pipe(Layer.provideMerge(FakeClaude.layer({ contextWindow: 10_000_000, maxRecords: 20 })))
const runtime = ManagedRuntime.make(Layer.merge(layer, Logger.minimumLogLevel(LogLevel.None)))
afterAll(() => runtime.dispose())

/** `turns` exchanges; every fifth one is a tool round. */
const conversation = (turns: number): Array<Message> => {
  const messages: Array<Message> = []
  for (let t = 0; t < turns; t++) {
    messages.push({ role: "user", content: `question ${t} ${"x".repeat(300 + ((t * 37) % 500))}` })
    if (t % 5 === 4) {
      const id = `toolu_${t}`
      messages.push({ role: "assistant", content: [{ type: "tool_use", id, name: "lookup", input: { t } }] })
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "r".repeat(1_200) }] })
    }
    messages.push({ role: "assistant", content: `answer ${t} ${"y".repeat(200 + ((t * 53) % 700))}` })
  }
  messages.push({ role: "user", content: "and now?" })
  return messages
}

const cases = [10, 100, 1_000].map((turns) => {
  const messages = conversation(turns)
  const request = { model: MODEL, max_tokens: 1_000, messages }
  const full = FakeClaude.estimateTokens(request)
  // a window holding about half of the conversation (plus max_tokens and 2% headroom)
  const contextWindow = Math.ceil((full / 2 + 1_000) / 0.98)
  return { turns, messages, request, contextWindow, budget: contextWindow - 1_000 - Math.ceil(contextWindow * 0.02) }
})

/**
 * The article's loop, transcribed: count, drop the oldest two messages, repeat. When a cut separates a
 * tool_result from its tool_use the API (and FakeClaude) rejects the count with a 400; the loop counts
 * that call, notes it, and goes on dropping, so the count column stays comparable.
 */
const articleLoop = (messages: Array<Message>, budget: number) =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    let kept = messages
    let calls = 0
    let rejected = 0
    let fits = false
    while (kept.length > 1) {
      const count = yield* Effect.either(claude.messages.countTokens({ model: MODEL, messages: kept }))
      calls++
      if (count._tag === "Left") rejected++
      else if (count.right.input_tokens <= budget) {
        fits = true
        break
      }
      kept = kept.length >= 2 ? kept.slice(2) : kept.slice(1)
    }
    return { calls, rejected, fits }
  })

const rows: Array<Record<string, string | number>> = []
for (const c of cases) {
  for (const estimate of [true, false]) {
    const started = performance.now()
    const fitted = await runtime.runPromise(ContextWindow.fit(c.request, { contextWindow: c.contextWindow, estimate }))
    rows.push({
      turns: c.turns,
      messages: c.messages.length,
      method: estimate ? "fit (guided)" : "fit (bisect)",
      countCalls: fitted.countCalls,
      bound: ContextWindow.maxCountCalls(c.messages.length),
      ms: Math.round(performance.now() - started),
      rejectedCounts: 0
    })
  }
  const started = performance.now()
  const loop = await runtime.runPromise(articleLoop(c.messages, c.budget))
  rows.push({
    turns: c.turns,
    messages: c.messages.length,
    method: "article loop",
    countCalls: loop.calls,
    bound: "-",
    ms: Math.round(performance.now() - started),
    rejectedCounts: loop.rejected
  })
}
console.table(rows)

for (const c of cases) {
  describe(`fit ${c.turns} turns (${c.messages.length} messages)`, () => {
    // the article's loop on 1,000 turns makes ~600 counts of a ~1 MB body: keep its samples few
    const options =
      c.turns >= 1_000
        ? { iterations: 2, time: 0, warmupIterations: 0 }
        : { iterations: 5, time: 0, warmupIterations: 1 }
    const slow = c.turns >= 1_000 ? { iterations: 1, time: 0, warmupIterations: 0 } : options
    bench(
      "ContextWindow.fit (guided)",
      () => runtime.runPromise(Effect.asVoid(ContextWindow.fit(c.request, { contextWindow: c.contextWindow }))),
      options
    )
    bench(
      "ContextWindow.fit (bisect)",
      () =>
        runtime.runPromise(
          Effect.asVoid(ContextWindow.fit(c.request, { contextWindow: c.contextWindow, estimate: false }))
        ),
      options
    )
    bench(
      "article truncate_to_fit loop",
      () => runtime.runPromise(Effect.asVoid(articleLoop(c.messages, c.budget))),
      slow
    )
  })
}
