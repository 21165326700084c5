import Anthropic, { type APIError } from "@anthropic-ai/sdk"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, params, rejection, withFake } from "./helpers.js"

const outcomesFor = (seed: number, profile: FakeClaude.ChaosProfile, n: number) =>
  withFake({ seed, chaos: profile }, (fake, client) =>
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) {
        const streamed = i % 2 === 0
        yield* attempt(
          (): Promise<unknown> =>
            streamed ? client.messages.stream(params(`q${i}`)).finalText() : client.messages.create(params(`q${i}`))
        ).pipe(Effect.ignore)
      }
      const records = yield* fake.requests
      return records.map((r) => `${r.fault ?? "-"}=>${String(r.outcome)}`)
    })
  )

describe("chaos", () => {
  it.live("a seed reproduces the same fault sequence for the same requests", () =>
    Effect.gen(function* () {
      const profile = { ...FakeClaude.profiles.harsh, latencyMs: 10 }
      const a = yield* outcomesFor(42, profile, 40)
      const b = yield* outcomesFor(42, profile, 40)
      const c = yield* outcomesFor(43, profile, 40)
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a, c)
      assert.isAbove(a.filter((o) => !o.startsWith("-")).length, 3)
      assert.isAbove(a.filter((o) => o === "-=>200").length, 10)
    })
  )

  it.live("rates are honoured: certain faults always, none never", () =>
    Effect.gen(function* () {
      const always = yield* outcomesFor(1, { rates: { "529": 1 }, retryAfter: "2" }, 6)
      assert.deepStrictEqual(always, Array(6).fill("status:529=>529"))
      const never = yield* outcomesFor(1, FakeClaude.profiles.none, 6)
      assert.deepStrictEqual(never, Array(6).fill("-=>200"))
      // stream-only faults leave non-streaming requests alone
      const streamOnly = yield* outcomesFor(1, { rates: { cutStream: 1 } }, 4)
      assert.deepStrictEqual(
        streamOnly.map((o) => o.split("=>")[1]),
        ["cut", "200", "cut", "200"]
      )
    })
  )

  it.live("setChaos switches profiles at runtime and reset clears everything", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.setChaos({ rates: { reset: 1 } })
        const error = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(error, Anthropic.APIConnectionError)
        yield* fake.setChaos(undefined)
        const ok = yield* attempt(() => client.messages.create(params("a")))
        assert.strictEqual(ok.type, "message")
        yield* fake.reset
        const stats = yield* fake.stats
        assert.strictEqual(stats.total, 0)
      })
    )
  )
})

describe("outages", () => {
  it.live("every request inside the window fails with the chosen status, none outside", () =>
    // clockScale 100: a server minute lasts 600 real ms
    withFake(
      { clockScale: 100, outages: [{ from: "0 millis", to: "1 minute", status: 503, retryAfter: "1" }] },
      (fake, client) =>
        Effect.gen(function* () {
          const first = yield* rejection(() => client.messages.create(params("a")))
          assert.strictEqual((first as APIError).status, 503)
          assert.strictEqual((first as APIError).headers?.get("retry-after"), "1")
          const second = yield* rejection(() => client.messages.stream(params("a")).finalText())
          assert.strictEqual((second as APIError).status, 503)
          yield* Effect.sleep("650 millis")
          const ok = yield* attempt(() => client.messages.create(params("a")))
          assert.strictEqual(ok.type, "message")
          const stats = yield* fake.stats
          assert.strictEqual(stats.byFault["outage:503"], 2)
        })
    )
  )
})

