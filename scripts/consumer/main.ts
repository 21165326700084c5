// The consumer test's program (scripts/consumer-test.mjs), written as a user would against the
// installed packages: the Claude client with a retry policy, a create and a resumed stream against
// FakeClaude started from the installed testing package, a failure in the typed channel, and the
// client's metrics read back. It prints one JSON line, which the script asserts on.
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, Metric, MetricState, Redacted } from "effect"

// The client against the fake, with the default retry policy (two backoffs shortened to keep the test fast).
const fast = { base: "10 millis", cap: "100 millis" } as const
const TestLayer = FakeClaude.layerWith({ seed: 1 }, (fake) =>
  Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
    Layer.provide(RetryPolicy.layer({ tags: { OverloadedError: fast, ConnectionError: fast } })),
    Layer.provide(CircuitBreaker.layer())
  )
)

const ask = (content: string) => ({
  model: "claude-haiku-4-5",
  max_tokens: 512,
  messages: [{ role: "user" as const, content }]
})

// Every series of the client's metrics, as "name{tags}" → value.
const clientMetrics = Effect.map(Metric.snapshot, (pairs) => {
  const out: Record<string, number> = {}
  for (const { metricKey, metricState } of pairs) {
    if (!metricKey.name.startsWith("claude_")) continue
    const tags = metricKey.tags.map((t) => `${t.key}=${t.value}`).join(",")
    const name = tags.length > 0 ? `${metricKey.name}{${tags}}` : metricKey.name
    if (MetricState.isCounterState(metricState)) out[name] = Number(metricState.count)
    else if (MetricState.isHistogramState(metricState)) out[`${name}.count`] = metricState.count
  }
  return out
})

const program = Effect.gen(function* () {
  const fake = yield* FakeClaude.FakeClaude
  const claude = yield* Claude.Claude

  // a create whose first attempt is overloaded: the retry answers
  yield* fake.enqueue(Fault.status(529))
  const message = yield* claude.messages.create(ask("Tell me about resilience"))

  // a stream cut after 6 events: resumed where it stopped, every character once
  yield* fake.enqueue(Fault.cutStream(6))
  const final = yield* ResumableStream.finalMessage(ask("Stream me a story"))

  // a failure in the typed channel
  const failure: ClaudeError.ClaudeError = yield* Effect.flip(
    claude.messages.create({ ...ask("Hi"), model: "claude-no-such-model" })
  )

  const successes = yield* Metric.value(
    Claude.metrics.calls.pipe(Metric.tagged("outcome", "success"), Metric.tagged("error_tag", "none"))
  )
  return {
    created: { stopReason: message.stop_reason, outputTokens: message.usage.output_tokens },
    streamed: {
      stopReason: final.message.stop_reason,
      resumptions: final.resumptions.length,
      exact: final.text === FakeClaude.completionText(ask("Stream me a story"), fake.seed)
    },
    failure: failure._tag,
    successes: successes.count,
    metrics: yield* clientMetrics,
    requests: (yield* fake.requests).map((r) => String(r.outcome))
  }
})

program.pipe(Effect.provide(TestLayer), Effect.provide(Logger.minimumLogLevel(LogLevel.Error)), Effect.runPromise).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
