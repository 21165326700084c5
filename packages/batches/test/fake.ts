/**
 * What the batch tests share: a Claude client over the real SDK and HTTP to a FakeClaude, fast
 * retries (10 ms apart, at most 4, Retry-After honoured), quiet logs; a fast poll; requests.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import type { Batches } from "@claude-resilience/batches"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, Redacted, Schedule } from "effect"

export const MODEL = "claude-haiku-4-5"

export const retry = RetryPolicy.withRetryAfter(
  Schedule.spaced("10 millis").pipe(
    Schedule.intersect(Schedule.recurs(4)),
    Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
  )
)

/** Polls every 10 ms (real time) for at most 10 s. */
export const fastPoll = Schedule.spaced("10 millis").pipe(Schedule.upTo("10 seconds"))

/** Claude against a FakeClaude with these options; the breaker never opens unless told. */
export const withFake = (options: FakeClaude.Options, breaker: CircuitBreaker.Options = {}) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
        Layer.provide(RetryPolicy.layer(retry)),
        Layer.provide(CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(1_000), ...breaker }))
      )
    )
  ).pipe(Layer.provideMerge(FakeClaude.layer(options)), Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))

export const request = (customId: string, extra: { readonly model?: string } = {}): Batches.BatchRequest => ({
  custom_id: customId,
  params: {
    model: extra.model ?? MODEL,
    max_tokens: 128,
    messages: [{ role: "user", content: `Question ${customId}` }]
  }
})

export const requests = (n: number, prefix = "item"): ReadonlyArray<Batches.BatchRequest> =>
  Array.from({ length: n }, (_, i) => request(`${prefix}-${i}`))

/** The requests the server saw, as `METHOD /path`. */
export const calls = Effect.map(
  Effect.flatMap(FakeClaude.FakeClaude, (fake) => fake.requests),
  (records) => records.map((r) => `${r.method} ${r.path}`)
)

/** A fault's match for one endpoint of the batches API. */
export const on =
  (endpoint: "create" | "retrieve" | "results" | "cancel") =>
  (r: { readonly method: string; readonly path: string }): boolean => {
    switch (endpoint) {
      case "create":
        return r.method === "POST" && r.path === "/v1/messages/batches"
      case "retrieve":
        return r.method === "GET" && /^\/v1\/messages\/batches\/[^/]+$/.test(r.path)
      case "results":
        return r.method === "GET" && r.path.endsWith("/results")
      case "cancel":
        return r.method === "POST" && r.path.endsWith("/cancel")
    }
  }
