/**
 * Helpers of the rate-limit tests: callers that keep a `Claude` busy until a deadline, and what a
 * FakeClaude served measured against its limits.
 */
import { Claude } from "@claude-resilience/client"
import type { FakeClaude } from "@claude-resilience/testing"
import { Clock, Effect, Stream } from "effect"

export const model = "claude-haiku-4-5"

/** What a FakeClaude enforces in the rate-limit tests: a minute lasts a second; output binds first. */
export const limits = { requestsPerMinute: 100, inputTokensPerMinute: 3_000, outputTokensPerMinute: 8_000 }
export const clockScale = 60
/** The limiter's configuration for that server: the limits known up front, the scaled window. */
export const rateLimit = {
  limits: {
    requestsPerMinute: limits.requestsPerMinute,
    inputTokensPerMinute: limits.inputTokensPerMinute,
    outputTokensPerMinute: limits.outputTokensPerMinute,
    window: "1 second"
  }
} as const

export interface Outcome {
  readonly ok: number
  readonly failures: Readonly<Record<string, number>>
}

/**
 * `callers` callers, each making one call after another until `durationMs` have passed: 30 %
 * streams, every answer (about 225 tokens) far shorter than its `max_tokens` (1,024).
 */
export const saturate = (options: {
  readonly callers: number
  readonly durationMs: number
  readonly name?: string
}): Effect.Effect<Outcome, never, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const deadline = (yield* Clock.currentTimeMillis) + options.durationMs
    const failures: Record<string, number> = {}
    let ok = 0
    let next = 0
    const one = Effect.suspend(() => {
      const n = next++
      const params = {
        model,
        max_tokens: 1_024,
        messages: [{ role: "user" as const, content: `${options.name ?? "question"} ${n}` }]
      }
      return n % 10 < 3
        ? Stream.runDrain(claude.messages.stream(params))
        : Effect.asVoid(claude.messages.create(params))
    }).pipe(
      Effect.match({
        onFailure: (e) => {
          failures[e._tag] = (failures[e._tag] ?? 0) + 1
        },
        onSuccess: () => {
          ok++
        }
      })
    )
    const caller: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      now >= deadline
        ? Effect.void
        : Effect.zipRight(
            one,
            Effect.suspend(() => caller)
          )
    )
    yield* Effect.all(
      Array.from({ length: options.callers }, () => caller),
      { concurrency: "unbounded", discard: true }
    )
    return { ok, failures }
  })

/** One bucket's use: what was served, what the limit allowed over the run, their ratio. */
export interface Use {
  readonly served: number
  readonly allowed: number
  readonly share: number
}

export interface Served {
  readonly attempts: number
  readonly status429: number
  readonly requests: Use
  readonly inputTokens: Use
  readonly outputTokens: Use
  /** the bucket used the most: the one that bound */
  readonly tightest: "requests" | "inputTokens" | "outputTokens"
}

/**
 * What a server with `limits` (per scaled minute) served while every caller had a call to make: from
 * its first request for `windowMs` (the callers' run), so calls still queued or finishing after it
 * count on neither side. A bucket starts full, so it allows `limit × (1 + minutes)`.
 */
export const served = (
  records: ReadonlyArray<FakeClaude.RecordedRequest>,
  serverLimits: FakeClaude.RateLimits,
  scale: number,
  windowMs: number
): Served => {
  const messages = records.filter((r) => r.path === "/v1/messages")
  const start = Math.min(...messages.map((r) => r.time))
  const answered = messages.filter((r) => r.outcome === 200 && r.time <= start + windowMs)
  const minutes = (windowMs * scale) / 60_000
  const use = (served: number, limit: number | undefined): Use => {
    const allowed = limit === undefined ? Number.POSITIVE_INFINITY : limit * (1 + minutes)
    return { served, allowed, share: served / allowed }
  }
  const requests = use(answered.length, serverLimits.requestsPerMinute)
  const inputTokens = use(
    answered.reduce((n, r) => n + (r.inputTokens ?? 0), 0),
    serverLimits.inputTokensPerMinute
  )
  const outputTokens = use(
    answered.reduce((n, r) => n + (r.outputTokens ?? 0), 0),
    serverLimits.outputTokensPerMinute
  )
  const byShare = (
    [
      ["requests", requests],
      ["inputTokens", inputTokens],
      ["outputTokens", outputTokens]
    ] as const
  ).reduce((a, b) => (b[1].share > a[1].share ? b : a))
  return {
    attempts: messages.length,
    status429: messages.filter((r) => r.outcome === 429).length,
    requests,
    inputTokens,
    outputTokens,
    tightest: byShare[0]
  }
}
