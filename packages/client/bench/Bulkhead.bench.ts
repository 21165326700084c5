/**
 * The bulkhead's cost per call with a free slot (the uncontended path), each iteration 1,000 calls
 * in one Effect so the figures are per 1,000, beside the same loop without a bulkhead.
 */
import { Bulkhead } from "@claude-resilience/client"
import { Effect, Exit } from "effect"
import { bench, describe } from "vitest"

const batch = 1_000
const bulkhead = Effect.runSync(Bulkhead.make({ maxConcurrent: 8, maxQueue: 8 }))

const baseline = Effect.repeatN(Effect.void, batch - 1)
const withPermit = Effect.repeatN(bulkhead.withPermit("claude-sonnet-4-6", Effect.void), batch - 1)
const scopedPermit = Effect.repeatN(Effect.scoped(bulkhead.permit("claude-sonnet-4-6")), batch - 1)

describe("Bulkhead (per 1,000 calls)", () => {
  bench("baseline: Effect.void without a bulkhead", () => {
    Exit.getOrElse(Effect.runSyncExit(baseline), () => undefined)
  })
  bench("withPermit with a free slot", () => {
    Exit.getOrElse(Effect.runSyncExit(withPermit), () => undefined)
  })
  bench("scoped permit with a free slot", () => {
    Exit.getOrElse(Effect.runSyncExit(scopedPermit), () => undefined)
  })
})
