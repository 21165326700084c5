import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Drill from "../src/Drill.js"
import * as Render from "../src/Render.js"

const base = { model: "claude-sonnet-4-6", seed: 3, maxTokens: 300 } as const

describe("the drill", () => {
  it.live("runs a small calm workload: every call succeeds in one attempt", () =>
    Effect.gen(function* () {
      const report = yield* Drill.runContender("toolkit", {
        ...base,
        profile: "calm",
        requests: 8,
        concurrency: 4
      })
      expect(report.succeeded).toBe(8)
      expect(report.failed).toBe(0)
      expect(report.attemptsSent).toBe(8)
      expect(report.retries).toBe(0)
      expect(report.wastedOutputTokens).toBe(0)
    })
  )

  it.live(
    "under only transient faults the toolkit loses nothing and the plain SDK loses some",
    () =>
      Effect.gen(function* () {
        // Sequential and all streaming, so the seeded fault sequence is the same on every run.
        const options = { ...base, profile: "transient" as const, requests: 24, concurrency: 1, streamShare: 1 }
        const sdk = yield* Drill.runContender("sdk", options)
        const toolkit = yield* Drill.runContender("toolkit", options)
        expect(toolkit.succeeded).toBe(24)
        expect(toolkit.failed).toBe(0)
        expect(toolkit.resumedStreams).toBeGreaterThan(0)
        expect(toolkit.wastedOutputTokens).toBe(0)
        expect(sdk.failed).toBeGreaterThan(0)
        expect(sdk.succeeded + sdk.failed).toBe(24)
        const table = Render.table([sdk, toolkit])
        expect(table).toContain("claude-resilience")
        expect(table).toContain("24 (100.0 %)")
      }),
    { timeout: 90_000 }
  )

  it("renders a progress line with failures by tag", () => {
    const line = Render.progressLine("sdk", 10, {
      started: 6,
      finished: 5,
      succeeded: 3,
      failedByTag: { OverloadedError: 2 },
      wastedChars: 0,
      outputTokens: 0,
      resumed: 1
    })
    expect(line).toContain("5/10")
    expect(line).toContain("failed 2 (OverloadedError 2)")
    expect(line).toContain("resumed 1")
    expect(line).toContain("in flight 1")
  })
})
