/**
 * Submitting: validate every request, split into batches within the limits, create each one
 * (a resilient request), and keep track of the batches created and not yet ended, so that an
 * interruption can cancel them (or leave them running, if the caller says so).
 */
import { BatchLimits } from "@claude-resilience/api"
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RequestError } from "../BatchError.js"
import type * as Batches from "../Batches.js"
import * as Api from "./api.js"
import { split as splitBy } from "./split.js"
import { validateAll } from "./validate.js"

/** How long the cancellations of an interrupted submission may take. */
const CANCEL_BUDGET = Duration.seconds(30)

export const limitsOf = (options: Batches.SubmitOptions | undefined): Batches.Limits => ({
  maxRequests: options?.maxRequestsPerBatch ?? BatchLimits.maxRequests,
  maxBytes: options?.maxBytesPerBatch ?? BatchLimits.maxBytes
})

/** The validated requests, grouped into batches within the limits. */
export const split = (
  requests: ReadonlyArray<Batches.BatchRequest>,
  options?: Batches.SubmitOptions
): Effect.Effect<ReadonlyArray<ReadonlyArray<Batches.BatchRequest>>, RequestError> => {
  const limits = limitsOf(options)
  return Effect.map(validateAll(requests, limits.maxBytes), (sizes) => splitBy(requests, sizes, limits))
}

/** The batches created and not yet ended. */
export interface Tracker {
  readonly open: Set<string>
}

export const makeTracker = (): Tracker => ({ open: new Set() })

/** Cancels every open batch, each within the budget; failures are logged, not raised (this runs on interruption). */
export const cancelOpen = (
  claude: Claude.Service,
  tracker: Tracker,
  options: Batches.SubmitOptions | undefined
): Effect.Effect<void> =>
  Effect.suspend(() =>
    Effect.forEach(
      [...tracker.open],
      (batchId) =>
        Api.cancel(claude, batchId, Api.callOptions(options)).pipe(
          Effect.timeout(CANCEL_BUDGET),
          Effect.tap(() => Effect.sync(() => tracker.open.delete(batchId))),
          Effect.catchAll((e) =>
            Effect.logWarning("claude.batch.cancel_failed").pipe(
              Effect.annotateLogs({ batch_id: batchId, error_tag: e._tag })
            )
          )
        ),
      { concurrency: "unbounded", discard: true }
    )
  )

/** Runs `self` with a tracker; on interruption (or failure, when `onFailure`), cancels what it left open. */
export const tracked = <A, E, R>(
  claude: Claude.Service,
  options: Batches.SubmitOptions | undefined,
  onFailure: boolean,
  self: (tracker: Tracker) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const tracker = makeTracker()
  const cleanup = options?.onInterrupt === "leave" ? Effect.void : cancelOpen(claude, tracker, options)
  return self(tracker).pipe(
    Effect.onInterrupt(() => cleanup),
    onFailure ? Effect.tapErrorCause(() => cleanup) : (effect) => effect
  )
}

/** Creates one batch, tracked as open. */
export const createTracked = (
  claude: Claude.Service,
  tracker: Tracker,
  requests: ReadonlyArray<Batches.BatchRequest>,
  options: Batches.SubmitOptions | undefined
): Effect.Effect<Batches.MessageBatch, ClaudeError.ClaudeError> =>
  // uninterruptible from the answer to the bookkeeping: a batch created is a batch tracked
  Effect.uninterruptibleMask((restore) =>
    restore(Api.create(claude, requests, Api.callOptions(options))).pipe(
      Effect.tap((batch) => Effect.sync(() => tracker.open.add(batch.id)))
    )
  )

export const submit = (
  requests: ReadonlyArray<Batches.BatchRequest>,
  options?: Batches.SubmitOptions
): Effect.Effect<ReadonlyArray<Batches.MessageBatch>, RequestError | ClaudeError.ClaudeError, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const groups = yield* split(requests, options)
    return yield* tracked(claude, options, true, (tracker) =>
      Effect.forEach(groups, (group) => createTracked(claude, tracker, group, options), {
        concurrency: options?.concurrency ?? 4
      })
    )
  }).pipe(Effect.withSpan("claude.batches.submit", { attributes: { "claude.batch.requests": requests.length } }))

export const cancel = (
  batchId: string,
  options?: Claude.CallOptions
): Effect.Effect<Batches.MessageBatch, ClaudeError.ClaudeError, Claude.Claude> =>
  Effect.flatMap(Claude.Claude, (claude) => Api.cancel(claude, batchId, Api.callOptions(options)))