describe("rate limits", () => {
  const header = (e: APIError | Response, name: string) =>
    (e instanceof Response ? e.headers : e.headers)?.get(name) ?? undefined

  it.live("admits requestsPerMinute requests, then 429 with retry-after; headers track the bucket", () =>
    withFake({ rateLimits: { requestsPerMinute: 3 } }, (fake, client) =>
      Effect.gen(function* () {
        const remaining: Array<string | undefined> = []
        for (let i = 0; i < 3; i++) {
          const { response } = yield* attempt(() => client.messages.create(params("a")).withResponse())
          remaining.push(header(response, "anthropic-ratelimit-requests-remaining"))
          assert.strictEqual(header(response, "anthropic-ratelimit-requests-limit"), "3")
          const reset = header(response, "anthropic-ratelimit-requests-reset") ?? ""
          assert.match(reset, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
          assert.isAbove(Date.parse(reset), Date.now() - 1000)
          assert.isBelow(Date.parse(reset), Date.now() + 61_000)
        }
        assert.deepStrictEqual(remaining, ["2", "1", "0"])
        const limited = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(limited, Anthropic.RateLimitError)
        const e = limited as APIError
        const retryAfter = Number(header(e, "retry-after"))
        assert.isTrue(Number.isInteger(retryAfter))
        assert.isAtLeast(retryAfter, 19)
        assert.isAtMost(retryAfter, 20)
        assert.strictEqual(header(e, "anthropic-ratelimit-requests-remaining"), "0")
        assert.include(e.message, "rate limit of 3 requests per minute")
        const records = yield* fake.requests
        assert.strictEqual(records[3]?.fault, "rate-limit:requests")
        assert.strictEqual(records[3]?.faultSource, "rate-limit")
        // a second key has its own buckets
        // (tested below with extraApiKeys)
      })
    )
  )

  it.live("buckets refill in scaled time and keys are independent", () =>
    withFake(
      // a fake minute is one real second: three requests well inside the half second a token takes to
      // refill, even on a loaded machine (at 600× one slow request let the third through)
      { rateLimits: { requestsPerMinute: 2 }, clockScale: 60, extraApiKeys: ["sk-ant-other"] },
      (fake, client) =>
        Effect.gen(function* () {
          yield* attempt(() => client.messages.create(params("a")))
          yield* attempt(() => client.messages.create(params("a")))
          const limited = yield* rejection(() => client.messages.create(params("a")))
          assert.strictEqual((limited as APIError).status, 429)
          // a token refills in half a real second, so the integer retry-after is its minimum: 1 second
          assert.strictEqual((limited as APIError).headers?.get("retry-after"), "1")
          const other = new Anthropic({ apiKey: "sk-ant-other", baseURL: fake.url, maxRetries: 0 })
          const ok = yield* attempt(() => other.messages.create(params("a")))
          assert.strictEqual(ok.type, "message")
          yield* Effect.sleep("600 millis")
          const again = yield* attempt(() => client.messages.create(params("a")))
          assert.strictEqual(again.type, "message")
        })
    )
  )

  it.live("input and output token buckets, with the combined tokens headers", () =>
    withFake({ rateLimits: { inputTokensPerMinute: 100, outputTokensPerMinute: 10_000 } }, (_fake, client) =>
      Effect.gen(function* () {
        const content = "y".repeat(240) // 3 + 4 + 60 = 67 input tokens
        const { data, response } = yield* attempt(() => client.messages.create(params(content)).withResponse())
        assert.strictEqual(data.usage.input_tokens, 67)
        assert.strictEqual(header(response, "anthropic-ratelimit-input-tokens-limit"), "100")
        assert.strictEqual(header(response, "anthropic-ratelimit-input-tokens-remaining"), "33")
        const outputRemaining = 10_000 - data.usage.output_tokens
        assert.strictEqual(header(response, "anthropic-ratelimit-output-tokens-remaining"), String(outputRemaining))
        // "tokens" reports the most restrictive token bucket
        assert.strictEqual(header(response, "anthropic-ratelimit-tokens-limit"), "100")
        assert.strictEqual(header(response, "anthropic-ratelimit-tokens-remaining"), "33")
        const limited = yield* rejection(() => client.messages.create(params(content)))
        assert.instanceOf(limited, Anthropic.RateLimitError)
        assert.include((limited as APIError).message, "100 input tokens per minute")
        // tokens refill at 100/min: 34 missing tokens take ~21 s
        assert.include(["20", "21"], (limited as APIError).headers?.get("retry-after"))
      })
    )
  )
})
