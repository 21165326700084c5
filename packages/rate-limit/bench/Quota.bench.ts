import { LimitKey, Quota } from "@claude-resilience/rate-limit"
import { Effect, Exit, ManagedRuntime, Redacted } from "effect"
import { bench, describe } from "vitest"

// What an attempt of the client asks of the limiter in its default, in-memory mode: one admission
// and its settlement with the reply's usage, then the reply's rate-limit headers observed.
const key = LimitKey.make(Redacted.make("sk-ant-bench"), "claude-sonnet-4-6")
const request: Quota.Request = { key, inputTokens: 1_200, outputTokens: 1_024 }
const usage: Quota.Usage = { inputTokens: 1_180, outputTokens: 212 }
const reset = new Date(Date.now() + 60_000).toISOString()
const headers = new Headers({
  "anthropic-ratelimit-requests-limit": "1000000000",
  "anthropic-ratelimit-requests-remaining": "999999999",
  "anthropic-ratelimit-requests-reset": reset,
  "anthropic-ratelimit-input-tokens-limit": "1000000000000",
  "anthropic-ratelimit-input-tokens-remaining": "999999999999",
  "anthropic-ratelimit-input-tokens-reset": reset,
  "anthropic-ratelimit-output-tokens-limit": "1000000000000",
  "anthropic-ratelimit-output-tokens-remaining": "999999999999",
  "anthropic-ratelimit-output-tokens-reset": reset
})

// Limits far above what a run takes, so the buckets always have room.
const learned = ManagedRuntime.make(Quota.layer())
const configured = ManagedRuntime.make(
  Quota.layer({
    limits: { requestsPerMinute: 1e12, inputTokensPerMinute: 1e15, outputTokensPerMinute: 1e15 }
  })
)
const batch = 1_000

const attempt = (quota: Quota.Service) =>
  quota.withPermit(request, (permit) => Effect.zipRight(Effect.void, permit.settle(usage)))
const observed = (quota: Quota.Service) => Effect.zipRight(attempt(quota), quota.observe(key, headers))
const batched = <A, E>(
  runtime: ManagedRuntime.ManagedRuntime<Quota.Quota, never>,
  f: (quota: Quota.Service) => Effect.Effect<A, E>
) => {
  const quota = runtime.runSync(Quota.Quota)
  return Effect.repeatN(f(quota), batch - 1)
}

const baseline = Effect.repeatN(Effect.void, batch - 1)
const unlimited = batched(learned, attempt)
const limited = batched(configured, attempt)
const full = batched(configured, observed)
learned.runSync(Effect.flatMap(Quota.Quota, (quota) => quota.observe(key, headers)))
const learnedFull = batched(learned, observed)

const run = <A, E>(runtime: ManagedRuntime.ManagedRuntime<Quota.Quota, never>, effect: Effect.Effect<A, E>) =>
  Exit.getOrElse(runtime.runSyncExit(effect), () => undefined)

describe("Quota in memory (per 1,000 attempts)", () => {
  bench("baseline: Effect.void without a limiter", () => {
    run(configured, baseline)
  })
  bench("withPermit + settle, configured limits with room", () => {
    run(configured, limited)
  })
  bench("withPermit + settle, limits learned from headers", () => {
    run(learned, unlimited)
  })
  bench("withPermit + settle + observe(headers), configured limits", () => {
    run(configured, full)
  })
  bench("withPermit + settle + observe(headers), learned limits", () => {
    run(learned, learnedFull)
  })
})
