import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type { BucketName } from "../QuotaStore.js"

/** @internal */
export const metrics = {
  waited: Metric.histogram(
    "claude_quota_wait_ms",
    MetricBoundaries.exponential({ start: 1, factor: 2, count: 18 }),
    "Time an admitted attempt waited for the rate limiter (ms)"
  ),
  queueDepth: Metric.gauge("claude_quota_queue_depth", {
    description: "Attempts waiting for the rate limiter, per limit key"
  }),
  limit: Metric.gauge("claude_quota_limit", {
    description: "Rate limits learned from anthropic-ratelimit-* headers, per limit key and bucket"
  }),
  admissions: Metric.counter("claude_quota_admissions_total", {
    description: "Attempts admitted or rejected by the rate limiter"
  }),
  rateLimited: Metric.counter("claude_quota_rate_limited_total", {
    description: "429 answers seen by the rate limiter"
  })
}

/** @internal */
export interface KeyMetrics {
  readonly waited: Metric.Metric.Histogram<number>
  readonly depth: Metric.Metric.Gauge<number>
  readonly admitted: Metric.Metric.Counter<number>
  readonly rejected: Metric.Metric.Counter<number>
  readonly rateLimited: Metric.Metric.Counter<number>
  readonly limits: { readonly [K in BucketName]: Metric.Metric.Gauge<number> }
}

// Tagged metrics are looked up in the registry by their labels on every update: build them once
// per key, so an admission updates pre-tagged metrics synchronously.
const cache = new Map<string, KeyMetrics>()

/** @internal */
export const keyMetrics = (key: string): KeyMetrics => {
  let found = cache.get(key)
  if (found === undefined) {
    if (cache.size >= 10_000) cache.clear()
    const limit = Metric.tagged(metrics.limit, "key", key)
    const admissions = Metric.tagged(metrics.admissions, "key", key)
    found = {
      waited: Metric.tagged(metrics.waited, "key", key),
      depth: Metric.tagged(metrics.queueDepth, "key", key),
      admitted: Metric.tagged(admissions, "outcome", "admitted"),
      rejected: Metric.tagged(admissions, "outcome", "rejected"),
      rateLimited: Metric.tagged(metrics.rateLimited, "key", key),
      limits: {
        requests: Metric.tagged(limit, "bucket", "requests"),
        inputTokens: Metric.tagged(limit, "bucket", "inputTokens"),
        outputTokens: Metric.tagged(limit, "bucket", "outputTokens")
      }
    }
    cache.set(key, found)
  }
  return found
}
