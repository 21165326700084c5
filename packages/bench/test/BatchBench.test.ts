import { BatchBench, BatchContender } from "@claude-resilience/bench"
import { describe, expect, it } from "vitest"

describe("BatchBench (quick mode, structure only: timings are never asserted)", () => {
  it("runs both contenders with consistent counts; the toolkit gives every item an outcome", {
    timeout: 120_000
  }, async () => {
    const results = await BatchBench.run({ scale: "quick", seed: 42 })
    expect(results.rows.map((r) => r.contender)).toEqual(BatchContender.names)
    for (const row of results.rows) {
      expect(row.completed).toBeLessThanOrEqual(row.items)
      expect(row.succeeded + row.errored + row.expired + row.canceled).toBe(row.completed)
      expect(Object.values(row.byEndpoint).reduce((a, b) => a + b, 0)).toBe(row.requestsSent)
      expect(row.byEndpoint.create ?? 0).toBeGreaterThanOrEqual(1)
    }
    const toolkit = results.rows.find((r) => r.contender === "toolkit")!
    expect(toolkit.completed).toBe(toolkit.items)
    expect(toolkit.rerun).toBeGreaterThanOrEqual(toolkit.retryableFirst)
    const sdk = results.rows.find((r) => r.contender === "sdk")!
    expect(sdk.rerun).toBe(0)
    expect(BatchBench.verdicts(results)).toHaveLength(2)
    expect(BatchBench.markdown(results)).toContain("| claude-resilience `Batches.run` |")
  })
})
