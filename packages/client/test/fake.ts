/**
 * The Claude layer the Files, ModelCatalog and request tests run against: the real SDK over HTTP to a
 * FakeClaude, fast retries (20 ms apart, Retry-After honoured), a breaker, quiet logs.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, Redacted, Schedule } from "effect"

export const fastRetry = RetryPolicy.withRetryAfter(
  Schedule.spaced("20 millis").pipe(
    Schedule.intersect(Schedule.recurs(5)),
    Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
  )
)

export const withFake = (fakeOptions: FakeClaude.Options, breaker: CircuitBreaker.Options = {}) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
        Layer.provide(RetryPolicy.layer(fastRetry)),
        Layer.provideMerge(CircuitBreaker.layer(breaker))
      )
    )
  ).pipe(Layer.provideMerge(FakeClaude.layer(fakeOptions)), Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))

/** The paths the server saw, as `METHOD /path`. */
export const calls = Effect.map(
  Effect.flatMap(FakeClaude.FakeClaude, (fake) => fake.requests),
  (records) => records.map((r) => `${r.method} ${r.path}`)
)
