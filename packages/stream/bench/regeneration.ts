/**
 * How much output a resumption generates twice: the same seeded cuts against FakeClaude with each
 * strategy. A reported number for `pnpm bench`, not an assertion.
 */
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, Redacted, Schedule } from "effect"

export interface Regeneration {
  readonly strategy: ResumableStream.Strategy
  readonly cuts: number
  /** characters the server generated that had already been delivered */
  readonly regeneratedChars: number
  /** the same in output tokens, by FakeClaude's estimator (characters / 4) */
  readonly regeneratedTokens: number
  /** characters of the answer */
  readonly answerChars: number
}

const params = {
  model: "claude-sonnet-4-6",
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: "Explain resumable streams" }]
}

const layer = Layer.unwrapEffect(
  Effect.map(FakeClaude.FakeClaude, (fake) => Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }))
).pipe(Layer.provideMerge(FakeClaude.layer({ seed: 7 })), Layer.merge(Logger.minimumLogLevel(LogLevel.None)))

const schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError> = Schedule.recurs(10)

/** Runs one stream per cut point (`Fault.cutStream(k)`) with `strategy` and sums what was generated twice. */
export const measureRegeneration = (
  strategy: ResumableStream.Strategy,
  cutPoints: ReadonlyArray<number> = [10, 20, 40, 80]
): Effect.Effect<Regeneration> =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.FakeClaude
    let regeneratedChars = 0
    let answerChars = 0
    for (const k of cutPoints) {
      yield* fake.reset
      yield* fake.enqueue(Fault.cutStream(k))
      const final = yield* ResumableStream.finalMessage(params, { strategy, schedule })
      const generated = final.attempts.reduce((n, a) => n + a.characters, 0)
      regeneratedChars += generated - final.text.length
      answerChars += final.text.length
    }
    return {
      strategy,
      cuts: cutPoints.length,
      regeneratedChars,
      regeneratedTokens: FakeClaude.estimateTextTokens("x".repeat(regeneratedChars)),
      answerChars
    }
  }).pipe(Effect.orDie, Effect.provide(layer))
