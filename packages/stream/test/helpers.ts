/** Shared by the stream package's tests: FakeClaude wiring, fast resumptions, event readers. */
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude } from "@claude-resilience/testing"
import { Chunk, Effect, Layer, Logger, LogLevel, Redacted, Schedule, Stream } from "effect"

export const MODEL = "claude-haiku-4-5"

export const ask = (text = "Tell me about resilient streams", model = MODEL) => ({
  model,
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: text }]
})

/** Resumptions 2 ms apart, at most `n`, retryable failures only. */
export const fast = (n = 5): Schedule.Schedule<unknown, ClaudeError.ClaudeError> =>
  Schedule.spaced("2 millis").pipe(
    Schedule.intersect(Schedule.recurs(n)),
    Schedule.whileInput((e: ClaudeError.ClaudeError) => ClaudeError.isRetryable(e))
  )

/** Claude (default layer) against a fresh FakeClaude, quiet logs. */
export const withFake = (options: FakeClaude.Options = {}) =>
  FakeClaude.layerWith(options, (fake) => Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url })).pipe(
    Layer.merge(Logger.minimumLogLevel(LogLevel.Error))
  )

/** Runs a resumable stream to a list of its events; logs below Error are dropped (no test reads them). */
export const run = (params: Claude.MessageStreamParams, options: ResumableStream.Options = {}) =>
  Effect.map(Stream.runCollect(ResumableStream.events(params, { schedule: fast(), ...options })), (chunk) =>
    Chunk.toReadonlyArray(chunk)
  ).pipe(Logger.withMinimumLogLevel(LogLevel.Error))

export const textOf = (events: ReadonlyArray<ResumableStream.Event>) =>
  events
    .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
    .join("")

export const notices = (events: ReadonlyArray<ResumableStream.Event>) => events.filter(ResumableStream.isResumption)
