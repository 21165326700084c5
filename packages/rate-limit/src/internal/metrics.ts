import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
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
  readonly waited: (millis: number) => void
  readonly depth: (waiting: number) => void
  readonly admitted: () => void
  readonly rejected: () => void
  readonly rateLimited: () => void
  readonly limit: (bucket: BucketName, value: number) => void
}

// A metric finds its registry entry through a cache keyed by the identity of its labels array:
// give every update of a key the same arrays, built once, and an update is a map hit and an add
// (`Metric.tagged` would build a new array and hash the key on every update).
const cache = new Map<string, KeyMetrics>()

/** @internal */
export const keyMetrics = (key: string): KeyMetrics => {
  let found = cache.get(key)
  if (found === undefined) {
    if (cache.size >= 10_000) cache.clear()
    const byKey = [MetricLabel.make("key", key)]
    const admitted = [...byKey, MetricLabel.make("outcome", "admitted")]
    const rejected = [...byKey, MetricLabel.make("outcome", "rejected")]
    const buckets = {
      requests: [...byKey, MetricLabel.make("bucket", "requests")],
      inputTokens: [...byKey, MetricLabel.make("bucket", "inputTokens")],
      outputTokens: [...byKey, MetricLabel.make("bucket", "outputTokens")]
    }
    found = {
      waited: (millis) => metrics.waited.unsafeUpdate(millis, byKey),
      depth: (waiting) => metrics.queueDepth.unsafeUpdate(waiting, byKey),
      admitted: () => metrics.admissions.unsafeUpdate(1, admitted),
      rejected: () => metrics.admissions.unsafeUpdate(1, rejected),
      rateLimited: () => metrics.rateLimited.unsafeUpdate(1, byKey),
      limit: (bucket, value) => metrics.limit.unsafeUpdate(value, buckets[bucket])
    }
    cache.set(key, found)
  }
  return found
}
