/**
 * Metrics and traces leave the process through `@effect/opentelemetry` into a real OpenTelemetry SDK:
 * calls over real HTTP to FakeClaude, then the exported spans (an `InMemorySpanExporter`) and metrics
 * (a `MetricReader` collected on demand) are read back with their values.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { NodeSdk } from "@effect/opentelemetry"
import { expect, it } from "@effect/vitest"
import { DataPointType, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Logger, LogLevel, Redacted, Stream } from "effect"

const MODEL = "claude-sonnet-4-6"
const ask = (content: string) => ({ model: MODEL, max_tokens: 256, messages: [{ role: "user" as const, content }] })

/** A reader that exports only when the test collects. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A counter's exported value for one set of attributes (0 when absent). */
const sumOf = (metrics: ResourceMetrics, name: string, attributes: Record<string, string> = {}): number => {
  let total = 0
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name || metric.dataPointType !== DataPointType.SUM) continue
      for (const point of metric.dataPoints) {
        if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) total += point.value as number
      }
    }
  }
  return total
}

/** A histogram's exported count (0 when absent). */
const countOf = (metrics: ResourceMetrics, name: string): number => {
  let total = 0
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name || metric.dataPointType !== DataPointType.HISTOGRAM) continue
      for (const point of metric.dataPoints) total += (point.value as { count: number }).count
    }
  }
  return total
}

const collect = (reader: MetricReader) =>
  Effect.promise(() => reader.collect()).pipe(
    Effect.tap(({ errors }) => Effect.sync(() => expect(errors).toEqual([]))),
    Effect.map(({ resourceMetrics }) => resourceMetrics)
  )

const spans = new InMemorySpanExporter()
const reader = new OnDemandReader()

const Otel = NodeSdk.layer(() => ({
  resource: { serviceName: "otel-test" },
  spanProcessor: new SimpleSpanProcessor(spans),
  metricReader: reader
}))

/** The default policy, its 529 backoff shortened for a real-time test. */
const ClaudeOnFake = Layer.unwrapEffect(
  Effect.map(FakeClaude.FakeClaude, (fake) =>
    Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
      Layer.provide(RetryPolicy.layer({ tags: { OverloadedError: { base: "10 millis", cap: "50 millis" } } })),
      Layer.provide(CircuitBreaker.layer())
    )
  )
)

const TestLayer = ClaudeOnFake.pipe(
  Layer.provideMerge(FakeClaude.layer({ seed: 3 })),
  Layer.provideMerge(Otel),
  Layer.provide(Logger.minimumLogLevel(LogLevel.None))
)

const claudeSpans = (): ReadonlyArray<ReadableSpan> =>
  spans.getFinishedSpans().filter((s) => s.name.startsWith("claude."))

it.live("calls, retries, tokens and spans reach the OpenTelemetry SDK with their values", () =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.FakeClaude
    const claude = yield* Claude.Claude
    const before = yield* collect(reader)

    // one create that meets a 529 and succeeds on its retry
    yield* fake.enqueue(Fault.status(529, { retryAfter: "0" }))
    const created = yield* claude.messages.create(ask("Tell me about resilience"))
    // one stream that succeeds
    const events = yield* Stream.runCollect(claude.messages.stream(ask("Stream me a story")))
    const streamedStart = [...events].find((e) => e.type === "message_start")
    const streamedDelta = [...events].find((e) => e.type === "message_delta")
    // one create that fails for good: an unknown model (404, not retried)
    const failed = yield* Effect.either(claude.messages.create({ ...ask("Hi"), model: "claude-unknown-9" }))
    expect(failed._tag).toBe("Left")

    const after = yield* collect(reader)
    const delta = (name: string, attributes?: Record<string, string>) =>
      sumOf(after, name, attributes) - sumOf(before, name, attributes)

    // calls by outcome, under their tags
    expect(delta("claude_calls_total", { outcome: "success", error_tag: "none" })).toBe(2)
    expect(delta("claude_calls_total", { outcome: "failure", error_tag: "NotFoundError" })).toBe(1)
    expect(delta("claude_calls_total")).toBe(3)
    // attempts sent, and the retry of the 529 as the client and the retry policy count it
    expect(delta("claude_attempts_total")).toBe(4)
    expect(delta("claude_call_retries_total")).toBe(1)
    expect(delta("claude_retries_total", { tag: "OverloadedError" })).toBe(1)
    expect(delta("claude_retry_give_ups_total", { tag: "NotFoundError", reason: "not-retryable" })).toBe(1)
    // tokens: what the two successful answers reported
    const input =
      created.usage.input_tokens +
      (streamedStart?.type === "message_start" ? streamedStart.message.usage.input_tokens : 0)
    const output =
      created.usage.output_tokens + (streamedDelta?.type === "message_delta" ? streamedDelta.usage.output_tokens : 0)
    expect(input).toBeGreaterThan(0)
    expect(delta("claude_tokens_input_total")).toBe(input)
    expect(delta("claude_tokens_output_total")).toBe(output)
    // latency: one observation per call
    expect(countOf(after, "claude_call_duration_ms") - countOf(before, "claude_call_duration_ms")).toBe(3)

    // spans: one per call, one per attempt under it
    const finished = claudeSpans()
    const calls = finished.filter((s) => s.name.startsWith("claude.messages."))
    expect(calls.map((s) => s.name).sort()).toEqual([
      "claude.messages.create",
      "claude.messages.create",
      "claude.messages.stream"
    ])
    const first = calls.find((s) => s.attributes["gen_ai.response.id"] === created.id)
    expect(first?.attributes).toMatchObject({
      "gen_ai.system": "anthropic",
      "gen_ai.operation.name": "create",
      "gen_ai.request.model": MODEL,
      "gen_ai.request.max_tokens": 256,
      "gen_ai.usage.input_tokens": created.usage.input_tokens,
      "gen_ai.usage.output_tokens": created.usage.output_tokens
    })
    // @effect/opentelemetry 0.64 exports a non-primitive attribute as its JSON text
    const reasons = first?.attributes["gen_ai.response.finish_reasons"]
    expect(typeof reasons === "string" ? JSON.parse(reasons) : reasons).toEqual([created.stop_reason])
    const attempts = finished.filter((s) => s.name === "claude.attempt")
    const underFirst = attempts.filter((s) => s.parentSpanContext?.spanId === first?.spanContext().spanId)
    expect(underFirst).toHaveLength(2)
    expect(underFirst.map((s) => s.attributes["error.type"]).filter((t) => t !== undefined)).toEqual([
      "OverloadedError"
    ])
    const notFound = calls.find((s) => s.attributes["error.type"] === "NotFoundError")
    expect(notFound?.attributes["gen_ai.request.model"]).toBe("claude-unknown-9")
    // the key never leaves in a span
    const everything = JSON.stringify(finished.map((s) => s.attributes))
    expect(everything).not.toContain(fake.apiKey)
  }).pipe(Effect.provide(TestLayer))
)
