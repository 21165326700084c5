/** The client's metrics, and the tagged counters they are updated through. */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

export const metrics = {
  /** Calls by `outcome` (success / failure) and `error_tag`. */
  calls: Metric.counter("claude_calls_total", { description: "Claude API calls by outcome and error tag" }),
  /** HTTP attempts sent (first tries and retries). */
  attempts: Metric.counter("claude_attempts_total", { description: "HTTP attempts sent to the Claude API" }),
  /** Retries (attempts after the first). */
  retries: Metric.counter("claude_call_retries_total", { description: "Retries of Claude API calls" }),
  /** Call latency including retries, in milliseconds. */
  latency: Metric.histogram(
    "claude_call_duration_ms",
    MetricBoundaries.exponential({ start: 5, factor: 2, count: 16 }),
    "Claude API call duration including retries (ms)"
  ),
  inputTokens: Metric.counter("claude_tokens_input_total", { description: "Input tokens reported by the API" }),
  outputTokens: Metric.counter("claude_tokens_output_total", { description: "Output tokens reported by the API" }),
  /** Calls that failed with a 402 `billing_error`: alert on it (never retried). */
  billingErrors: Metric.counter("claude_billing_errors_total", {
    description: "Claude API calls that failed with 402 billing_error",
    incremental: true
  })
}

// Tagged metrics are looked up by their labels on every update: build each one once.
const callCounters = new Map<string, Metric.Metric.Counter<number>>()

/** `claude_calls_total` tagged with `outcome` and `error_tag`. */
export const callCounter = (outcome: "success" | "failure", tag: string): Metric.Metric.Counter<number> => {
  const id = `${outcome}:${tag}`
  let counter = callCounters.get(id)
  if (counter === undefined) {
    counter = Metric.tagged(Metric.tagged(metrics.calls, "outcome", outcome), "error_tag", tag)
    callCounters.set(id, counter)
  }
  return counter
}
