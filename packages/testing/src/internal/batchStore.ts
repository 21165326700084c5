/**
 * A message batch's life on the fake server: created with every item's result drawn at once (seeded by
 * the batch's number), processing until `processingTime` (server time) has passed or a cancel came,
 * then ended with its results. `view` is the SDK's `MessageBatch` at a moment.
 *
 * @internal
 */
import { BatchLimits } from "@claude-resilience/api"
import * as Either from "effect/Either"
import * as Answer from "./answer.js"
import * as ApiError from "./apiError.js"
import * as Completion from "./completion.js"
import * as Preflight from "./preflight.js"
import type { BatchEntry, ItemResult } from "./resource.js"
import * as Resource from "./resource.js"
import type { State } from "./state.js"
import { validate } from "./validate.js"

/** A request of a batch as received (its `custom_id` checked, its params not yet). @internal */
export interface BatchItem {
  readonly custom_id: string
  readonly params: unknown
}

const errored = (type: string, message: string): ItemResult => ({
  type: "errored",
  error: { type: "error", error: { type, message }, request_id: null }
})

/** The result the Messages endpoint would give the params: its 400 / 404, or a message. */
const answered = (state: State, params: unknown): ItemResult => {
  const models = state.config.models
  const checked = validate(params, models.accepts, false)
  if (Either.isLeft(checked)) return errored(checked.left.type, checked.left.message)
  const request = checked.right
  const inputTokens = Completion.estimateTokens(request)
  const refused = Preflight.prefill(models, request) ?? Preflight.contextWindow(models, request, inputTokens)
  if (refused !== undefined) return errored(refused.type, refused.message)
  return { type: "succeeded", message: Answer.make(state.config, request, inputTokens, state.created++, undefined) }
}

/** Stores a new batch; its items' results are drawn now, in order, from the batch's own PRNG. @internal */
export const create = (state: State, items: ReadonlyArray<BatchItem>): BatchEntry => {
  const { batches, seed } = state.config
  const id = Resource.nextId(state, "msgbatch")
  const next = Completion.mulberry32(Completion.hash(`batch:${id}`, seed))
  const types = batches.errorTypes.length > 0 ? batches.errorTypes : ["api_error"]
  const results = items.map((item) => {
    const u = next()
    const v = next()
    const result = answered(state, item.params)
    if (result.type !== "succeeded") return { customId: item.custom_id, result }
    if (u < batches.expiredRate) return { customId: item.custom_id, result: { type: "expired" } as const }
    if (u < batches.expiredRate + batches.erroredRate) {
      const type = types[Math.floor(v * types.length)]!
      return { customId: item.custom_id, result: errored(type, ApiError.messageOf(statusOf(type))) }
    }
    return { customId: item.custom_id, result }
  })
  const now = state.time.now()
  const entry: BatchEntry = {
    id,
    createdAt: now,
    endsAt: now + batches.processingMs,
    canceledAt: undefined,
    items: results
  }
  state.batches.set(id, entry)
  return entry
}

const statusOf = (type: string): number =>
  type === "overloaded_error" ? 529 : type === "rate_limit_error" ? 429 : type === "api_error" ? 500 : 400

/** When processing ended (server ms), if it has. @internal */
export const endedAt = (entry: BatchEntry, now: number): number | undefined =>
  entry.canceledAt !== undefined ? entry.canceledAt : now >= entry.endsAt ? entry.endsAt : undefined

/** An item's final result: what was drawn, or `canceled` when a cancel came first. @internal */
export const resultOf = (entry: BatchEntry, item: BatchEntry["items"][number]): ItemResult =>
  entry.canceledAt !== undefined ? { type: "canceled" } : item.result

/** The SDK's `MessageBatch` at server time `now`. @internal */
export const view = (state: State, entry: BatchEntry, origin: string) => {
  const now = state.time.now()
  const ended = endedAt(entry, now)
  const epoch = (serverMs: number) => Resource.iso(state.time.epoch() - now + serverMs)
  const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 }
  for (const item of entry.items) {
    if (ended === undefined) counts.processing++
    else counts[resultOf(entry, item).type]++
  }
  return {
    id: entry.id,
    type: "message_batch" as const,
    processing_status: ended === undefined ? ("in_progress" as const) : ("ended" as const),
    request_counts: counts,
    created_at: epoch(entry.createdAt),
    expires_at: epoch(entry.createdAt + BatchLimits.processingWindowMs),
    ended_at: ended === undefined ? null : epoch(ended),
    cancel_initiated_at: entry.canceledAt === undefined ? null : epoch(entry.canceledAt),
    archived_at: null,
    results_url: ended === undefined ? null : `${origin}/v1/messages/batches/${entry.id}/results`
  }
}

/** The JSONL lines of an ended batch's results, in request order. @internal */
export const resultLines = (entry: BatchEntry): ReadonlyArray<string> =>
  entry.items.map((item) => `${JSON.stringify({ custom_id: item.customId, result: resultOf(entry, item) })}\n`)
