import { Effect } from "effect"
import { bench, describe } from "vitest"
import { measureRegeneration } from "./regeneration.js"

// The number this bench exists for: output regenerated after a cut, per strategy.
const report = await Effect.runPromise(
  Effect.all([measureRegeneration("prefill"), measureRegeneration("continuation"), measureRegeneration("restart")])
)
process.stdout.write(
  `\nResumableStream: output regenerated after ${report[0].cuts} cuts (FakeClaude, seed 7)\n${report
    .map(
      (r) =>
        `  ${r.strategy.padEnd(12)} ${String(r.regeneratedChars).padStart(6)} chars  ~${String(r.regeneratedTokens).padStart(5)} output tokens regenerated  (answer ${r.answerChars} chars)`
    )
    .join("\n")}\n`
)

describe("ResumableStream: one stream cut after 40 events, resumed (real HTTP)", () => {
  bench("prefill", async () => {
    await Effect.runPromise(measureRegeneration("prefill", [40]))
  })
  bench("restart", async () => {
    await Effect.runPromise(measureRegeneration("restart", [40]))
  })
})
