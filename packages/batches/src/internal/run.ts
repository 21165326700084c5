/**
 * A whole submission to its end: rounds of batches — create, wait, read the results — where every
 * request gets an outcome, and the requests whose outcome may change on a second try (expired, or
 * errored with a retryable error) go into the next round, up to `resubmit` follow-up rounds. Every
 * `custom_id` ends with exactly one final outcome: a request whose batch could not be created, awaited
 * or read ends `Errored` with the error that stopped it.
 */
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { RequestError, WaitTimeoutError } from "../BatchError.js"
import type * as BatchOutcome from "../BatchOutcome.js"
import type * as Batches from "../Batches.js"
import * as Api from "./api.js"
import { errored, isResubmittable } from "./outcome.js"
import { poll } from "./poll.js"
import { results } from "./results.js"
import { createTracked, split, type Tracker, tracked } from "./submit.js"
import { counts, summarize } from "./summary.js"

const DEFAULT_RESUBMIT = 2

/** A wait that ran out cancels the batch and waits for the cancellation to end it. */
const awaitEnd = (
  claude: Claude.Service,
  batchId: string,
  options: Batches.Options | undefined
): Effect.Effect<Batches.MessageBatch, ClaudeError.ClaudeError> => {
  const asClaudeError = (e: ClaudeError.ClaudeError | WaitTimeoutError): ClaudeError.ClaudeError =>
    e._tag === "WaitTimeoutError" ? new ClaudeError.TimeoutError({ message: e.message }) : e
  return poll(batchId, options).pipe(
    Effect.catchTag("WaitTimeoutError", () =>
      Effect.zipRight(Effect.ignore(Api.cancel(claude, batchId, Api.callOptions(options))), poll(batchId, options))
    ),
    Effect.mapError(asClaudeError),
    Effect.provideService(Claude.Claude, claude)
  )
}

/** One batch of requests to an outcome each. */
const runBatch = (
  claude: Claude.Service,
  tracker: Tracker,
  requests: ReadonlyArray<Batches.BatchRequest>,
  options: Batches.Options | undefined
): Effect.Effect<{
  readonly batchId: string | undefined
  readonly outcomes: ReadonlyArray<BatchOutcome.BatchOutcome>
}> =>
  Effect.gen(function* () {
    const failAll = (batchId: string | undefined, error: ClaudeError.ClaudeError) => ({
      batchId,
      outcomes: requests.map((r) => errored(r.custom_id, batchId, error))
    })
    const created = yield* Effect.either(createTracked(claude, tracker, requests, options))
    if (Either.isLeft(created)) return failAll(undefined, created.left)
    const batchId = created.right.id
    const ended = yield* Effect.either(awaitEnd(claude, batchId, options))
    if (Either.isLeft(ended)) return failAll(batchId, ended.left)
    tracker.open.delete(batchId)
    const wanted = new Set(requests.map((r) => r.custom_id))
    const found = new Map<string, BatchOutcome.BatchOutcome>()
    const read = yield* Effect.either(
      Stream.runForEach(results(batchId, options), (outcome) =>
        Effect.sync(() => {
          if (wanted.has(outcome.customId)) found.set(outcome.customId, outcome)
        })
      ).pipe(Effect.provideService(Claude.Claude, claude))
    )
    // the API writes a line per request; one missing is a fault worth another try
    const missing = Either.isLeft(read)
      ? read.left
      : new ClaudeError.ApiError({ message: `the results of batch ${batchId} had no line for this custom_id` })
    return {
      batchId,
      outcomes: requests.map((r) => found.get(r.custom_id) ?? errored(r.custom_id, batchId, missing))
    }
  })

export const run = (
  requests: ReadonlyArray<Batches.BatchRequest>,
  options?: Batches.Options
): Effect.Effect<Batches.Summary, RequestError, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    // validates everything before anything is sent
    yield* split(requests, options)
    const resubmit = Math.max(0, options?.resubmit ?? DEFAULT_RESUBMIT)
    const again = options?.resubmitWhen ?? isResubmittable
    const final = new Map<string, BatchOutcome.BatchOutcome>()
    const rounds: Array<Batches.Round> = []
    return yield* tracked(claude, options, false, (tracker) =>
      Effect.gen(function* () {
        let pending = requests
        for (let round = 0; round <= resubmit && pending.length > 0; round++) {
          const groups = yield* split(pending, options)
          const done = yield* Effect.forEach(groups, (group) => runBatch(claude, tracker, group, options), {
            concurrency: options?.concurrency ?? 4
          })
          const outcomes = done.flatMap((d) => d.outcomes)
          for (const outcome of outcomes) final.set(outcome.customId, outcome)
          const next = round < resubmit ? pending.filter((r) => again(final.get(r.custom_id)!)) : []
          rounds.push({
            batchIds: done.flatMap((d) => (d.batchId === undefined ? [] : [d.batchId])),
            submitted: pending.map((r) => r.custom_id),
            counts: counts(outcomes),
            resubmitted: next.length
          })
          yield* Effect.logInfo("claude.batch.round").pipe(
            Effect.annotateLogs({ round, submitted: pending.length, resubmitted: next.length, ...counts(outcomes) })
          )
          pending = next
        }
        const ordered = requests.map((r) => final.get(r.custom_id)!)
        return { ...summarize(ordered), outcomes: ordered, rounds }
      })
    )
  }).pipe(
    Effect.withSpan("claude.batches.run", {
      attributes: { "claude.batch.requests": requests.length }
    })
  )
