/** Shared by the effect-ai tests: the LanguageModel over the resilient client against FakeClaude. */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import type * as Response from "@effect/ai/Response"
import { Duration, Layer, Logger, LogLevel, Redacted, Schedule } from "effect"
import { ClaudeLanguageModel } from "../src/index.js"

/** A model that takes a prefill (FakeClaude answers a prefilled request with the rest). */
export const MODEL = "claude-haiku-4-5"

/** Retries 2 ms apart, at most `n`, retryable failures only (resumptions too). */
export const fast = (n = 6): Schedule.Schedule<unknown, ClaudeError.ClaudeError> =>
  Schedule.spaced("2 millis").pipe(
    Schedule.intersect(Schedule.recurs(n)),
    Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
  )

/** The drill's policy with short bases: Retry-After still floors every wait (the drill's 429s say 1 s). */
export const drillPolicy = RetryPolicy.claude({
  budget: "30 seconds",
  maxAttempts: 10,
  tags: {
    OverloadedError: { base: "20 millis", cap: "200 millis", maxAttempts: 8 },
    BadGatewayError: { base: "20 millis", cap: "200 millis", maxAttempts: 8 },
    ApiError: { base: "20 millis", cap: "200 millis", maxAttempts: 8 },
    ConnectionError: { base: "20 millis", cap: "200 millis", maxAttempts: 8 }
  }
})

const quiet = Logger.minimumLogLevel(LogLevel.Error)

/**
 * `LanguageModel` (ours) over `Claude` pointed at a fresh FakeClaude; both provided, with the
 * FakeClaude service. The breaker opens after 5 consecutive failures for 1 s, as in the drill.
 */
export const withFake = (
  options: FakeClaude.Options = {},
  model: Partial<ClaudeLanguageModel.Options> = {},
  retryPolicy: RetryPolicy.Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError> = fast()
) =>
  FakeClaude.layerWith(options, (fake) =>
    ClaudeLanguageModel.layer({ model: MODEL, ...model }).pipe(
      Layer.provideMerge(
        Claude.layer({
          apiKey: Redacted.make(fake.apiKey),
          baseURL: fake.url,
          retryPolicy,
          circuitBreaker: { trip: CircuitBreaker.consecutiveFailures(5), openDuration: Duration.seconds(1) }
        })
      )
    )
  ).pipe(Layer.merge(quiet))

/** The text a part stream carries, in order. */
export const streamedText = (parts: ReadonlyArray<Response.AnyPart>): string =>
  parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")

/** The body FakeClaude recorded for request `i`. */
export interface Body {
  readonly model: string
  readonly max_tokens: number
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: unknown }>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<{ readonly name: string; readonly input_schema: unknown }>
  readonly tool_choice?: unknown
  readonly stop_sequences?: ReadonlyArray<string>
}

export const bodyOf = (request: FakeClaude.RecordedRequest): Body => request.body as Body
