/**
 * End to end: the real `@anthropic-ai/sdk` against FakeClaude over loopback HTTP, through the
 * breaker, across an outage window (real time, about 2 s).
 */
import Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Layer, Logger } from "effect"

const model = "claude-sonnet-4-6"
const threshold = 3
const probes = 1
const openMillis = 250
const outage = { from: 0, to: 1_200 }

describe("CircuitBreaker end to end", () => {
  it.live("during an outage the server sees at most threshold + probes requests; afterwards calls succeed", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const breaker = yield* CircuitBreaker.CircuitBreaker
      const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 })
      const call = Effect.tryPromise({
        try: (signal) =>
          client.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "ping" }] }, { signal }),
        catch: (e) => e
      }).pipe(Effect.catchAll((e) => Effect.flatMap(ClaudeError.fromUnknown(e), Effect.fail)))

      const start = yield* Clock.currentTimeMillis
      const outcomes: Array<{ readonly at: number; readonly outcome: string }> = []
      // a client calling every 10 ms for 2 s, and on until six calls were made well after the outage
      // (a loaded machine stretches the 10 ms; the assertions below count calls, not milliseconds)
      const settled = outage.to + openMillis + 200
      const after = () => outcomes.filter((o) => o.at > settled).length
      while (
        (yield* Clock.currentTimeMillis) - start < 2_000 ||
        (after() < 6 && (yield* Clock.currentTimeMillis) - start < 10_000)
      ) {
        const exit = yield* Effect.exit(breaker.execute(model, call))
        const outcome = Exit.isSuccess(exit)
          ? "ok"
          : Exit.isFailure(exit) && exit.cause._tag === "Fail"
            ? exit.cause.error._tag
            : "defect"
        outcomes.push({ at: (yield* Clock.currentTimeMillis) - start, outcome })
        yield* Effect.sleep("10 millis")
      }

      const requests = yield* fake.requests
      const duringOutage = requests.filter((r) => r.faultSource === "outage")
      const openings = Math.ceil((outage.to - outage.from) / openMillis)
      assert.isAtLeast(duringOutage.length, threshold)
      assert.isAtMost(duringOutage.length, threshold + openings * probes)
      assert.isTrue(
        duringOutage.every((r) => r.outcome === 503),
        "every outage request was answered 503"
      )
      // every call made while the outage lasted either reached the server (at most the requests
      // counted above) or was rejected by the breaker without touching the network
      const rejected = outcomes.filter((o) => o.outcome === "CircuitOpenError").length
      const inOutage = outcomes.filter((o) => o.at < outage.to).length
      assert.isAbove(rejected, 0, "the breaker rejected calls without touching the network")
      assert.isAtLeast(rejected, inOutage - duringOutage.length - probes, JSON.stringify({ inOutage, rejected }))
      assert.strictEqual(outcomes.filter((o) => o.outcome === "defect").length, 0)

      // after the outage: the circuit closed again and the last calls all succeeded
      assert.strictEqual((yield* breaker.state(model))._tag, "Closed")
      const tail = outcomes.filter((o) => o.at > settled)
      assert.isAbove(tail.length, 5)
      assert.isTrue(
        tail.every((o) => o.outcome === "ok"),
        JSON.stringify(tail.filter((o) => o.outcome !== "ok"))
      )
    }).pipe(
      Effect.provide(
        Layer.merge(
          FakeClaude.layer({ outages: [{ from: outage.from, to: outage.to, status: 503 }] }),
          CircuitBreaker.layer({
            trip: CircuitBreaker.consecutiveFailures(threshold),
            openDuration: openMillis,
            halfOpenMaxProbes: probes
          })
        )
      ),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    )
  )
})
