import { ResponseHeaders } from "@claude-resilience/errors"
import { describe, expect, it } from "@effect/vitest"
import { Duration, FastCheck as fc } from "effect"

const ms = (d: Duration.Duration | undefined) => (d === undefined ? undefined : Duration.toMillis(d))
const NOW = Date.UTC(2026, 0, 1, 0, 0, 0)
const CAP = Duration.toMillis(ResponseHeaders.MAX_RETRY_AFTER)

describe("ResponseHeaders.parseRetryAfter", () => {
  it.each([
    ["0", 0],
    ["3", 3000],
    ["2.5", 2500],
    [".5", 500],
    [" 7 ", 7000],
    ["+4", 4000],
    ["86400", CAP],
    ["1e308", CAP],
    ["1e12", CAP],
    ["1e400", CAP],
    ["2.5e1", 25_000],
    ["1E-3", 1],
    ["3.", 3000],
    ["1e", undefined],
    ["e3", undefined],
    ["-1e3", undefined],
    ["99999999999999999999999", CAP],
    ["-1", undefined],
    ["NaN", undefined],
    ["Infinity", undefined],
    ["", undefined],
    ["soon", undefined],
    ["3 seconds", undefined],
    ["0x10", undefined],
    ["Thu, 01 Jan 2026 00:00:10 GMT", 10_000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
    ["Thursday, 01-Jan-26 00:00:05 GMT", 5000],
    ["Thu Jan  1 00:00:02 2026", null],
    ["Fri, 01 Jan 2100 00:00:00 GMT", CAP],
    ["Mon, 99 Foo 2026 99:99:99 GMT", undefined]
  ] as ReadonlyArray<[string, number | undefined | null]>)("%j → %j ms", (value, expected) => {
    // asctime has no zone and is read as local time by Date.parse: compare against that reading.
    const want = expected === null ? Math.max(0, Math.min(CAP, Date.parse(value) - NOW)) : expected
    expect(ms(ResponseHeaders.parseRetryAfter(value, NOW))).toBe(want)
  })

  it.prop("is total: any string gives undefined or a Duration within [0, cap]", [fc.string()], ([value]) => {
    const result = ResponseHeaders.parseRetryAfter(value, NOW)
    if (result !== undefined) {
      const m = Duration.toMillis(result)
      expect(Number.isFinite(m)).toBe(true)
      expect(m).toBeGreaterThanOrEqual(0)
      expect(m).toBeLessThanOrEqual(CAP)
    }
  })

  it.prop("delta-seconds round-trips to ceil(ms)", [fc.double({ min: 0, max: 3600, noNaN: true })], ([seconds]) => {
    const text = String(seconds)
    expect(ms(ResponseHeaders.parseRetryAfter(text, NOW))).toBe(Math.min(CAP, Math.ceil(seconds * 1000)))
  })

  it.prop(
    "any non-negative number, however written or large, is honoured up to the cap, never ignored",
    [fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.constantFrom("plain", "exponential", "padded")],
    ([seconds, form]) => {
      const text =
        form === "plain" ? String(seconds) : form === "exponential" ? seconds.toExponential() : ` +${seconds} `
      const want = Math.min(CAP, Math.ceil(seconds * 1000))
      expect(ms(ResponseHeaders.parseRetryAfter(text, NOW))).toBe(want)
      expect(ms(ResponseHeaders.parseRetryAfterMs(text))).toBe(Math.min(CAP, Math.ceil(seconds)))
    }
  )

  it.prop(
    "retryAfter over arbitrary header strings: undefined or within [0, cap], and a valid retry-after-ms wins",
    [
      fc.option(fc.oneof(fc.string(), fc.double().map(String)), { nil: undefined }),
      fc.option(fc.string(), { nil: undefined })
    ],
    ([retryAfterMs, retryAfter]) => {
      const headers = { "retry-after-ms": retryAfterMs, "retry-after": retryAfter }
      const result = ResponseHeaders.retryAfter(headers, NOW)
      if (result !== undefined) {
        const m = Duration.toMillis(result)
        expect(m >= 0 && m <= CAP).toBe(true)
      }
      const fromMs = ResponseHeaders.parseRetryAfterMs(retryAfterMs)
      if (fromMs !== undefined) expect(ms(result)).toBe(ms(fromMs))
      else expect(ms(result)).toBe(ms(ResponseHeaders.parseRetryAfter(retryAfter, NOW)))
    }
  )

  it.prop("HTTP-date is relative to now, never negative", [fc.integer({ min: -10_000, max: 10_000 })], ([offset]) => {
    const date = new Date(NOW + offset * 1000).toUTCString()
    expect(ms(ResponseHeaders.parseRetryAfter(date, NOW))).toBe(Math.min(CAP, Math.max(0, offset * 1000)))
  })
})

describe("ResponseHeaders.retryAfter", () => {
  it("prefers a valid retry-after-ms over retry-after", () => {
    expect(ms(ResponseHeaders.retryAfter({ "retry-after-ms": "1500", "retry-after": "9" }, NOW))).toBe(1500)
  })
  it("falls back to retry-after when retry-after-ms is garbage", () => {
    expect(ms(ResponseHeaders.retryAfter({ "retry-after-ms": "-5", "retry-after": "9" }, NOW))).toBe(9000)
  })
  it("reads fetch Headers case-insensitively", () => {
    expect(ms(ResponseHeaders.retryAfter(new Headers({ "Retry-After": "2" }), NOW))).toBe(2000)
  })
  it("reads node-style array headers", () => {
    expect(ResponseHeaders.get({ "Set-Cookie": ["a", "b"] }, "set-cookie")).toBe("a, b")
  })
  it("gives undefined for no headers", () => {
    expect(ResponseHeaders.retryAfter(undefined, NOW)).toBeUndefined()
    expect(ResponseHeaders.retryAfter(null, NOW)).toBeUndefined()
  })
})

describe("ResponseHeaders.shouldRetry / requestId", () => {
  it.each([
    ["true", true],
    ["TRUE", true],
    [" false ", false],
    ["yes", undefined],
    ["", undefined]
  ])("x-should-retry %j → %j", (value, expected) => {
    expect(ResponseHeaders.shouldRetry({ "x-should-retry": value })).toBe(expected)
  })

  it("reads request-id and drops absurd ones", () => {
    expect(ResponseHeaders.requestId({ "request-id": "req_123" })).toBe("req_123")
    expect(ResponseHeaders.requestId({ "x-request-id": "req_456" })).toBe("req_456")
    expect(ResponseHeaders.requestId({ "request-id": "x".repeat(300) })).toBeUndefined()
    expect(ResponseHeaders.requestId({ "request-id": "a\nb" })).toBeUndefined()
  })
})

describe("ResponseHeaders.rateLimit", () => {
  it("parses every bucket with RFC 3339 resets", () => {
    const snapshot = ResponseHeaders.rateLimit({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:30Z",
      "anthropic-ratelimit-tokens-limit": "100000",
      "anthropic-ratelimit-tokens-remaining": "4000",
      "anthropic-ratelimit-input-tokens-limit": "80000",
      "anthropic-ratelimit-input-tokens-remaining": "3000",
      "anthropic-ratelimit-input-tokens-reset": "2026-01-01T00:00:01.250+00:00",
      "anthropic-ratelimit-output-tokens-limit": "20000",
      "anthropic-ratelimit-output-tokens-remaining": "1000"
    })
    expect(snapshot?.requests).toEqual({ limit: 50, remaining: 0, reset: new Date("2026-01-01T00:00:30Z") })
    expect(snapshot?.tokens).toEqual({ limit: 100000, remaining: 4000 })
    expect(snapshot?.inputTokens?.reset?.getTime()).toBe(Date.UTC(2026, 0, 1, 0, 0, 1, 250))
    expect(snapshot?.outputTokens?.remaining).toBe(1000)
    expect(ResponseHeaders.exhausted(snapshot)).toBe("requests")
  })

  it("drops invalid values one by one and gives undefined when nothing is there", () => {
    expect(ResponseHeaders.rateLimit({})).toBeUndefined()
    expect(
      ResponseHeaders.rateLimit({
        "anthropic-ratelimit-requests-limit": "-3",
        "anthropic-ratelimit-requests-remaining": "7",
        "anthropic-ratelimit-requests-reset": "tomorrow"
      })
    ).toEqual({ requests: { remaining: 7 } })
  })

  it.prop(
    "is total over arbitrary values: numbers are non-negative integers, dates valid",
    [fc.dictionary(fc.constantFrom("limit", "remaining", "reset"), fc.string())],
    ([values]) => {
      const headers = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [`anthropic-ratelimit-tokens-${k}`, v] as const)
      )
      const bucket = ResponseHeaders.rateLimit(headers)?.tokens
      if (bucket?.limit !== undefined) expect(Number.isSafeInteger(bucket.limit) && bucket.limit >= 0).toBe(true)
      if (bucket?.remaining !== undefined) expect(bucket.remaining >= 0).toBe(true)
      if (bucket?.reset !== undefined) expect(Number.isNaN(bucket.reset.getTime())).toBe(false)
    }
  )
})
