/**
 * The drill's chaos through `LanguageModel`: 429 with retry-after, 529, 500, HTML 502, resets,
 * stream cuts and SSE overload at the drill's rates (`FakeClaude.profiles.drill`). Every call ends
 * in the exact text or a typed `AiError` carrying our original failure — never a defect, never a
 * short text that looks like success.
 */
import { FakeClaude } from "@claude-resilience/testing"
import { AiError, LanguageModel } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import { ClaudeAiError } from "../src/index.js"
import { drillPolicy, MODEL, streamedText, withFake } from "./helpers.js"

const CALLS = 15
const SEED = 5

const prompt = (i: number) => `Question ${i}: tell me about resilient systems`
const expected = (i: number) => FakeClaude.completionText({ messages: [{ role: "user", content: prompt(i) }] }, SEED)

/** `"ok"` for the exact text, the original's tag for a typed failure, else what went wrong. */
const outcome = (exit: Exit.Exit<string, AiError.AiError>, i: number): string =>
  Exit.match(exit, {
    onSuccess: (text) => (text === expected(i) ? "ok" : `wrong text (${text.length} chars)`),
    onFailure: (cause) =>
      Option.match(Cause.failureOption(cause), {
        onNone: () => `defect: ${Cause.pretty(cause)}`,
        onSome: (error) =>
          AiError.isAiError(error)
            ? Option.match(ClaudeAiError.getOriginal(error), {
                onNone: () => `untyped ${error._tag}`,
                onSome: (original) => `failed: ${original._tag}`
              })
            : "not an AiError"
      })
  })

describe("the drill's chaos through LanguageModel", () => {
  it.live(
    `${CALLS} generateText and ${CALLS} streamText calls: the exact text or a typed failure, every fault kind met`,
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const outcomes: Array<string> = []
        let resumptions = 0
        for (let i = 0; i < CALLS; i++) {
          const generated = yield* Effect.exit(
            Effect.map(LanguageModel.generateText({ prompt: prompt(i) }), (r) => r.text)
          )
          outcomes.push(outcome(generated, i))
          const streamed = yield* Effect.exit(
            Effect.map(Stream.runCollect(LanguageModel.streamText({ prompt: prompt(i) })), (chunk) => {
              const parts = Chunk.toReadonlyArray(chunk)
              const finish = parts.find((p) => p.type === "finish")
              resumptions += finish?.type === "finish" ? (finish.metadata.claudeResilience?.resumptions ?? 0) : 0
              return streamedText(parts)
            })
          )
          outcomes.push(outcome(streamed, i))
        }
        expect(outcomes.filter((o) => o !== "ok" && !o.startsWith("failed: "))).toEqual([])
        // with the drill's policy every call gets through this chaos (the drill's 429s and 529s say retry-after: 1)
        expect(outcomes.filter((o) => o === "ok")).toHaveLength(2 * CALLS)
        const faults = new Set(
          (yield* fake.requests).flatMap((r) => (r.fault === undefined ? [] : [r.fault.split(":")[0]]))
        )
        expect([...faults].sort()).toEqual(expect.arrayContaining(["cutStream", "html", "reset", "sseError", "status"]))
        const statuses = new Set((yield* fake.requests).map((r) => r.outcome))
        expect([...statuses]).toEqual(expect.arrayContaining([429, 529, 502, "reset", "cut", "sse-error"]))
        expect(resumptions).toBeGreaterThan(0)
      }).pipe(
        Effect.provide(withFake({ seed: SEED, chaos: FakeClaude.profiles.drill }, { model: MODEL }, drillPolicy))
      ),
    60_000
  )
})
