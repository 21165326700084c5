/**
 * Waiting for a batch to end: a retrieve per step of a `Schedule` that starts short and grows toward
 * the expected processing time, never shorter than a `retry-after` the last failure carried, up to
 * `maxWait`. A retrieve is itself a resilient request; a failure it could not retry away counts as a
 * step when it is retryable, and ends the wait when it is not.
 */
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import { WaitTimeoutError } from "../BatchError.js"
import type * as Batches from "../Batches.js"
import * as Api from "./api.js"

const DEFAULT_INTERVAL = Duration.seconds(5)
const DEFAULT_EXPECTED = Duration.hours(1)
const DEFAULT_MAX_WAIT = Duration.hours(25)

/**
 * Exponential from `pollInterval` (×1.5 a step, ±20 % jitter), capped at a tenth of the expected
 * processing time, for at most `maxWait`.
 */
export const pollSchedule = (
  options?: Batches.PollScheduleOptions
): Schedule.Schedule<Duration.Duration, Batches.PollInput> => {
  const interval = Duration.decode(options?.pollInterval ?? DEFAULT_INTERVAL)
  const expected = Duration.decode(options?.expectedProcessingTime ?? DEFAULT_EXPECTED)
  const cap = Duration.max(interval, Duration.unsafeDivide(expected, 10))
  return RetryPolicy.exponentialBackoff({ base: interval, cap, factor: 1.5 }).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap)),
    Schedule.upTo(options?.maxWait ?? DEFAULT_MAX_WAIT)
  )
}

const isEnded = (seen: Batches.PollInput): seen is Batches.MessageBatch =>
  !ClaudeError.isClaudeError(seen) && seen.processing_status === "ended"

/** Polls until the batch has ended, or fails: a non-retryable error, or the schedule ran out. */
export const poll = (
  batchId: string,
  options?: Batches.PollOptions
): Effect.Effect<Batches.MessageBatch, ClaudeError.ClaudeError | WaitTimeoutError, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const schedule = RetryPolicy.withRetryAfter(options?.pollSchedule ?? pollSchedule(options))
    const driver = yield* Schedule.driver(schedule)
    const call = Api.callOptions(options)
    for (;;) {
      const seen = yield* Effect.either(Api.retrieve(claude, batchId, call))
      if (Either.isLeft(seen) && !ClaudeError.isRetryable(seen.left)) return yield* Effect.fail(seen.left)
      const input = Either.isRight(seen) ? seen.right : seen.left
      if (isEnded(input)) return input
      yield* driver
        .next(input)
        .pipe(
          Effect.catchAll(() =>
            Effect.fail(
              new WaitTimeoutError({ message: `batch ${batchId} had not ended when the wait ran out`, batchId })
            )
          )
        )
    }
  }).pipe(Effect.withSpan("claude.batches.poll", { attributes: { "claude.batch.id": batchId } }))
