/**
 * Batches with the real SDK over HTTP against FakeClaude: run, split, faults, resumed results,
 * re-runs, interruption.
 */
import Anthropic from "@anthropic-ai/sdk"
import { BatchLimits, Model } from "@claude-resilience/api"
import { Batches, BatchOutcome } from "@claude-resilience/batches"
import { Claude } from "@claude-resilience/client"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Schedule, Stream } from "effect"
import { calls, fastPoll, MODEL, on, request, requests, withFake } from "./fake.js"

const fast = { pollSchedule: fastPoll }

/** An SDK client on the fake, for looking at the server's batches from outside. */
const sdk = Effect.map(
  FakeClaude.FakeClaude,
  (fake) => new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0, logLevel: "off" })
)
const serverBatches = Effect.flatMap(sdk, (client) =>
  Effect.promise(async () => {
    const out: Array<Anthropic.Messages.MessageBatch> = []
    for await (const batch of client.messages.batches.list()) out.push(batch)
    return out
  })
)

/** Waits (real time) until `f` holds of the server's record. */
const until = (f: (seen: ReadonlyArray<string>) => boolean) =>
  Effect.repeat(calls, { until: f, schedule: Schedule.spaced("5 millis") })

describe("Batches.run", () => {
  it.live("runs a submission to one outcome per request, in order, with usage and cost at the batch price", () =>
    Effect.gen(function* () {
      const summary = yield* Batches.run(requests(5), fast)
      expect(summary.outcomes.map((o) => o.customId)).toEqual(requests(5).map((r) => r.custom_id))
      expect(summary.counts).toEqual({ succeeded: 5, errored: 0, canceled: 0, expired: 0 })
      expect(summary.rounds).toHaveLength(1)
      const messages = summary.outcomes.flatMap((o) => (o._tag === "Succeeded" ? [o.message] : []))
      const input = messages.reduce((n, m) => n + m.usage.input_tokens, 0)
      const output = messages.reduce((n, m) => n + m.usage.output_tokens, 0)
      expect(summary.usage.inputTokens).toBe(input)
      expect(summary.usage.outputTokens).toBe(output)
      const list = Model.cost(MODEL, { inputTokens: input, outputTokens: output })!
      expect(summary.cost).toBeCloseTo(list * BatchLimits.priceFactor, 12)
      expect(summary.unpriced).toBe(0)
      expect(yield* calls).toContain("POST /v1/messages/batches")
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("splits a submission over the per-batch limit into several batches", () =>
    Effect.gen(function* () {
      const summary = yield* Batches.run(requests(7), { ...fast, maxRequestsPerBatch: 3 })
      expect(summary.rounds[0]?.batchIds).toHaveLength(3)
      expect(summary.counts.succeeded).toBe(7)
      expect((yield* calls).filter((c) => c === "POST /v1/messages/batches")).toHaveLength(3)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { maxRequests: 3 } })))
  )

  it.live("refuses duplicate or malformed custom_ids before anything is sent", () =>
    Effect.gen(function* () {
      const duplicate = yield* Effect.flip(Batches.run([request("a"), request("a")], fast))
      expect(duplicate._tag).toBe("DuplicateCustomIdError")
      const malformed = yield* Effect.flip(Batches.run([request("a"), request("not ok")], fast))
      expect(malformed._tag).toBe("InvalidCustomIdError")
      expect(yield* calls).toEqual([])
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("retries a create refused with 529 and 429, and polls through 500s", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(
        Fault.matching(Fault.status(529), on("create")),
        Fault.matching(Fault.status(429, { retryAfterMs: "20" }), on("create")),
        Fault.matching(Fault.status(500), on("retrieve")),
        Fault.matching(Fault.status(503), on("retrieve"))
      )
      const summary = yield* Batches.run(requests(3), fast)
      expect(summary.counts.succeeded).toBe(3)
      expect((yield* calls).filter((c) => c === "POST /v1/messages/batches")).toHaveLength(3)
      expect(yield* fake.pendingFaults).toEqual([])
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("re-runs expired and retryably errored items in follow-up batches, up to the bound", () =>
    Effect.gen(function* () {
      const seen: Array<BatchOutcome.BatchOutcome> = []
      const summary = yield* Batches.run(requests(40), {
        ...fast,
        resubmit: 2,
        resubmitWhen: (o) => {
          seen.push(o)
          return BatchOutcome.isResubmittable(o)
        }
      })
      expect(summary.outcomes).toHaveLength(40)
      const [first, second] = summary.rounds
      const rerun = seen.slice(0, 40).filter(BatchOutcome.isResubmittable)
      expect(rerun.length).toBeGreaterThan(0)
      expect(second?.submitted).toEqual(rerun.map((o) => o.customId))
      expect(first?.resubmitted).toBe(rerun.length)
      expect(summary.rounds.length).toBeLessThanOrEqual(3)
      // what is left resubmittable at the end ran in every round
      for (const o of summary.outcomes.filter(BatchOutcome.isResubmittable)) {
        expect(summary.rounds.every((r) => r.submitted.includes(o.customId))).toBe(true)
      }
      expect(summary.counts.succeeded).toBeGreaterThan(first?.counts.succeeded ?? 0)
    }).pipe(Effect.provide(withFake({ seed: 4, batches: { erroredRate: 0.25, expiredRate: 0.15 } })))
  )

  it.live("does not re-run an item that would fail the same way", () =>
    Effect.gen(function* () {
      const summary = yield* Batches.run([request("ok"), request("bad", { model: "claude-nope-1" })], fast)
      expect(summary.rounds).toHaveLength(1)
      const bad = summary.outcomes[1]
      expect(bad?._tag).toBe("Errored")
      if (bad?._tag === "Errored") expect(bad.error._tag).toBe("NotFoundError")
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("errors every item of a batch whose creation is refused for good, without re-running them", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.matching(Fault.status(403), on("create")))
      const summary = yield* Batches.run(requests(2), fast)
      expect(summary.outcomes.map((o) => (o._tag === "Errored" ? o.error._tag : o._tag))).toEqual([
        "PermissionError",
        "PermissionError"
      ])
      expect(summary.outcomes.every((o) => o._tag === "Errored" && o.batchId === undefined)).toBe(true)
      expect(summary.rounds).toHaveLength(1)
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("waits for a batch that takes a while to end (server time, clockScale)", () =>
    Effect.gen(function* () {
      const summary = yield* Batches.run(requests(2), fast)
      expect(summary.counts.succeeded).toBe(2)
      expect((yield* calls).filter((c) => /^GET \/v1\/messages\/batches\/[^/]+$/.test(c)).length).toBeGreaterThan(2)
    }).pipe(Effect.provide(withFake({ seed: 1, clockScale: 36_000, batches: { processingTime: "1 hour" } })))
  )

  it.live("cancels a batch whose wait ran out, and reports its items canceled", () =>
    Effect.gen(function* () {
      const summary = yield* Batches.run(requests(3), {
        pollSchedule: Schedule.spaced("10 millis").pipe(Schedule.upTo("60 millis"))
      })
      expect(summary.counts.canceled).toBe(3)
      expect(yield* calls).toContain(`POST /v1/messages/batches/${summary.rounds[0]?.batchIds[0]}/cancel`)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 hour" } })))
  )

  it.live("cancels the batches it created when interrupted", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Batches.run(requests(2), fast))
      // polling: the batch was created and its id received
      yield* until((seen) => seen.some((c) => c.startsWith("GET /v1/messages/batches/")))
      yield* Fiber.interrupt(fiber)
      const [batch] = yield* serverBatches
      expect(batch?.cancel_initiated_at).not.toBeNull()
      expect(batch?.request_counts.canceled).toBe(2)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 hour" } })))
  )

  it.live("leaves them running when told to", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Batches.run(requests(2), { ...fast, onInterrupt: "leave" }))
      yield* until((seen) => seen.some((c) => c.startsWith("GET /v1/messages/batches/")))
      yield* Fiber.interrupt(fiber)
      const [batch] = yield* serverBatches
      expect(batch?.processing_status).toBe("in_progress")
      expect((yield* calls).some((c) => c.endsWith("/cancel"))).toBe(false)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 hour" } })))
  )
})

describe("Batches.results", () => {
  it.live("resumes a download cut mid-way: every outcome once, none lost", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const [batch] = yield* Batches.submit(requests(10))
      yield* fake.enqueue(
        Fault.matching(Fault.cutStream(3), on("results")),
        Fault.matching(Fault.cutStream(6), on("results"))
      )
      const outcomes = Chunk.toArray(yield* Stream.runCollect(Batches.results(batch!.id)))
      expect(outcomes.map((o) => o.customId)).toEqual(requests(10).map((r) => r.custom_id))
      expect(outcomes.every((o) => o._tag === "Succeeded")).toBe(true)
      const records = yield* fake.requests
      expect(records.filter((r) => r.path.endsWith("/results")).map((r) => r.outcome)).toEqual(["cut", "cut", 200])
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("downloads again a results file that stalls past the idle limit", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const [batch] = yield* Batches.submit(requests(6))
      yield* fake.enqueue(Fault.matching(Fault.stall(0, 1_000), on("results")))
      const outcomes = Chunk.toArray(
        yield* Stream.runCollect(Batches.results(batch!.id, { idleTimeout: "150 millis" }))
      )
      expect(outcomes.map((o) => o.customId)).toEqual(requests(6).map((r) => r.custom_id))
      const downloads = (yield* fake.requests).filter((r) => r.path.endsWith("/results"))
      expect(downloads.length).toBe(2)
      expect(downloads[1]?.outcome).toBe(200)
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )

  it.live("decodes an errored item's error with the errors package", () =>
    Effect.gen(function* () {
      const [batch] = yield* Batches.submit(requests(30))
      const outcomes = Chunk.toArray(yield* Stream.runCollect(Batches.results(batch!.id)))
      const errored = outcomes.filter((o): o is BatchOutcome.Errored => o._tag === "Errored")
      expect(errored.length).toBeGreaterThan(0)
      expect(errored.every((o) => o.error._tag === "OverloadedError" && o.error.status === 529)).toBe(true)
      expect(Batches.summarize(outcomes).counts.errored).toBe(errored.length)
    }).pipe(Effect.provide(withFake({ seed: 2, batches: { erroredRate: 0.3, errorTypes: ["overloaded_error"] } })))
  )

  it.live("ends with the error when re-downloads run out", () =>
    Effect.gen(function* () {
      const [batch] = yield* Batches.submit(requests(5))
      const error = yield* Effect.flip(Stream.runDrain(Batches.results(batch!.id, { retry: Schedule.recurs(1) })))
      expect(error._tag).toBe("ConnectionError")
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { cutResultsRate: 1 } })))
  )
})

describe("Batches.submit", () => {
  it.live("cancels the batches it created when a later creation fails", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(
        Fault.matching(Fault.status(400), (r) => on("create")(r) && JSON.stringify(r.body).includes("item-2"))
      )
      const error = yield* Effect.flip(Batches.submit(requests(4), { maxRequestsPerBatch: 2, concurrency: 1 }))
      expect(error._tag).toBe("InvalidRequestError")
      const batches = yield* serverBatches
      expect(batches).toHaveLength(1)
      expect(batches[0]?.request_counts.canceled).toBe(2)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 hour" } })))
  )

  it.live("creates through Claude.request: the batches circuit, not a model's", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      expect(typeof claude.request).toBe("function")
      const created = yield* Batches.submit(requests(1))
      expect(created[0]?.processing_status).toBe("ended")
      const cancelled = yield* Batches.cancel(created[0]!.id)
      expect(cancelled.processing_status).toBe("ended")
    }).pipe(Effect.provide(withFake({ seed: 1 })))
  )
})
