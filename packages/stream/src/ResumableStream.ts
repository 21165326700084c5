/**
 * Resumable message streams: a `Stream` of the SDK's raw events that survives a mid-stream
 * failure by sending the request again with what was received as an assistant prefill (or the
 * article's "continue" turn, or a restart) and emitting only what is new.
 *
 * @since 0.1.0
 */
import type { Claude, Fallback as ModelFallback } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import * as collector from "./internal/collect.js"
import * as error from "./internal/resumeExhaustedError.js"
import * as internal from "./internal/resumableStream.js"

/**
 * How a stream resumes after a retryable failure that followed some content.
 *
 * - `"prefill"` (default): the same request with the text received as an assistant prefill
 *   (trailing whitespace trimmed, as the API requires); the model continues mid-sentence and no
 *   text is generated twice.
 * - `"continuation"`: the article's pattern, the partial text as an assistant turn followed by a
 *   user turn "Continue from exactly where you left off.", for models that reject a prefill.
 * - `"restart"`: the original request again; the partial blocks are superseded (see
 *   {@link Resumption}) and everything is generated anew.
 *
 * Which of the first two a model accepts is `Model.ResumeMode` (`@claude-resilience/api`), kept by
 * the `PrefillSupport` service.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const strategy: ResumableStream.ResumeStrategy = "continuation"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ResumeStrategy = "prefill" | "continuation" | "restart"

/**
 * What an attempt was: the first request (`"initial"`), an ordinary `"retry"` after a failure
 * before any content, or one of the {@link ResumeStrategy} resumptions.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const isResume = (kind: ResumableStream.AttemptKind) => kind !== "initial" && kind !== "retry"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type AttemptKind = "initial" | "retry" | ResumeStrategy

/**
 * Why the strategy in force was not the one asked for:
 *
 * - `"tool_use_cut"`: a `tool_use` block was cut mid-JSON; it is dropped (it was never delivered:
 *   tool calls are held back until complete) and regenerated whole.
 * - `"thinking"`: extended thinking is on, which does not accept a prefill, so the continuation
 *   turn is used; a partial thinking block is closed and superseded.
 * - `"prefill_rejected"`: the model answered the prefill with a 400; the stream switches to the
 *   continuation turn at once, without spending the resumption budget, and the `PrefillSupport`
 *   service (if provided) remembers the model for the life of its layer.
 * - `"prefill_unsupported"`: the model is known (from the `Model` table or learned) to refuse a
 *   prefill, so none is sent: the continuation turn is used.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const fallback: ResumableStream.Fallback = "prefill_rejected"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Fallback = "tool_use_cut" | "thinking" | "prefill_rejected" | "prefill_unsupported"

/**
 * The accounting of one HTTP attempt. `outputTokens` is what the server reported: an attempt cut
 * before its `message_delta` reports only the `message_start` count, although it may be billed
 * for more. `characters` counts the text it added to the answer.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const tokens = (attempts: ReadonlyArray<ResumableStream.Attempt>) =>
 *   attempts.reduce((n, a) => n + a.inputTokens + a.outputTokens, 0)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Attempt {
  /** its number, from 1 */
  readonly attempt: number
  readonly kind: AttemptKind
  /** the model it asked (another than the request's after a fallback, see {@link Options}) */
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
  /** text it added to the answer */
  readonly characters: number
  /** characters it sent that were not emitted because the consumer had them */
  readonly dropped: number
  /** whether its `message_stop` arrived */
  readonly completed: boolean
  /** the failure that ended it */
  readonly error?: ClaudeError.ClaudeError | undefined
}

