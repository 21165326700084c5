/**
 * How much output a resumption generates twice: the same seeded cuts against FakeClaude with each
 * strategy. A reported number for `pnpm bench`, not an assertion.
 */
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { Effect, Layer, Logger, LogLevel, Random, Redacted, Schedule } from "effect"

export interface Regeneration {
  readonly strategy: ResumableStream.ResumeStrategy
  readonly cuts: number
  /** characters the server generated that had already been delivered (sent again or dropped as a repeat) */
  readonly regeneratedChars: number
  /** the same in output tokens, by FakeClaude's estimator (characters / 4) */
  readonly regeneratedTokens: number
  /** per cut */
  readonly charsPerCut: number
  readonly tokensPerCut: number
  /** characters a continuation repeated and the stitcher dropped */
  readonly droppedChars: number
  /** characters of the answer */
  readonly answerChars: number
  /** answers equal to the uninterrupted text */
  readonly exact: number
}

const params = {
  model: "claude-haiku-4-5",
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: "Explain resumable streams" }]
}

/** FakeClaude whose continuation turn repeats the last `repeatWords` words before going on, as models do. */
const layer = (repeatWords: number) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(Layer.orDie)
    )
  ).pipe(
    Layer.provideMerge(FakeClaude.layer({ seed: 7, continuationRepeatWords: repeatWords })),
    Layer.merge(Logger.minimumLogLevel(LogLevel.None))
  )

const schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError> = Schedule.recurs(10)

/** `n` cut points in [5, 150), the same for every strategy: drawn from a seeded `Random`. */
export const seededCuts = (n = 12, seed = 13): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function* () {
    const cuts: Array<number> = []
    for (let i = 0; i < n; i++) cuts.push(yield* Random.nextIntBetween(5, 150))
    return cuts
  }).pipe(Effect.withRandom(Random.make(seed)))

/** Runs one stream per cut point (`Fault.cutStream(k)`) with `strategy` and sums what was generated twice. */
export const measureRegeneration = (
  strategy: ResumableStream.ResumeStrategy,
  cutPoints?: ReadonlyArray<number>,
  options: { readonly repeatWords?: number } = {}
): Effect.Effect<Regeneration> =>
  Effect.gen(function* () {
    const cuts = cutPoints ?? (yield* seededCuts())
    const fake = yield* FakeClaude.FakeClaude
    const expected = FakeClaude.completionText(params, 7)
    let regeneratedChars = 0
    let droppedChars = 0
    let answerChars = 0
    let exact = 0
    for (const k of cuts) {
      yield* fake.reset
      yield* fake.enqueue(Fault.cutStream(k))
      const final = yield* ResumableStream.finalMessage(params, { strategy, schedule })
      const delivered = final.attempts.reduce((n, a) => n + a.characters, 0)
      const dropped = final.attempts.reduce((n, a) => n + a.dropped, 0)
      regeneratedChars += delivered - final.text.length + dropped
      droppedChars += dropped
      answerChars += final.text.length
      if (final.text === expected) exact++
    }
    const tokens = FakeClaude.estimateTextTokens("x".repeat(regeneratedChars))
    return {
      strategy,
      cuts: cuts.length,
      regeneratedChars,
      regeneratedTokens: tokens,
      charsPerCut: Math.round(regeneratedChars / Math.max(1, cuts.length)),
      tokensPerCut: Math.round(tokens / Math.max(1, cuts.length)),
      droppedChars,
      answerChars,
      exact
    }
  }).pipe(Effect.orDie, Effect.provide(layer(options.repeatWords ?? 4)))

/** The three strategies on the same seeded cuts. */
export const compareStrategies = (cutPoints?: ReadonlyArray<number>): Effect.Effect<ReadonlyArray<Regeneration>> =>
  Effect.all([
    measureRegeneration("prefill", cutPoints),
    measureRegeneration("continuation", cutPoints),
    measureRegeneration("restart", cutPoints)
  ])
