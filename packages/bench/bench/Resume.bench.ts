import { Effect } from "effect"
import { bench, describe } from "vitest"
import { compareStrategies, measureRegeneration, seededCuts } from "../src/Regeneration.js"

// The number this bench exists for: output regenerated per cut, per strategy, on the same seeded cuts.
const cuts = await Effect.runPromise(seededCuts())
const report = await Effect.runPromise(compareStrategies(cuts))
process.stdout.write(
  `\nResumableStream: output regenerated on ${cuts.length} seeded cuts [${cuts.join(", ")}] (FakeClaude seed 7; continuation repeats 4 words)\n${report
    .map(
      (r) =>
        `  ${r.strategy.padEnd(12)} ${String(r.charsPerCut).padStart(5)} chars/cut  ~${String(r.tokensPerCut).padStart(4)} tokens/cut  (dropped as repeats ${r.droppedChars}, exact ${r.exact}/${r.cuts})`
    )
    .join("\n")}\n`
)

describe("ResumableStream: one stream cut after 40 events, resumed (real HTTP)", () => {
  bench("prefill", async () => {
    await Effect.runPromise(measureRegeneration("prefill", [40]))
  })
  bench("continuation", async () => {
    await Effect.runPromise(measureRegeneration("continuation", [40]))
  })
  bench("restart", async () => {
    await Effect.runPromise(measureRegeneration("restart", [40]))
  })
})
