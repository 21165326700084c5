import Anthropic, { type APIError } from "@anthropic-ai/sdk"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, MODEL, params, rejection, withFake } from "./helpers.js"

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

describe("per-model faults and outages", () => {
  const OTHER = "claude-haiku-4-5"

  it.live("an outage window with models fails those models only", () =>
    withFake({ outages: [{ from: "0 millis", to: "1 hour", status: 529, models: [MODEL] }] }, (fake, client) =>
      Effect.gen(function* () {
        const down = yield* rejection(() => client.messages.create(params("a")))
        assert.strictEqual((down as APIError).status, 529)
        const up = yield* attempt(() => client.messages.create(params("a", { model: OTHER })))
        assert.strictEqual(up.model, OTHER)
        const stats = yield* fake.stats
        assert.strictEqual(stats.byFault["outage:529"], 1)
      })
    )
  )

  it.live("setModelOutage takes a model (or a prefix) down and brings it back", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.setModelOutage(MODEL, true)
        const overloaded = yield* rejection(() => client.messages.stream(params("a")).finalText())
        assert.strictEqual((overloaded as APIError).status, 529)
        assert.strictEqual((yield* attempt(() => client.messages.create(params("b", { model: OTHER })))).model, OTHER)
        yield* fake.setModelOutage("claude-haiku-*", { status: 503, retryAfter: "2" })
        const unavailable = yield* rejection(() => client.messages.create(params("c", { model: OTHER })))
        assert.strictEqual((unavailable as APIError).status, 503)
        assert.strictEqual((unavailable as APIError).headers?.get("retry-after"), "2")
        assert.deepStrictEqual([...(yield* fake.modelOutages).keys()], [MODEL, "claude-haiku-*"])
        yield* fake.reset
        assert.strictEqual((yield* fake.modelOutages).size, 2)
        yield* fake.setModelOutage(MODEL, false)
        yield* fake.setModelOutage("claude-haiku-*", false)
        assert.strictEqual((yield* attempt(() => client.messages.create(params("d")))).model, MODEL)
        assert.strictEqual((yield* attempt(() => client.messages.create(params("e", { model: OTHER })))).model, OTHER)
      })
    )
  )

  it.live("a chaos profile with models strikes only their requests, and keeps its draws for the others", () =>
    Effect.gen(function* () {
      const run = (models: ReadonlyArray<string> | undefined) =>
        withFake({ seed: 3, chaos: { rates: { "529": 0.5 }, ...(models ? { models } : {}) } }, (fake, client) =>
          Effect.gen(function* () {
            for (let i = 0; i < 16; i++) {
              const model = i % 2 === 0 ? MODEL : OTHER
              yield* attempt(() => client.messages.create(params(`q${i}`, { model }))).pipe(Effect.ignore)
            }
            return (yield* fake.requests).map((r) => r.fault ?? "-")
          })
        )
      const everyone = yield* run(undefined)
      const onlyOne = yield* run([MODEL])
      // the same draws: the requests for MODEL fail exactly as before, the others never
      assert.deepStrictEqual(
        onlyOne,
        everyone.map((f, i) => (i % 2 === 0 ? f : "-"))
      )
      assert.isAbove(onlyOne.filter((f) => f !== "-").length, 0)
    })
  )

  it.live("Fault.forModel is consumed by a request for that model only", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.forModel(Fault.status(500), OTHER))
        assert.strictEqual((yield* attempt(() => client.messages.create(params("a")))).model, MODEL)
        assert.strictEqual((yield* fake.pendingFaults).length, 1)
        const failed = yield* rejection(() => client.messages.create(params("b", { model: OTHER })))
        assert.strictEqual((failed as APIError).status, 500)
        assert.strictEqual((yield* fake.pendingFaults).length, 0)
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
      // a fake minute is 5 real seconds: one request refills every 2.5 real seconds, so the three calls
      // below meet an empty bucket even on a loaded machine
      { rateLimits: { requestsPerMinute: 2 }, clockScale: 12, extraApiKeys: ["sk-ant-other"] },
      (fake, client) =>
        Effect.gen(function* () {
          yield* attempt(() => client.messages.create(params("a")))
          yield* attempt(() => client.messages.create(params("a")))
          const limited = yield* rejection(() => client.messages.create(params("a")))
          assert.strictEqual((limited as APIError).status, 429)
          // at most 2.5 real seconds until a request refills: the integer retry-after, rounded up, 1 to 3
          const retryAfter = Number((limited as APIError).headers?.get("retry-after"))
          assert.isTrue(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3, String(retryAfter))
          const other = new Anthropic({ apiKey: "sk-ant-other", baseURL: fake.url, maxRetries: 0 })
          const ok = yield* attempt(() => other.messages.create(params("a")))
          assert.strictEqual(ok.type, "message")
          yield* Effect.sleep("2600 millis")
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
