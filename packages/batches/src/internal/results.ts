/**
 * The results of an ended batch as a stream of outcomes, read line by line from the JSONL results
 * file. A download cut mid-way (or stalled past the idle limit) is downloaded again on the retry
 * schedule, and the lines of the `custom_id`s already emitted are skipped: no item lost, none twice,
 * whatever order the file is in.
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as BatchOutcome from "../BatchOutcome.js"
import * as Api from "./api.js"
import { fromResponse } from "./outcome.js"

type Line = Anthropic.Messages.MessageBatchIndividualResponse

/** How long a download may go without a line before it counts as stalled (as a message stream's idle limit). */
const DEFAULT_IDLE = Duration.seconds(90)

/**
 * One download: the file opened in one attempt, its lines as they arrive, a stall (no line for the
 * idle limit) a retryable `TimeoutError`; aborted when the stream ends.
 */
const download = (
  claude: Claude.Service,
  batchId: string,
  options: Claude.CallOptions,
  idle: Duration.Duration | undefined
): Stream.Stream<Line, ClaudeError.ClaudeError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const decoder = yield* Api.openResults(claude, batchId, options)
      yield* Effect.addFinalizer(() => Effect.sync(() => decoder.controller.abort()))
      const lines = Stream.fromAsyncIterable(decoder, identity).pipe(
        Stream.catchAll((e) =>
          Stream.fromEffect(Effect.flatMap(ClaudeError.fromUnknown(e, { phase: "stream" }), Effect.fail))
        )
      )
      return idle === undefined
        ? lines
        : Stream.timeoutFail(
            lines,
            () =>
              new ClaudeError.TimeoutError({
                message: `no results line of batch ${batchId} for ${Duration.format(idle)}`,
                timeout: idle,
                phase: "stream"
              }),
            idle
          )
    })
  )

/** The schedule of re-downloads: the call's (`false`: none), else the `RetryPolicy` override, else the client's. */
const scheduleOf = (claude: Claude.Service, options: Claude.CallOptions) =>
  options.retry === false
    ? Effect.succeed(Schedule.stop)
    : options.retry !== undefined
      ? Effect.succeed(options.retry)
      : RetryPolicy.resolve(claude.retrySchedule)

export const results = (
  batchId: string,
  options?: Claude.CallOptions
): Stream.Stream<BatchOutcome.BatchOutcome, ClaudeError.ClaudeError, Claude.Claude> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const call = Api.callOptions(options)
      const schedule = yield* scheduleOf(claude, call)
      const idle = options?.idleTimeout === false ? undefined : Duration.decode(options?.idleTimeout ?? DEFAULT_IDLE)
      return Stream.suspend(() => {
        const seen = new Set<string>()
        return download(claude, batchId, call, idle).pipe(
          Stream.filter((line) => !seen.has(line.custom_id)),
          Stream.tap((line) => Effect.sync(() => seen.add(line.custom_id))),
          Stream.retry(schedule),
          Stream.mapEffect((line) => Effect.map(Clock.currentTimeMillis, (now) => fromResponse(line, batchId, now)))
        )
      })
    })
  )
