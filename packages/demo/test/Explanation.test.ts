import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Explanation from "../src/Explanation.js"
import type * as Workload from "../src/Workload.js"

const report = (fields: Partial<Workload.Report> & Pick<Workload.Report, "contender">): Workload.Report => ({
  requests: 120,
  succeeded: 120,
  failed: 0,
  failedByTag: {},
  attemptsSent: 120,
  retries: 0,
  breakerRejections: 0,
  resumedStreams: 0,
  wastedOutputTokens: 0,
  wallMs: 1000,
  ...fields
})

describe("Explanation", () => {
  it("says what the outage drill showed, from the numbers", () => {
    const outage = { startCall: 31, durationMs: 5000 }
    const sdk = report({
      contender: "sdk",
      succeeded: 83,
      failed: 37,
      failedByTag: { ServiceUnavailableError: 30, ConnectionError: 7 },
      attemptsSent: 217,
      retries: 97,
      wallMs: 5500,
      outage: { ...outage, refusedAttempts: 96 }
    })
    const toolkit = report({
      contender: "toolkit",
      attemptsSent: 136,
      retries: 16,
      breakerRejections: 43,
      wallMs: 11_000,
      outage: { ...outage, refusedAttempts: 16 }
    })
    const lines = Explanation.make([sdk, toolkit]).split("\n")
    expect(lines).toEqual([
      "claude-resilience: all 120 calls succeeded; 16 retries; 43 attempts held back by the open circuit breaker (never sent).",
      "The plain SDK: 83 of 120 calls succeeded, 37 failed (30 ServiceUnavailableError, 7 ConnectionError); 97 retries.",
      "claude-resilience kept 37 calls the plain SDK lost: the SDK gives up after its 2 retries, the toolkit retries each error type on its own schedule within a time budget.",
      "The outage (every request answered 503 for 5.0 s, beginning as call 31 started): the plain SDK sent 96 attempts into it, claude-resilience 16, because its open breaker held 43 attempts back until a probe got through.",
      "claude-resilience took 2× as long (11.0 s against 5.5 s): it waited out the faults and the outage (behind its breaker) where the plain SDK failed those calls."
    ])
  })

  it("names nothing that did not happen when every row is zero", () => {
    const text = Explanation.make([report({ contender: "sdk" }), report({ contender: "toolkit", wallMs: 1050 })])
    expect(text).toBe(
      [
        "claude-resilience: all 120 calls succeeded.",
        "The plain SDK: all 120 calls succeeded.",
        "Neither lost a call, and nothing had to be retried: no fault struck this run.",
        "Both took about as long (1.1 s against 1.0 s)."
      ].join("\n")
    )
  })

  it("uses the singular for one, and makes no claim about waiting when the toolkit did not keep more calls", () => {
    const sdk = report({ contender: "sdk", succeeded: 119, failed: 1, failedByTag: { OverloadedError: 1 }, retries: 1 })
    const toolkit = report({
      contender: "toolkit",
      succeeded: 119,
      failed: 1,
      failedByTag: { OverloadedError: 1 },
      retries: 1,
      resumedStreams: 1,
      wastedOutputTokens: 1,
      wallMs: 3000
    })
    const text = Explanation.make([sdk, toolkit])
    expect(text).toContain("1 retry;")
    expect(text).toContain("1 stream resumed mid-answer")
    expect(text).toContain("1 output token received")
    expect(text).toContain("Both lost 1 call.")
    expect(text).toContain("claude-resilience took 3× as long (3.0 s against 1.0 s).")
    expect(text).not.toContain("waited out")
  })

  it("explains a single (live) report on its own", () => {
    const live = report({
      contender: "toolkit",
      requests: 10,
      succeeded: 9,
      failed: 1,
      failedByTag: { RateLimitError: 1 },
      retries: 3,
      wallMs: 4200
    })
    expect(Explanation.make([live])).toBe(
      "claude-resilience: 9 of 10 calls succeeded, 1 failed (1 RateLimitError) in 4.2 s; 3 retries."
    )
  })

  it.prop(
    "never prints a zero count, NaN or Infinity, and every failure count it names is in the reports",
    [
      fc.record({
        requests: fc.integer({ min: 1, max: 500 }),
        sdkFailed: fc.nat({ max: 500 }),
        toolkitFailed: fc.nat({ max: 500 }),
        sdkRetries: fc.option(fc.nat({ max: 900 }), { nil: undefined }),
        toolkitRetries: fc.option(fc.nat({ max: 900 }), { nil: undefined }),
        breaker: fc.nat({ max: 300 }),
        resumed: fc.nat({ max: 50 }),
        wasted: fc.nat({ max: 5000 }),
        sdkWall: fc.nat({ max: 60_000 }),
        toolkitWall: fc.nat({ max: 60_000 }),
        outage: fc.boolean()
      })
    ],
    ([g]) => {
      const sdkFailed = Math.min(g.sdkFailed, g.requests)
      const toolkitFailed = Math.min(g.toolkitFailed, g.requests)
      const outage = g.outage ? { startCall: 1, durationMs: 3000, refusedAttempts: 4 } : undefined
      const sdk = report({
        contender: "sdk",
        requests: g.requests,
        succeeded: g.requests - sdkFailed,
        failed: sdkFailed,
        failedByTag: sdkFailed > 0 ? { ServiceUnavailableError: sdkFailed } : {},
        retries: g.sdkRetries,
        wastedOutputTokens: g.wasted,
        wallMs: g.sdkWall,
        outage
      })
      const toolkit = report({
        contender: "toolkit",
        requests: g.requests,
        succeeded: g.requests - toolkitFailed,
        failed: toolkitFailed,
        failedByTag: toolkitFailed > 0 ? { OverloadedError: toolkitFailed } : {},
        retries: g.toolkitRetries,
        breakerRejections: g.breaker,
        resumedStreams: g.resumed,
        wallMs: g.toolkitWall,
        outage
      })
      const text = Explanation.make([sdk, toolkit])
      expect(text).not.toMatch(/\b0 (retr|stream|attempts held|output token|calls? the plain SDK lost)/)
      expect(text).not.toMatch(/NaN|Infinity|undefined|(^|[^\d.])0× |\b1 calls/)
      if (toolkitFailed > 0) expect(text).toContain(`${toolkitFailed} failed (${toolkitFailed} OverloadedError)`)
      else expect(text).toMatch(/^claude-resilience: (all \d+ calls|the one call) succeeded/)
      if (sdkFailed > 0) expect(text).toContain(`${sdkFailed} failed (${sdkFailed} ServiceUnavailableError)`)
      if (sdkFailed > toolkitFailed) expect(text).toContain(`kept ${sdkFailed - toolkitFailed} call`)
      expect(text.includes("The outage")).toBe(g.outage)
    }
  )
})
