/**
 * The client's metrics, and the tagged counters they are updated through. Counters are
 * `incremental` (OpenTelemetry sees monotonic sums).
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"

/** `claude_calls_total`'s key: the tagged series below are built on it. */
const callsKey = MetricKey.counter("claude_calls_total", {
  description: "Claude API calls by outcome and error tag",
  incremental: true
})

export const metrics = {
  /** Calls by `outcome` (success / failure) and `error_tag`. */
  calls: Metric.fromMetricKey(callsKey),
  /** HTTP attempts sent (first tries and retries). */
  attempts: Metric.counter("claude_attempts_total", {
    description: "HTTP attempts sent to the Claude API",
    incremental: true
  }),
  /** Retries (attempts after the first). */
  retries: Metric.counter("claude_call_retries_total", {
    description: "Retries of Claude API calls",
    incremental: true
  }),
  /** Call latency including retries, in milliseconds. */
  latency: Metric.histogram(
    "claude_call_duration_ms",
    MetricBoundaries.exponential({ start: 5, factor: 2, count: 16 }),
    "Claude API call duration including retries (ms)"
  ),
  inputTokens: Metric.counter("claude_tokens_input_total", {
    description: "Input tokens reported by the API",
    incremental: true
  }),
  outputTokens: Metric.counter("claude_tokens_output_total", {
    description: "Output tokens reported by the API",
    incremental: true
  }),
  /** Calls that failed with a 402 `billing_error`: alert on it (never retried). */
  billingErrors: Metric.counter("claude_billing_errors_total", {
    description: "Claude API calls that failed with 402 billing_error",
    incremental: true
  })
}

// `Metric.tagged` looks its series up by its labels on every update (a new label array, a new key
// hashed into the registry). A metric made from the tagged KEY caches its series after the first
// update: each series is built once, here, and updated directly. It is the same series that
// `Metric.tagged(Metric.tagged(metrics.calls, "outcome", o), "error_tag", t)` reads.
const callCounters = new Map<string, Metric.Metric.Counter<number>>()

/** `claude_calls_total` tagged with `outcome` and `error_tag`. */
export const callCounter = (outcome: "success" | "failure", tag: string): Metric.Metric.Counter<number> => {
  const id = `${outcome}:${tag}`
  let counter = callCounters.get(id)
  if (counter === undefined) {
    counter = Metric.fromMetricKey(
      MetricKey.taggedWithLabels(callsKey, [MetricLabel.make("outcome", outcome), MetricLabel.make("error_tag", tag)])
    )
    callCounters.set(id, counter)
  }
  return counter
}

/** The series of successful calls, the one updated on the hot path. */
export const successCounter: Metric.Metric.Counter<number> = callCounter("success", "none")
