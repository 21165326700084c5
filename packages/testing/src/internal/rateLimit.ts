/**
 * Token buckets per API key, refilled continuously over a (scaled) minute.
 *
 * Time here is "fake" milliseconds since server start (real elapsed × clock scale). Anything sent to a
 * client (reset timestamps, retry-after) is converted back to real time, so a client that honours the
 * headers waits exactly as long as the scaled server needs.
 *
 * @internal
 */
import type { ApiErrorSpec } from "./apiError.js"

/** @internal */
export interface RateLimits {
  readonly requestsPerMinute?: number | undefined
  readonly inputTokensPerMinute?: number | undefined
  readonly outputTokensPerMinute?: number | undefined
}

/** @internal */
export type LimitName = "requests" | "input-tokens" | "output-tokens"

interface Bucket {
  readonly name: LimitName
  readonly capacity: number
  level: number
  updated: number
}

/** @internal */
export interface Admission {
  readonly admitted: boolean
  /** the exhausted limit when not admitted */
  readonly limit?: LimitName
  /** real milliseconds until the request would be admitted */
  readonly retryAfterMs?: number
}

const MINUTE = 60_000

/** @internal */
export class RateLimiter {
  private readonly keys = new Map<string, ReadonlyArray<Bucket>>()

  constructor(
    readonly limits: RateLimits,
    /** fake ms since start */
    private readonly fakeNow: () => number,
    /** real epoch ms */
    private readonly realEpochNow: () => number,
    private readonly scale: number
  ) {}

  get enabled(): boolean {
    return (
      this.limits.requestsPerMinute !== undefined ||
      this.limits.inputTokensPerMinute !== undefined ||
      this.limits.outputTokensPerMinute !== undefined
    )
  }

  reset(): void {
    this.keys.clear()
  }

  private buckets(key: string): ReadonlyArray<Bucket> {
    let buckets = this.keys.get(key)
    if (buckets === undefined) {
      const now = this.fakeNow()
      const make = (name: LimitName, capacity: number | undefined): Array<Bucket> =>
        capacity === undefined ? [] : [{ name, capacity, level: capacity, updated: now }]
      buckets = [
        ...make("requests", this.limits.requestsPerMinute),
        ...make("input-tokens", this.limits.inputTokensPerMinute),
        ...make("output-tokens", this.limits.outputTokensPerMinute)
      ]
      this.keys.set(key, buckets)
    }
    const now = this.fakeNow()
    for (const bucket of buckets) {
      bucket.level = Math.min(bucket.capacity, bucket.level + ((now - bucket.updated) * bucket.capacity) / MINUTE)
      bucket.updated = now
    }
    return buckets
  }

  /**
   * Admit a request needing `inputTokens` and producing `outputTokens`, or tell how long to wait.
   * Output tokens are charged in full on admission (the completion is deterministic, so the server knows
   * them); the output bucket may go into debt, later requests wait until it is positive again.
   */
  admit(key: string, inputTokens: number, outputTokens: number): Admission {
    const buckets = this.buckets(key)
    const need = (bucket: Bucket): number => {
      switch (bucket.name) {
        case "requests":
          return 1
        case "input-tokens":
          return Math.min(inputTokens, bucket.capacity)
        case "output-tokens":
          return 1
      }
    }
    let worst: { bucket: Bucket; waitFakeMs: number } | undefined
    for (const bucket of buckets) {
      const deficit = need(bucket) - bucket.level
      if (deficit > 0) {
        const waitFakeMs = (deficit * MINUTE) / bucket.capacity
        if (worst === undefined || waitFakeMs > worst.waitFakeMs) worst = { bucket, waitFakeMs }
      }
    }
    if (worst !== undefined) {
      return { admitted: false, limit: worst.bucket.name, retryAfterMs: worst.waitFakeMs / this.scale }
    }
    for (const bucket of buckets) {
      bucket.level -=
        bucket.name === "requests" ? 1 : bucket.name === "input-tokens" ? inputTokens : Math.max(outputTokens, 0)
    }
    return { admitted: true }
  }

  /** The `anthropic-ratelimit-*` headers for the key's current state. */
  headers(key: string): Record<string, string> {
    if (!this.enabled) return {}
    const buckets = this.buckets(key)
    const out: Record<string, string> = {}
    const realNow = this.realEpochNow()
    const write = (prefix: string, bucket: Bucket) => {
      const toFullRealMs = ((bucket.capacity - bucket.level) * MINUTE) / bucket.capacity / this.scale
      out[`anthropic-ratelimit-${prefix}-limit`] = String(bucket.capacity)
      out[`anthropic-ratelimit-${prefix}-remaining`] = String(Math.max(0, Math.floor(bucket.level)))
      out[`anthropic-ratelimit-${prefix}-reset`] = toRfc3339(realNow + toFullRealMs)
    }
    let tokens: Bucket | undefined
    for (const bucket of buckets) {
      write(bucket.name, bucket)
      if (bucket.name !== "requests" && (tokens === undefined || bucket.level < tokens.level)) tokens = bucket
    }
    if (tokens !== undefined) write("tokens", tokens)
    return out
  }
}

/** The API's 429 for a refused admission, with `retry-after` in whole real seconds (at least 1). @internal */
export const rejection = (
  limits: RateLimits,
  admission: Admission
): { readonly limit: LimitName; readonly error: ApiErrorSpec; readonly retryAfter: string } => {
  const limit = admission.limit ?? "requests"
  const value =
    limit === "requests"
      ? limits.requestsPerMinute
      : limit === "input-tokens"
        ? limits.inputTokensPerMinute
        : limits.outputTokensPerMinute
  const unit = limit === "requests" ? "requests" : limit.replace("-", " ")
  return {
    limit,
    error: {
      status: 429,
      type: "rate_limit_error",
      message: `This request would exceed your organization's rate limit of ${value} ${unit} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`
    },
    retryAfter: String(Math.max(1, Math.ceil((admission.retryAfterMs ?? 0) / 1000)))
  }
}

/** RFC 3339 in UTC, rounded up to the second like the API's headers. @internal */
export const toRfc3339 = (epochMs: number): string =>
  new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z")
