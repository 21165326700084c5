/**
 * For any mix of item outcomes and faults, over real HTTP against FakeClaude: every `custom_id` ends
 * with exactly one outcome, and the items that expired or errored retryably are re-run, each round,
 * up to the bound — and no other item is.
 */
import { Batches, BatchOutcome } from "@claude-resilience/batches"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { fastPoll, on, request, withFake } from "./fake.js"

type Endpoint = "create" | "retrieve" | "results"

const faultArb = fc.record({
  endpoint: fc.constantFrom<Endpoint>("create", "retrieve", "results"),
  fault: fc.oneof(
    fc.constantFrom(500, 503, 529, 429, 400).map((status) => Fault.status(status, { retryAfterMs: "5" })),
    fc.integer({ min: 0, max: 12 }).map((after) => Fault.cutStream(after)),
    fc.constant(Fault.reset())
  )
})

const scenarioArb = fc.record({
  seed: fc.integer({ min: 0, max: 1_000 }),
  items: fc.integer({ min: 1, max: 16 }),
  badModel: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
  erroredRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
  expiredRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  errorTypes: fc.subarray(["overloaded_error", "api_error", "rate_limit_error", "invalid_request_error"], {
    minLength: 1
  }),
  cutResultsRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
  faults: fc.array(faultArb, { maxLength: 6 }),
  resubmit: fc.integer({ min: 0, max: 3 }),
  maxRequestsPerBatch: fc.integer({ min: 1, max: 8 })
})

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer A> ? A : never

const runScenario = (s: Scenario) =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.FakeClaude
    yield* fake.enqueue(...s.faults.map(({ endpoint, fault }) => Fault.matching(fault, on(endpoint))))
    const requests = Array.from({ length: s.items }, (_, i) =>
      request(`item-${i}`, s.badModel[i] === true ? { model: "claude-nope-1" } : {})
    )
    const decided: Array<BatchOutcome.BatchOutcome> = []
    const summary = yield* Batches.run(requests, {
      pollSchedule: fastPoll,
      resubmit: s.resubmit,
      maxRequestsPerBatch: s.maxRequestsPerBatch,
      resubmitWhen: (outcome) => {
        decided.push(outcome)
        return BatchOutcome.isResubmittable(outcome)
      }
    })

    // exactly one final outcome per custom_id, in request order
    const ids = requests.map((r) => r.custom_id)
    expect(summary.outcomes.map((o) => o.customId)).toEqual(ids)
    const { counts } = summary
    expect(counts.succeeded + counts.errored + counts.canceled + counts.expired).toBe(s.items)

    // rounds: the first submits everything; each next one exactly the re-runnable outcomes of the one before
    const rounds = summary.rounds
    expect(rounds[0]?.submitted).toEqual(ids)
    expect(rounds.length).toBeLessThanOrEqual(s.resubmit + 1)
    let at = 0
    for (let r = 0; r < rounds.length; r++) {
      const submitted = rounds[r]!.submitted
      if (r === s.resubmit) break
      // the outcomes decided in round r, in the order submitted
      const round = decided.slice(at, at + submitted.length)
      at += submitted.length
      expect(round.map((o) => o.customId)).toEqual(submitted)
      const rerun = round.filter(BatchOutcome.isResubmittable).map((o) => o.customId)
      expect(rounds[r + 1]?.submitted ?? []).toEqual(rerun)
    }
    expect(at).toBe(decided.length)

    // an outcome still re-runnable at the end ran in every round, up to the bound
    for (const outcome of summary.outcomes.filter(BatchOutcome.isResubmittable)) {
      expect(rounds).toHaveLength(s.resubmit + 1)
      expect(rounds.every((r) => r.submitted.includes(outcome.customId))).toBe(true)
    }
    // the final outcome of an item is the one of the last round it ran in
    const last = rounds[rounds.length - 1]!
    expect(last.counts).toEqual(
      Batches.summarize(summary.outcomes.filter((o) => last.submitted.includes(o.customId))).counts
    )
  }).pipe(
    Effect.provide(
      withFake({
        seed: s.seed,
        batches: {
          erroredRate: s.erroredRate,
          expiredRate: s.expiredRate,
          errorTypes: s.errorTypes,
          cutResultsRate: s.cutResultsRate
        }
      })
    )
  )

describe("Batches.run, for any mix of outcomes and faults", () => {
  it.live.prop(
    "every custom_id ends with exactly one outcome; re-runnable items are re-run up to the bound",
    [scenarioArb],
    ([scenario]) => runScenario(scenario),
    { fastCheck: { numRuns: 20 }, timeout: 120_000 }
  )
})
