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

/**
 * Effect's metric registry keeps every label set it has seen for the life of the process: the
 * first {@link MAX_METRIC_KEYS} limit keys get a `key` label of their own, any later one is
 * counted under {@link OTHER_KEY} (an API key per tenant must not grow the registry without bound).
 *
 * @internal
 */
export const MAX_METRIC_KEYS = 1_000
/** @internal */
export const OTHER_KEY = "_other"

const build = (key: string): KeyMetrics => {
  const byKey = [MetricLabel.make("key", key)]
  const admitted = [...byKey, MetricLabel.make("outcome", "admitted")]
  const rejected = [...byKey, MetricLabel.make("outcome", "rejected")]
  const buckets = {
    requests: [...byKey, MetricLabel.make("bucket", "requests")],
    inputTokens: [...byKey, MetricLabel.make("bucket", "inputTokens")],
    outputTokens: [...byKey, MetricLabel.make("bucket", "outputTokens")]
  }
  return {
    waited: (millis) => metrics.waited.unsafeUpdate(millis, byKey),
    depth: (waiting) => metrics.queueDepth.unsafeUpdate(waiting, byKey),
    admitted: () => metrics.admissions.unsafeUpdate(1, admitted),
    rejected: () => metrics.admissions.unsafeUpdate(1, rejected),
    rateLimited: () => metrics.rateLimited.unsafeUpdate(1, byKey),
    limit: (bucket, value) => metrics.limit.unsafeUpdate(value, buckets[bucket])
  }
}

let other: KeyMetrics | undefined

/** @internal */
export const keyMetrics = (key: string): KeyMetrics => {
  const found = cache.get(key)
  if (found !== undefined) return found
  if (cache.size >= MAX_METRIC_KEYS) {
    other ??= build(OTHER_KEY)
    return other
  }
  const made = build(key)
  cache.set(key, made)
  return made
}
