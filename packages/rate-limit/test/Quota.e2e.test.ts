/**
 * End to end: the real SDK over real HTTP to a FakeClaude that enforces one organisation's
 * limits, two limiters sharing one Redis (two processes of a fleet), wired the way the client
 * will be: admit → request → observe the headers → settle with the usage; a 429 is observed
 * (pausing the key) and retried.
 */
import Anthropic from "@anthropic-ai/sdk"
import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { cleanup, connection, uniquePrefix } from "./redis.js"

const model = "claude-haiku-4-5"
// Scaled 60×: a minute of the server is a second here. The limiter is told the window (headers
// carry whole-second resets, too coarse to learn a one-second window from).
const rateLimits = { requestsPerMinute: 120, inputTokensPerMinute: 100_000, outputTokensPerMinute: 2_000 }

class RateLimited {
  readonly _tag = "RateLimited"
}

const limiter = (prefix: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(QuotaRedis.layer({ prefix }).pipe(Layer.provideMerge(connection())))
    return yield* Effect.provide(Quota.make({ limits: { window: "1 second" }, maxWait: "30 seconds" }), context)
  })

describe("Quota end to end", () => {
  it.live(
    "a fleet of two limiters on one Redis stays under a FakeClaude's limits",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeClaude.FakeClaude
        const prefix = uniquePrefix("e2e")
        const fleet = [yield* limiter(prefix), yield* limiter(prefix)]
        const sdk = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 })
        const key = LimitKey.make(Redacted.make(fake.apiKey), model)
        const waits: Array<number> = []

        const call = (quota: Quota.Service, i: number) => {
          const params = { model, max_tokens: 1_024, messages: [{ role: "user" as const, content: `question ${i}` }] }
          return quota
            .withPermit(
              {
                key,
                inputTokens: FakeClaude.estimateTokens(params),
                outputTokens: quota.reservation(key, params.max_tokens)
              },
              (permit) =>
                Effect.tryPromise({
                  try: () => sdk.messages.create(params).withResponse(),
                  catch: (e) => e
                }).pipe(
                  Effect.tap(({ data, response }) =>
                    Effect.zipRight(
                      quota.observe(key, response.headers),
                      permit.settle({ inputTokens: data.usage.input_tokens, outputTokens: data.usage.output_tokens })
                    )
                  ),
                  Effect.tap(() => Effect.sync(() => waits.push(Duration.toMillis(permit.waited)))),
                  Effect.catchAll((e) =>
                    e instanceof Anthropic.APIError
                      ? Effect.zipRight(
                          Effect.zipRight(quota.observe(key, e.headers, e.status), permit.settle({ outputTokens: 0 })),
                          Effect.fail(new RateLimited())
                        )
                      : Effect.die(e)
                  )
                )
            )
            .pipe(
              Effect.retry({
                while: (e) => e instanceof RateLimited,
                schedule: Schedule.spaced("50 millis"),
                times: 20
              })
            )
        }

        // 8 callers (4 per process), 6 calls each: 48 answers of ~225 output tokens, each reserving 1,024
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, caller) =>
            Effect.forEach(
              Array.from({ length: 6 }, (_, i) => caller * 6 + i),
              (i) => call(fleet[caller % 2]!, i)
            )
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.flat().length, 48)
        const stats = yield* fake.stats
        const attempts = stats.total
        // the limit was reached (callers waited), and almost nothing was answered 429
        assert.isAbove(Math.max(...waits), 0)
        assert.isAtMost(stats.byOutcome["429"] ?? 0, Math.ceil(attempts * 0.02))
        const answered = (yield* fake.requests).filter((r) => r.outcome === 200)
        const output = answered.reduce((sum, r) => sum + (r.outputTokens ?? 0), 0)
        // reconciliation: more output went through than reservations alone would have allowed
        assert.isAbove(output / answered.length, 0)
        assert.isBelow(output / answered.length, 1_024 / 2)
        yield* Effect.provide(cleanup(prefix), connection())
      }).pipe(Effect.provide(FakeClaude.layer({ seed: 7, clockScale: 60, rateLimits })), Effect.scoped),
    60_000
  )
})
