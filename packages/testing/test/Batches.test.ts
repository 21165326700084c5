/**
 * FakeClaude's Message Batches endpoints through the real SDK over HTTP.
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, eventually, MODEL, params, rejection, withFake } from "./helpers.js"

type Request = Anthropic.Messages.BatchCreateParams.Request

const requests = (n: number, prefix = "item"): ReadonlyArray<Request> =>
  Array.from({ length: n }, (_, i) => ({ custom_id: `${prefix}-${i}`, params: params(`Question ${i}`) }))

const readResults = (client: Anthropic, id: string) =>
  attempt(async () => {
    const out: Array<Anthropic.Messages.MessageBatchIndividualResponse> = []
    for await (const line of await client.messages.batches.results(id)) out.push(line)
    return out
  })

const statusOf = (e: unknown): number | undefined => (e as { status?: number }).status

describe("FakeClaude Message Batches", () => {
  it.live("creates a batch that ends with a result per custom_id", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(5)] }))
        assert.match(created.id, /^msgbatch_01/)
        assert.strictEqual(created.type, "message_batch")
        const batch = yield* attempt(() => client.messages.batches.retrieve(created.id))
        assert.strictEqual(batch.processing_status, "ended")
        assert.deepStrictEqual(batch.request_counts, {
          processing: 0,
          succeeded: 5,
          errored: 0,
          canceled: 0,
          expired: 0
        })
        assert.match(batch.results_url ?? "", /\/v1\/messages\/batches\/msgbatch_01\w+\/results$/)
        const lines = yield* readResults(client, created.id)
        assert.deepStrictEqual(
          lines.map((l) => l.custom_id),
          requests(5).map((r) => r.custom_id)
        )
        for (const line of lines) {
          assert.strictEqual(line.result.type, "succeeded")
          if (line.result.type === "succeeded") assert.strictEqual(line.result.message.model, MODEL)
        }
      })
    )
  )

  it.live("keeps a batch in progress for its processing time, in server time", () =>
    withFake({ seed: 1, clockScale: 1000, batches: { processingTime: "100 seconds" } }, (_fake, client) =>
      Effect.gen(function* () {
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(3)] }))
        assert.strictEqual(created.processing_status, "in_progress")
        assert.strictEqual(created.request_counts.processing, 3)
        assert.isNull(created.results_url)
        const notReady = yield* rejection(() => client.messages.batches.results(created.id))
        assert.match(String(notReady), /results_url/)
        const ended = yield* eventually(
          attempt(() => client.messages.batches.retrieve(created.id)).pipe(Effect.orDie),
          (b) => b.processing_status === "ended",
          50
        )
        assert.strictEqual(ended.request_counts.succeeded, 3)
      })
    )
  )

  it.live("refuses what the API refuses: duplicate or malformed custom_ids, too many requests, too many bytes", () =>
    withFake({ seed: 1, batches: { maxRequests: 3, maxBytes: 4000 } }, (fake, client) =>
      Effect.gen(function* () {
        const duplicate = yield* rejection(() =>
          client.messages.batches.create({ requests: [...requests(1), ...requests(1)] })
        )
        assert.strictEqual(statusOf(duplicate), 400)
        assert.match(String(duplicate), /duplicate custom_id 'item-0'/)
        const malformed = yield* rejection(() =>
          client.messages.batches.create({ requests: [{ custom_id: "has space", params: params("x") }] })
        )
        assert.match(String(malformed), /custom_id: String should match pattern/)
        const tooMany = yield* rejection(() => client.messages.batches.create({ requests: [...requests(4)] }))
        assert.match(String(tooMany), /at most 3 items/)
        const big = "x".repeat(5000)
        const tooLarge = yield* rejection(() =>
          client.messages.batches.create({ requests: [{ custom_id: "big", params: params(big) }] })
        )
        assert.strictEqual(statusOf(tooLarge), 413)
        const listed = yield* attempt(() => client.messages.batches.list())
        assert.strictEqual(listed.data.length, 0)
        assert.strictEqual((yield* fake.stats).byOutcome["400"], 3)
      })
    )
  )

  it.live("draws errored and expired items from the seed, and errors an item the Messages API would refuse", () =>
    Effect.gen(function* () {
      const options = { seed: 9, batches: { erroredRate: 0.2, expiredRate: 0.2, errorTypes: ["overloaded_error"] } }
      const run = withFake(options, (_fake, client) =>
        Effect.gen(function* () {
          const body = [...requests(40), { custom_id: "bad-model", params: params("x", { model: "claude-nope-9" }) }]
          const created = yield* attempt(() => client.messages.batches.create({ requests: body }))
          return yield* readResults(client, created.id)
        })
      )
      const first = yield* run
      const second = yield* run
      assert.deepStrictEqual(first, second)
      const types = first.map((l) => l.result.type)
      assert.isAbove(types.filter((t) => t === "errored").length, 1)
      assert.isAbove(types.filter((t) => t === "expired").length, 1)
      assert.isAbove(types.filter((t) => t === "succeeded").length, 10)
      const bad = first.find((l) => l.custom_id === "bad-model")?.result
      assert.strictEqual(bad?.type, "errored")
      if (bad?.type === "errored") assert.strictEqual(bad.error.error.type, "not_found_error")
      const drawn = first.find((l) => l.result.type === "errored" && l.custom_id !== "bad-model")?.result
      if (drawn?.type === "errored") assert.strictEqual(drawn.error.error.type, "overloaded_error")
    })
  )

  it.live("cancels a batch in progress: every item canceled; deletes only an ended batch", () =>
    withFake({ seed: 1, batches: { processingTime: "1 hour" } }, (_fake, client) =>
      Effect.gen(function* () {
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(4)] }))
        const early = yield* rejection(() => client.messages.batches.delete(created.id))
        assert.strictEqual(statusOf(early), 400)
        const canceling = yield* attempt(() => client.messages.batches.cancel(created.id))
        assert.strictEqual(canceling.processing_status, "canceling")
        assert.isNotNull(canceling.cancel_initiated_at)
        const ended = yield* attempt(() => client.messages.batches.retrieve(created.id))
        assert.strictEqual(ended.processing_status, "ended")
        assert.strictEqual(ended.request_counts.canceled, 4)
        const lines = yield* readResults(client, created.id)
        assert.deepStrictEqual(
          lines.map((l) => l.result.type),
          ["canceled", "canceled", "canceled", "canceled"]
        )
        const deleted = yield* attempt(() => client.messages.batches.delete(created.id))
        assert.deepStrictEqual(deleted, { id: created.id, type: "message_batch_deleted" })
        const gone = yield* rejection(() => client.messages.batches.retrieve(created.id))
        assert.strictEqual(statusOf(gone), 404)
      })
    )
  )

  it.live("cuts a results download mid-way on a cutStream fault: the lines before the cut arrive, then an error", () =>
    withFake({ seed: 1 }, (fake, client) =>
      Effect.gen(function* () {
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(10)] }))
        yield* fake.enqueue(Fault.matching(Fault.cutStream(4), (r) => r.path.endsWith("/results")))
        const seen: Array<string> = []
        const failure = yield* rejection(async () => {
          for await (const line of await client.messages.batches.results(created.id)) seen.push(line.custom_id)
        })
        assert.deepStrictEqual(seen, ["item-0", "item-1", "item-2", "item-3"])
        assert.isDefined(failure)
        const records = yield* fake.requests
        assert.strictEqual(records[records.length - 1]?.outcome, "cut")
        const again = yield* readResults(client, created.id)
        assert.strictEqual(again.length, 10)
      })
    )
  )

  it.live("cuts results downloads at cutResultsRate", () =>
    withFake({ seed: 2, batches: { cutResultsRate: 1 } }, (_fake, client) =>
      Effect.gen(function* () {
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(20)] }))
        const failure = yield* rejection(() => readResults(client, created.id).pipe(Effect.runPromise))
        assert.isDefined(failure)
      })
    )
  )

  it.live("applies scripted faults and chaos to the batch endpoints", () =>
    withFake({ seed: 1, chaos: { rates: { "529": 1 } } }, (fake, client) =>
      Effect.gen(function* () {
        const overloaded = yield* rejection(() => client.messages.batches.list())
        assert.strictEqual(statusOf(overloaded), 529)
        yield* fake.setChaos(undefined)
        yield* fake.enqueue(Fault.matching(Fault.status(429, { retryAfter: "2" }), (r) => r.method === "POST"))
        const limited = yield* rejection(() => client.messages.batches.create({ requests: [...requests(1)] }))
        assert.strictEqual(statusOf(limited), 429)
        const created = yield* attempt(() => client.messages.batches.create({ requests: [...requests(1)] }))
        assert.strictEqual(created.request_counts.succeeded, 1)
      })
    )
  )

  it.live("lists batches newest first in pages", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        const ids: Array<string> = []
        for (let i = 0; i < 3; i++) {
          ids.push((yield* attempt(() => client.messages.batches.create({ requests: [...requests(1)] }))).id)
        }
        const first = yield* attempt(() => client.messages.batches.list({ limit: 2 }))
        assert.deepStrictEqual(
          first.data.map((b) => b.id),
          [ids[2], ids[1]]
        )
        assert.isTrue(first.has_more)
        const all = yield* attempt(async () => {
          const out: Array<string> = []
          for await (const b of client.messages.batches.list({ limit: 2 })) out.push(b.id)
          return out
        })
        assert.deepStrictEqual(all, [...ids].reverse())
      })
    )
  )
})
