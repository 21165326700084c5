import { Bench, Contender, Fleet, Report, Scenario, Server } from "@claude-resilience/bench"
import { describe, expect, it } from "vitest"

describe("Bench (quick mode, structure only: timings are never asserted)", () => {
  it("runs every contender in every scenario with consistent counts", { timeout: 180_000 }, async () => {
    const host = Server.inProcess()
    const results = await Bench.run({ scale: "quick", seed: 42, host, resumable: true })
    await host.close()

    expect(results.rows).toHaveLength(Scenario.names.length * Contender.names.length)
    for (const scenario of Scenario.names) {
      for (const contender of Contender.names) {
        const row = results.rows.find((r) => r.scenario === scenario && r.contender === contender)
        expect(row, `${scenario} × ${contender}`).toBeDefined()
        if (row === undefined) continue
        const failed = Object.values(row.failures).reduce((a, b) => a + b, 0)
        expect(row.succeeded).toBeLessThanOrEqual(row.requests)
        expect(row.succeeded + failed).toBe(row.requests)
        expect(row.successRate).toBeCloseTo(row.succeeded / row.requests)
        // a breaker may reject without sending, so only successes bound the attempts from below
        expect(row.attempts).toBeGreaterThanOrEqual(row.succeeded)
        expect(row.status429).toBeLessThanOrEqual(row.attempts)
        expect(row.outageRequests).toBeLessThanOrEqual(row.attempts)
        expect(row.regeneratedTokens).toBeGreaterThanOrEqual(0)
        if (scenario !== "outage") expect(row.outageRequests).toBe(0)
        if (scenario === "fault-free") expect(row.succeeded).toBe(row.requests)
      }
    }
    expect(results.overhead.ratios.length).toBe(results.overhead.rounds)
    expect(results.breaker.closedNs).toBeGreaterThan(0)
    expect(Report.verdicts(results)).toHaveLength(3)
    expect(Report.markdown(results, "")).toMatch(/\| fault-free +\| claude-resilience +\|/)

    // the fleet: client processes sharing one FakeClaude's limits
    const fleet = results.fleet
    expect(fleet).toBeDefined()
    if (fleet === undefined) return
    expect(fleet.rows.map((r) => r.contender)).toEqual(Fleet.names)
    for (const row of fleet.rows) {
      if (row.skipped !== undefined) {
        expect(row.contender).toBe("redis")
        continue
      }
      const failed = Object.values(row.failures).reduce((a, b) => a + b, 0)
      expect(row.ok + failed).toBe(row.calls)
      expect(row.attempts).toBeGreaterThanOrEqual(row.ok)
      expect(row.status429).toBeLessThanOrEqual(row.attempts)
      expect(row.share429).toBeCloseTo(row.attempts === 0 ? 0 : row.status429 / row.attempts, 3)
      expect(row.goodput).toBe(row.uses[fleet.setup.tightest].share)
      expect(row.processes).toBe(row.contender === "memory-single" ? 1 : fleet.setup.processes)
      expect(row.processes * row.callersPerProcess).toBe(fleet.setup.processes * fleet.setup.callers)
    }
    expect(Report.fleetVerdicts(results)).toHaveLength(2)
    expect(Report.markdown(results, "")).toContain("## Fleet")
  })
})
