/**
 * The Message Batches API with the client's resilience: a submission validated before anything is
 * sent and split to the API's limits, batches created through the resilient request (retry → breaker
 * → timeout), polled on a `Schedule` that honours `retry-after`, their results streamed and decoded
 * per `custom_id` — a cut download resumes without losing or repeating an item — and the requests
 * that expired or failed retryably re-run in follow-up batches. Interrupting cancels the batches
 * created (or leaves them running).
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type * as BatchError from "./BatchError.js"
import type * as BatchOutcome from "./BatchOutcome.js"
import * as poll_ from "./internal/poll.js"
import * as results_ from "./internal/results.js"
import * as run_ from "./internal/run.js"
import * as submit_ from "./internal/submit.js"
import * as summary from "./internal/summary.js"

/**
 * One request of a batch: a `custom_id` and the params of a Messages call (the SDK's type).
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const request: Batches.BatchRequest = {
 *   custom_id: "row-1",
 *   params: { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user", content: "Summarise row 1" }] }
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BatchRequest = Anthropic.Messages.BatchCreateParams.Request

/**
 * A batch as the API describes it (the SDK's type).
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const done = (batch: Batches.MessageBatch) => batch.processing_status === "ended"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageBatch = Anthropic.Messages.MessageBatch

/**
 * The limits a split keeps each batch within.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const small: Batches.Limits = { maxRequests: 1_000, maxBytes: 10 * 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Limits {
  readonly maxRequests: number
  readonly maxBytes: number
}

/**
 * Options of {@link submit} (and {@link run}), besides those of each request (`retry`, `timeout`,
 * `circuitKey`, `headers`).
 *
 * | option | default |
 * |---|---|
 * | `maxRequestsPerBatch` | `BatchLimits.maxRequests` (100,000) |
 * | `maxBytesPerBatch` | `BatchLimits.maxBytes` (256 MB) |
 * | `concurrency` | 4 batches created (and, in `run`, awaited and read) at once |
 * | `onInterrupt` | `"cancel"`: interrupting cancels the batches created and not ended; `"leave"` leaves them running. For `submit`, a failed creation after others succeeded does the same |
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const options: Batches.SubmitOptions = { maxRequestsPerBatch: 10_000, onInterrupt: "leave" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface SubmitOptions extends Claude.CallOptions {
  readonly maxRequestsPerBatch?: number | undefined
  readonly maxBytesPerBatch?: number | undefined
  readonly concurrency?: number | undefined
  readonly onInterrupt?: "cancel" | "leave" | undefined
}

/**
 * What each poll saw: the batch, or the error its retrieve ended with. A poll schedule reads it (the
 * `retry-after` of an error is a floor on the next wait).
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const processing = (seen: Batches.PollInput) => ("request_counts" in seen ? seen.request_counts.processing : undefined)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type PollInput = MessageBatch | ClaudeError.ClaudeError

/**
 * Options of the default {@link pollSchedule}.
 *
 * | option | default |
 * |---|---|
 * | `pollInterval` | 5 seconds: the first wait; each next one is 1.5 × longer (±20 % jitter) |
 * | `expectedProcessingTime` | 1 hour (most batches end within an hour, batch-processing guide): waits stop growing at a tenth of it |
 * | `maxWait` | 25 hours (a batch expires 24 hours after creation) |
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const options: Batches.PollScheduleOptions = { pollInterval: "30 seconds", expectedProcessingTime: "6 hours" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface PollScheduleOptions {
  readonly pollInterval?: Duration.DurationInput | undefined
  readonly expectedProcessingTime?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * Options of {@link poll}: those of each retrieve, the default schedule's, or a `pollSchedule` of your
 * own (a `retry-after` floor is added to it).
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 * import { Schedule } from "effect"
 *
 * const options: Batches.PollOptions = { pollSchedule: Schedule.spaced("1 minute").pipe(Schedule.upTo("2 hours")) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface PollOptions extends Claude.CallOptions, PollScheduleOptions {
  readonly pollSchedule?: Schedule.Schedule<unknown, PollInput> | undefined
}

/**
 * Options of {@link run}: those of {@link submit} and {@link poll}, and the follow-up rounds.
 *
 * | option | default |
 * |---|---|
 * | `resubmit` | 2 follow-up rounds at most |
 * | `resubmitWhen` | `BatchOutcome.isResubmittable`: expired, or errored with a retryable error |
 *
 * `retry` (a schedule, or `false`) applies to every request: creations, polls, cancellations, and
 * the re-downloads of a cut results file.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const options: Batches.Options = { resubmit: 3, expectedProcessingTime: "10 minutes", onInterrupt: "leave" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends SubmitOptions, PollOptions {
  readonly resubmit?: number | undefined
  readonly resubmitWhen?: ((outcome: BatchOutcome.BatchOutcome) => boolean) | undefined
}

/**
 * Outcomes by kind.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const total = (c: Batches.Counts) => c.succeeded + c.errored + c.canceled + c.expired
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Counts {
  readonly succeeded: number
  readonly errored: number
  readonly canceled: number
  readonly expired: number
}

/**
 * Tokens summed over the succeeded requests.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const tokens = (u: Batches.Usage) => u.inputTokens + u.outputTokens
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cacheCreationInputTokens: number
  readonly cacheReadInputTokens: number
}

/**
 * Counts, usage and cost of a set of outcomes. `cost` is in US dollars at the batch price
 * (`Model.cost` × `BatchLimits.priceFactor`); `unpriced` counts the succeeded requests whose model the
 * `Model` table does not price.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const line = (t: Batches.Totals) => `${t.counts.succeeded} ok, $${t.cost.toFixed(4)}`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Totals {
  readonly counts: Counts
  readonly usage: Usage
  readonly cost: number
  readonly unpriced: number
}

/**
 * One round of {@link run}: the batches it created, the `custom_id`s it submitted, their outcomes by
 * kind, and how many it handed to the next round.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const reruns = (rounds: ReadonlyArray<Batches.Round>) => rounds.slice(1).reduce((n, r) => n + r.submitted.length, 0)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Round {
  readonly batchIds: ReadonlyArray<string>
  readonly submitted: ReadonlyArray<string>
  readonly counts: Counts
  readonly resubmitted: number
}

/**
 * What {@link run} returns: one final outcome per request, in request order, the rounds, and the
 * totals over the final outcomes.
 *
 * @example
 * ```ts
 * import type { Batches } from "@claude-resilience/batches"
 *
 * const failed = (s: Batches.Summary) => s.outcomes.filter((o) => o._tag !== "Succeeded").map((o) => o.customId)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Summary extends Totals {
  readonly outcomes: ReadonlyArray<BatchOutcome.BatchOutcome>
  readonly rounds: ReadonlyArray<Round>
}

/**
 * Runs a submission to its end: validates it, splits it into batches, creates, awaits and reads each,
 * and re-runs the requests that expired or failed retryably in follow-up batches (up to `resubmit`
 * rounds). Every `custom_id` ends with exactly one outcome; a request whose batch could not be
 * created, awaited or read ends `Errored` with the error that stopped it, so the effect fails only
 * when the submission is refused before anything is sent.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 * import { Effect } from "effect"
 *
 * const rows = ["first row", "second row"]
 * const program = Batches.run(
 *   rows.map((row, i) => ({
 *     custom_id: `row-${i}`,
 *     params: { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user" as const, content: row }] }
 *   }))
 * ).pipe(Effect.map((summary) => summary.counts))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const run: (
  requests: ReadonlyArray<BatchRequest>,
  options?: Options
) => Effect.Effect<Summary, BatchError.RequestError, Claude.Claude> = run_.run

/**
 * Validates a submission, splits it and creates its batches (each creation a resilient request).
 * Interrupted — or failing after some batches were created — it cancels those (unless
 * `onInterrupt: "leave"`).
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const created = Batches.submit([
 *   { custom_id: "a", params: { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hi" }] } }
 * ])
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const submit: (
  requests: ReadonlyArray<BatchRequest>,
  options?: SubmitOptions
) => Effect.Effect<ReadonlyArray<MessageBatch>, BatchError.RequestError | ClaudeError.ClaudeError, Claude.Claude> =
  submit_.submit

/**
 * Validates a submission and groups it into batches within the limits, in order, each as large as
 * the limits allow. Nothing is sent.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const groups = Batches.split([], { maxRequestsPerBatch: 1_000 })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const split: (
  requests: ReadonlyArray<BatchRequest>,
  options?: SubmitOptions
) => Effect.Effect<ReadonlyArray<ReadonlyArray<BatchRequest>>, BatchError.RequestError> = submit_.split

/**
 * The default poll schedule: exponential from `pollInterval`, capped at a tenth of
 * `expectedProcessingTime`, for at most `maxWait` (see {@link PollScheduleOptions}).
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const patient = Batches.pollSchedule({ pollInterval: "1 minute", expectedProcessingTime: "12 hours" })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const pollSchedule: (options?: PollScheduleOptions) => Schedule.Schedule<Duration.Duration, PollInput> =
  poll_.pollSchedule

/**
 * Waits until a batch has ended: a retrieve per step of the poll schedule, each a resilient request,
 * the next wait never shorter than a `retry-after` a failure carried. Fails on a non-retryable error,
 * or with `WaitTimeoutError` when the schedule runs out.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const ended = Batches.poll("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF", { pollInterval: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const poll: (
  batchId: string,
  options?: PollOptions
) => Effect.Effect<MessageBatch, ClaudeError.ClaudeError | BatchError.WaitTimeoutError, Claude.Claude> = poll_.poll

/**
 * The outcomes of an ended batch as a stream, decoded from its JSONL results file. A download cut
 * mid-way, or without a line for `idleTimeout` (default 90 seconds; `false`: no limit), is downloaded
 * again on the retry schedule and the `custom_id`s already emitted are skipped: each request's outcome
 * is emitted exactly once.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 * import { Stream } from "effect"
 *
 * const succeeded = Batches.results("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF").pipe(
 *   Stream.filter((o) => o._tag === "Succeeded"),
 *   Stream.runCount
 * )
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const results: (
  batchId: string,
  options?: Claude.CallOptions
) => Stream.Stream<BatchOutcome.BatchOutcome, ClaudeError.ClaudeError, Claude.Claude> = results_.results

/**
 * Cancels a batch (a resilient request). Requests not yet processed end `canceled`.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const canceling = Batches.cancel("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const cancel: (
  batchId: string,
  options?: Claude.CallOptions
) => Effect.Effect<MessageBatch, ClaudeError.ClaudeError, Claude.Claude> = submit_.cancel

/**
 * Counts, usage and cost (at the batch price) of a set of outcomes, e.g. of a {@link results} stream.
 *
 * @example
 * ```ts
 * import { Batches } from "@claude-resilience/batches"
 *
 * const totals = Batches.summarize([{ _tag: "Expired", customId: "a", batchId: "msgbatch_01" }])
 * totals.counts.expired // 1
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const summarize: (outcomes: Iterable<BatchOutcome.BatchOutcome>) => Totals = summary.summarize