/**
 * A resumption notice, emitted in {@link events} at the point of the cut, before the wait:
 * `attempt` is the attempt about to start and `model` the model it asks (the next step's after a
 * fallback), `characters` the text delivered so far ("reconnecting after N chars"), `delay` the wait the schedule chose, `previous` the failed attempt's
 * accounting, `superseded` the indices of blocks closed for good (restart, partial thinking),
 * `discarded` the characters of a held-back partial tool call thrown away.
 *
 * Its `type` is `"resumption"`, so one `switch (event.type)` handles it beside the SDK's events.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const label = (notice: ResumableStream.Resumption) =>
 *   `[reconnecting after ${notice.characters} chars: ${notice.reason._tag}, ${notice.strategy}]`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Resumption {
  readonly type: "resumption"
  readonly attempt: number
  readonly model: string
  readonly strategy: Exclude<AttemptKind, "initial">
  readonly fallback: Fallback | undefined
  readonly reason: ClaudeError.ClaudeError
  readonly characters: number
  readonly delay: Duration.Duration
  readonly previous: Attempt
  readonly superseded: ReadonlyArray<number>
  readonly discarded: number
}

/**
 * Emitted at the first content of a resumed attempt, once the join is known: `kept` characters
 * were carried over from earlier attempts, `dropped` characters of the new attempt were not
 * emitted because they repeated what the consumer already had (a continuation that restated the
 * last words, or whitespace already delivered). Its `type` is `"resumed"`.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const label = (event: ResumableStream.Resumed) => `[resumed: ${event.kept} kept, ${event.dropped} repeated chars dropped]`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Resumed {
  readonly type: "resumed"
  readonly attempt: number
  readonly strategy: Exclude<AttemptKind, "initial">
  readonly kept: number
  readonly dropped: number
}

/**
 * An item of {@link events}: one of the SDK's raw stream events, a {@link Resumption} notice at a
 * cut, or a {@link Resumed} event when the stream goes on.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const text = (event: ResumableStream.Event) =>
 *   event.type === "content_block_delta" && event.delta.type === "text_delta" ? event.delta.text : ""
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Event = Claude.MessageStreamEvent | Resumption | Resumed

/**
 * Options of a resumable stream. The `Claude.CallOptions` fields (`retry`, `timeout`,
 * `circuitKey`, `headers`, `idleTimeout`, `contentTimeout`) apply to every attempt, as for
 * `claude.messages.stream`.
 *
 * | option | default |
 * |---|---|
 * | `strategy` | `"prefill"` |
 * | `schedule` | the `RetryPolicy.withPolicy` override, else the schedule the `Claude` service was built with |
 * | `continuePrompt` | `"Continue from exactly where you left off."` |
 * | `maxOverlap` | `200` |
 * | `fallback` | none: the models (or `Fallback` steps, or a whole `Fallback.Plan`) the stream goes on with when the model in force is left — overloaded, its circuit open, unavailable, its resumptions exhausted, or a refusal (`Fallback.defaultLeaveOn`) |
 *
 * With `fallback`, a failure that leaves a model starts the next attempt on the next step's model
 * at once, continuing from the text already delivered with that model's own resumption mode
 * (prefill or the continuation turn, see `PrefillSupport`) and the overlap stitching, so the
 * consumer reads one answer; a refusal restarts on the next model instead (what was delivered
 * is superseded). Each step's `schedule` (default: `schedule`, else the client's) bounds the
 * resumptions on its model.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Schedule } from "effect"
 *
 * const options: ResumableStream.Options = { strategy: "prefill", schedule: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(3))) }
 * // overloaded or refusing mid-stream: Haiku 4.5 goes on from the text received
 * const withFallback: ResumableStream.Options = { fallback: ["claude-haiku-4-5"] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends Claude.CallOptions {
  readonly strategy?: ResumeStrategy | undefined
  /** Bounds and spaces the resumptions of one stream; its input is the failure. */
  readonly schedule?: Schedule.Schedule<unknown, ClaudeError.ClaudeError> | undefined
  /** The user turn of `"continuation"`. */
  readonly continuePrompt?: string | undefined
  /** The longest repeat (characters) dropped where a continuation joins the text delivered. */
  readonly maxOverlap?: number | undefined
  /**
   * Models to go on with, in order, after the request's own (a string is a model, a
   * `Fallback.Step` may bring its own schedule, attempts, `max_tokens` cap and client); or a whole
   * `Fallback.Plan`, whose first step replaces the request's model and whose `leaveOn` says when a
   * model is left.
   */
  readonly fallback?: ModelFallback.Plan | ReadonlyArray<string | ModelFallback.Step> | undefined
}

