import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel } from "effect"
import * as Drill from "../src/Drill.js"
import * as Render from "../src/Render.js"

// The client logs every call; these tests read reports, not logs.
const quiet = Logger.withMinimumLogLevel(LogLevel.None)

const base = { model: "claude-sonnet-5-5", seed: 3, maxTokens: 300 } as const

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
    }).pipe(quiet)
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
      }).pipe(quiet),
    { timeout: 90_000 }
  )

  it.live(
    "the outage profile always meets the workload: the plain SDK loses calls to 503, the breaker rejects, the toolkit loses nothing",
    () =>
      Effect.gen(function* () {
        // The outage begins at call 7 of 24 whatever the machine's speed, so the counts below
        // do not depend on how fast the first calls ran.
        const options = { ...base, profile: "outage" as const, requests: 24, concurrency: 4 }
        const sdk = yield* Drill.runContender("sdk", options)
        const toolkit = yield* Drill.runContender("toolkit", options)
        expect(sdk.outage).toMatchObject({ startCall: 7, durationMs: 5000 })
        expect(toolkit.outage).toMatchObject({ startCall: 7, durationMs: 5000 })
        // The plain SDK: the call that began the outage and the ones after it fail after 3 attempts each.
        expect(sdk.failed).toBeGreaterThan(0)
        expect(sdk.failedByTag).toEqual({ ServiceUnavailableError: sdk.failed })
        expect(sdk.outage!.refusedAttempts).toBeGreaterThanOrEqual(3 * sdk.failed)
        expect(sdk.breakerRejections).toBe(0)
        // claude-resilience: the breaker opened and turned attempts away; every call succeeded.
        expect(toolkit.succeeded).toBe(24)
        expect(toolkit.failed).toBe(0)
        expect(toolkit.breakerRejections).toBeGreaterThan(0)
        expect(toolkit.outage!.refusedAttempts).toBeGreaterThan(0)
        expect(toolkit.outage!.refusedAttempts).toBeLessThan(sdk.outage!.refusedAttempts)
        const table = Render.table([sdk, toolkit])
        expect(table).toContain("attempts into the outage")
      }).pipe(quiet),
    { timeout: 90_000 }
  )

  it("profiles without an outage report none, and the outage starts inside the workload", () => {
    expect(Drill.profiles.calm.outage).toBeUndefined()
    expect(Drill.profiles.transient.outage).toBeUndefined()
    const outage = Drill.profiles.outage.outage!
    expect(Drill.outageStartIndex(outage, 120)).toBe(30)
    expect(Drill.outageStartIndex(outage, 1)).toBe(0)
    expect(Drill.outageStartIndex({ startAt: 1, duration: "1 second" }, 10)).toBe(9)
  })

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
