import { FallbackBench } from "@claude-resilience/bench"
import { describe, expect, it } from "vitest"

describe("FallbackBench (quick mode, structure only: timings are never asserted)", () => {
  it("runs the three variants; with the plan every call succeeds and the fallback model answers some", {
    timeout: 120_000
  }, async () => {
    const results = await FallbackBench.run({ scale: "quick", seed: 42 })
    expect(results.rows.map((r) => r.variant)).toEqual(["fault-free", "without", "with"])
    const { fallback, primary } = results.scenario
    for (const row of results.rows) {
      const failed = Object.values(row.failures).reduce((a, b) => a + b, 0)
      expect(row.succeeded + failed).toBe(row.requests)
      expect(Object.values(row.answeredBy).reduce((a, b) => a + b, 0)).toBe(row.succeeded)
      expect(row.duringOutage).toBeLessThanOrEqual(row.requests)
    }
    const base = results.rows.find((r) => r.variant === "fault-free")!
    expect(base.answeredBy).toEqual({ [primary]: base.requests })
    const without = results.rows.find((r) => r.variant === "without")!
    expect(without.answeredBy[fallback]).toBeUndefined()
    expect(without.requestsByModel[fallback]).toBeUndefined()
    const withPlan = results.rows.find((r) => r.variant === "with")!
    expect(withPlan.succeeded).toBe(withPlan.requests)
    expect(withPlan.answeredBy[fallback]).toBeGreaterThan(0)
    expect(withPlan.duringOutage).toBeGreaterThan(0)
    expect(FallbackBench.verdicts(results)).toHaveLength(2)
    expect(FallbackBench.markdown(results)).toContain("| claude-resilience + fallback plan |")
  })
})