/**
 * The schedule gave up before the stream could finish. Carries the text delivered so far
 * (`partialText`) and every attempt's accounting; `cause` is the last failure. A
 * `Schema.TaggedError`, like the `ClaudeError` members: it encodes with its schema.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * declare const answer: Effect.Effect<ResumableStream.FinalMessage, ResumableStream.ResumeError>
 * answer.pipe(Effect.catchTag("ResumeExhaustedError", (e) => Effect.succeed(e.partialText)))
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export const ResumeExhaustedError: typeof error.ResumeExhaustedError = error.ResumeExhaustedError

/**
 * The instance type of {@link ResumeExhaustedError}: `message`, `partialText`, `attempts`, `cause`.
 *
 * @example
 * ```ts
 * import type { ResumableStream } from "@claude-resilience/stream"
 *
 * const attempts = (e: ResumableStream.ResumeExhaustedError) => e.attempts.length
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export interface ResumeExhaustedError extends InstanceType<typeof error.ResumeExhaustedError> {}

/**
 * The failures of a resumable stream: a `ClaudeError` that cannot be retried (a 400, say), or
 * {@link ResumeExhaustedError}.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const partial = (e: ResumableStream.ResumeError) => (e._tag === "ResumeExhaustedError" ? e.partialText : "")
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export type ResumeError = ClaudeError.ClaudeError | ResumeExhaustedError

/**
 * The collected answer: `message` as the API would have returned it uninterrupted (content
 * without superseded blocks, `stop_reason` from the last segment, usage summed over all
 * attempts, `model` the model of the last attempt), its `text`, the `resumptions`, per-attempt
 * accounting, and `models`: attempts, tokens and list price per model, in the order they were
 * asked (more than one after a fallback).
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const summary = (final: ResumableStream.FinalMessage) =>
 *   `${final.text.length} chars in ${final.attempts.length} attempts, ${final.message.usage.output_tokens} tokens out`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface FinalMessage {
  readonly message: Claude.Message
  readonly text: string
  readonly resumptions: ReadonlyArray<Resumption>
  readonly attempts: ReadonlyArray<Attempt>
  readonly models: ReadonlyArray<ModelFallback.ModelUsage>
}

/**
 * Whether an {@link Event} is a {@link Resumption} notice.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Stream } from "effect"
 *
 * declare const events: Stream.Stream<ResumableStream.Event>
 * const notices = Stream.filter(events, ResumableStream.isResumption)
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isResumption: (event: Event) => event is Resumption = internal.isResumption

/**
 * Whether an {@link Event} is a {@link Resumed} event.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Stream } from "effect"
 *
 * declare const events: Stream.Stream<ResumableStream.Event>
 * const joins = Stream.filter(events, ResumableStream.isResumed)
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isResumed: (event: Event) => event is Resumed = internal.isResumed

/**
 * Whether an {@link Event} is one of the stream's own lifecycle events ({@link Resumption} or
 * {@link Resumed}) rather than one of the SDK's.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Stream } from "effect"
 *
 * declare const events: Stream.Stream<ResumableStream.Event>
 * const lifecycle = Stream.filter(events, ResumableStream.isLifecycle)
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isLifecycle: (event: Event) => event is Resumption | Resumed = internal.isLifecycle

/**
 * A streaming Messages request that resumes after mid-stream failures, with {@link Resumption}
 * notices among the SDK's raw events. The raw events read as one uninterrupted stream: one
 * `message_start`, stable content-block indices, only new deltas, the final `message_delta`'s
 * usage summed over all attempts. A failure before the first content is an ordinary retry;
 * a non-retryable failure ends the stream; interrupting it aborts the HTTP request.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Effect, Stream } from "effect"
 *
 * const program = ResumableStream.events({
 *   model: "claude-haiku-4-5",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Write a long story" }]
 * }).pipe(
 *   Stream.runForEach((event) =>
 *     event.type === "resumption"
 *       ? Effect.log(`[reconnecting after ${event.characters} chars]`)
 *       : event.type === "content_block_delta" && event.delta.type === "text_delta"
 *         ? Effect.sync(() => process.stdout.write(event.delta.type === "text_delta" ? event.delta.text : ""))
 *         : Effect.void
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const events: (
  params: Claude.MessageStreamParams,
  options?: Options
) => Stream.Stream<Event, ResumeError, Claude.Claude> = internal.events

/**
 * A drop-in replacement for `claude.messages.stream`: the same raw event type, so a UI needs
 * no change, but the stream resumes after mid-stream failures (see {@link events}).
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Option, Stream } from "effect"
 *
 * const text = ResumableStream.stream({
 *   model: "claude-sonnet-4-6",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }).pipe(
 *   Stream.filterMap((e) =>
 *     e.type === "content_block_delta" && e.delta.type === "text_delta" ? Option.some(e.delta.text) : Option.none()
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const stream: (
  params: Claude.MessageStreamParams,
  options?: Options
) => Stream.Stream<Claude.MessageStreamEvent, ResumeError, Claude.Claude> = internal.stream

/**
 * Runs a stream of {@link Event}s (or plain raw events) to its end and assembles the
 * {@link FinalMessage}. Pipe {@link events} through your own `Stream.tap` first to show the
 * text as it arrives.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Effect, Stream } from "effect"
 *
 * const final = ResumableStream.events({
 *   model: "claude-haiku-4-5",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Hello" }]
 * }).pipe(
 *   Stream.tap((event) => (event.type === "resumption" ? Effect.log("reconnecting") : Effect.void)),
 *   ResumableStream.collect
 * )
 * ```
 *
 * @since 0.1.0
 * @category Destructors
 */
export const collect: <E, R>(self: Stream.Stream<Event, E, R>) => Effect.Effect<FinalMessage, E, R> = collector.collect

/**
 * Runs a resumable stream to its end: {@link events} then {@link collect}.
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const final = yield* ResumableStream.finalMessage({
 *     model: "claude-sonnet-4-6",
 *     max_tokens: 1024,
 *     messages: [{ role: "user", content: "Hello" }]
 *   })
 *   return final.text
 * })
 * ```
 *
 * @since 0.1.0
 * @category Destructors
 */
export const finalMessage: (
  params: Claude.MessageStreamParams,
  options?: Options
) => Effect.Effect<FinalMessage, ResumeError, Claude.Claude> = internal.finalMessage
