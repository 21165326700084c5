/**
 * Resumable message streams: a `Stream` of the SDK's raw events that survives a mid-stream
 * failure by sending the request again with what was received as an assistant prefill (or the
 * article's "continue" turn, or a restart) and emitting only what is new.
 *
 * @since 0.1.0
 */
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as internal from "./internal/resume.js"
import * as ModelStrategy from "./ModelStrategy.js"

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
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 *
 * const strategy: ResumableStream.Strategy = "continuation"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Strategy = internal.Strategy

/**
 * What an attempt was: the first request (`"initial"`), an ordinary `"retry"` after a failure
 * before any content, or one of the {@link Strategy} resumptions.
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
export type AttemptKind = internal.AttemptKind

/**
 * Why the strategy in force was not the one asked for:
 *
 * - `"tool_use_cut"`: a `tool_use` block was cut mid-JSON; it is dropped (it was never delivered:
 *   tool calls are held back until complete) and regenerated whole.
 * - `"thinking"`: extended thinking is on, which does not accept a prefill, so the continuation
 *   turn is used; a partial thinking block is closed and superseded.
 * - `"prefill_rejected"`: the model answered the prefill with a 400; the stream switches to the
 *   continuation turn at once, without spending the resumption budget, and the `ModelStrategy`
 *   service (if provided) remembers the model for the life of its layer.
 * - `"prefill_unsupported"`: the model is known (from the table or learned) to refuse a prefill,
 *   so none is sent: the continuation turn is used.
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
export type Fallback = internal.Fallback

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
export interface Attempt extends internal.Attempt {}

/**
 * A resumption notice, emitted in {@link events} at the point of the cut, before the wait:
 * `attempt` is the attempt about to start, `characters` the text delivered so far ("reconnecting
 * after N chars"), `delay` the wait the schedule chose, `previous` the failed attempt's
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
export interface Resumption extends internal.Resumption {}

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
export interface Resumed extends internal.Resumed {}

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
 * `circuitKey`, `headers`) apply to every attempt's connection phase, as for
 * `claude.messages.stream`.
 *
 * | option | default |
 * |---|---|
 * | `strategy` | `"prefill"` |
 * | `schedule` | the `RetryPolicy.withPolicy` override, else the schedule the `Claude` service was built with |
 * | `continuePrompt` | `"Continue from exactly where you left off."` |
 *
 * @example
 * ```ts
 * import { ResumableStream } from "@claude-resilience/stream"
 * import { Schedule } from "effect"
 *
 * const options: ResumableStream.Options = { strategy: "prefill", schedule: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(3))) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends Claude.CallOptions {
  readonly strategy?: Strategy | undefined
  /** Bounds and spaces the resumptions of one stream; its input is the failure. */
  readonly schedule?: Schedule.Schedule<unknown, ClaudeError.ClaudeError> | undefined
  readonly continuePrompt?: string | undefined
  readonly maxOverlap?: number | undefined
}

/**
 * The schedule gave up before the stream could finish. Carries the text delivered so far
 * (`partialText`) and every attempt's accounting; `cause` is the last failure.
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
export class ResumeExhaustedError extends Data.TaggedError("ResumeExhaustedError")<{
  readonly message: string
  readonly partialText: string
  readonly attempts: ReadonlyArray<Attempt>
  readonly cause: ClaudeError.ClaudeError
}> {}

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
 * attempts), its `text`, the `resumptions` and per-attempt accounting.
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
export const isResumption = (event: Event): event is Resumption => event.type === "resumption"

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
export const isResumed = (event: Event): event is Resumed => event.type === "resumed"

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
export const isLifecycle = (event: Event): event is Resumption | Resumed =>
  event.type === "resumption" || event.type === "resumed"

const nextDelay = (
  schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>,
  ref: { state: unknown },
  error: ClaudeError.ClaudeError
): Effect.Effect<Duration.Duration | undefined> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const [state, , decision] = yield* schedule.step(now, error, ref.state)
    ref.state = state
    if (ScheduleDecision.isDone(decision)) return undefined
    return Duration.millis(Math.max(0, Intervals.start(decision.intervals) - now))
  })

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
 *   model: "claude-sonnet-4-5",
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
export const events = (
  params: Claude.MessageStreamParams,
  options: Options = {}
): Stream.Stream<Event, ResumeError, Claude.Claude> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const schedule = options.schedule ?? (yield* RetryPolicy.resolve(claude.retrySchedule))
      // shared learning if the layer is provided, else this stream learns for itself
      const strategies = yield* Effect.serviceOption(ModelStrategy.ModelStrategy).pipe(
        Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => ModelStrategy.make() }))
      )
      const ref: { state: unknown } = { state: schedule.initial }
      const { continuePrompt, maxOverlap, schedule: _schedule, strategy, ...call } = options
      const resumer = new internal.Resumer(params, {
        strategy: strategy ?? "prefill",
        continuePrompt: continuePrompt ?? internal.DEFAULT_CONTINUE_PROMPT,
        maxOverlap
      })

      const onFailure = (
        error: ClaudeError.ClaudeError
      ): Effect.Effect<Stream.Stream<Event, ResumeError>, ResumeError> =>
        Effect.gen(function* () {
          // the message is whole; an error the server sends after message_stop changes nothing
          if (resumer.isComplete) return Stream.empty
          const rejected = resumer.isPrefillRejection(error)
          if (!rejected && !ClaudeError.isRetryable(error)) return yield* Effect.fail(error)
          if (rejected && /prefill/i.test(error.message)) {
            const learned = yield* strategies.learnRejection(params.model)
            if (learned) {
              yield* Effect.logInfo("claude.stream.prefill_refused").pipe(Effect.annotateLogs({ model: params.model }))
            }
          }
          const refusesPrefill = (yield* strategies.resumptionFor(params.model)) === "continuation"
          // a refused prefill is answered at once with a continuation, off the budget
          const delay = rejected ? Duration.zero : yield* nextDelay(schedule, ref, error)
          if (delay === undefined) {
            return yield* new ResumeExhaustedError({
              message: `stream could not be resumed after ${resumer.attemptNumber} attempts: ${error.message}`,
              partialText: resumer.partialText,
              attempts: [...resumer.history, resumer.snapshot(error)],
              cause: error
            })
          }
          const { events: closing, notice } = resumer.fail(error, delay, refusesPrefill)
          yield* Effect.logDebug("claude.stream.resume").pipe(
            Effect.annotateLogs({
              attempt: notice.attempt,
              strategy: notice.strategy,
              reason: error._tag,
              phase: "phase" in error ? error.phase : "request",
              characters: notice.characters,
              delay_ms: Duration.toMillis(delay),
              ...(notice.fallback !== undefined ? { fallback: notice.fallback } : {})
            })
          )
          return Stream.fromIterable<Event>([...closing, notice]).pipe(
            Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep(delay)))),
            Stream.concat(attempt())
          )
        })

      const attempt = (): Stream.Stream<Event, ResumeError> =>
        Stream.suspend(() =>
          claude.messages.stream(resumer.request, call).pipe(
            Stream.mapConcat((event): ReadonlyArray<Event> => resumer.process(event)),
            Stream.catchAll((error) => Stream.unwrap(onFailure(error)))
          )
        )

      // the consumer's own stop is never retried: it is logged apart from a disconnect
      return attempt().pipe(
        Stream.ensuringWith((exit) =>
          exit._tag === "Failure" && exit.cause._tag !== "Fail" && resumer.isComplete === false
            ? Effect.logDebug("claude.stream.stopped").pipe(
                Effect.annotateLogs({
                  outcome: "interrupted",
                  attempt: resumer.attemptNumber,
                  characters: resumer.partialText.length
                })
              )
            : Effect.void
        )
      )
    })
  )

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
 *   model: "claude-sonnet-4-5",
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
export const stream = (
  params: Claude.MessageStreamParams,
  options?: Options
): Stream.Stream<Claude.MessageStreamEvent, ResumeError, Claude.Claude> =>
  Stream.filter(
    events(params, options),
    (event): event is Claude.MessageStreamEvent => event.type !== "resumption" && event.type !== "resumed"
  )

interface MutableBlock {
  readonly index: number
  readonly block: Record<string, unknown>
  json: string
  superseded: boolean
}

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
 *   model: "claude-sonnet-4-5",
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
export const collect = <E, R>(self: Stream.Stream<Event, E, R>): Effect.Effect<FinalMessage, E, R> =>
  Effect.map(Stream.runCollect(self), (chunk) => assemble(Chunk.toReadonlyArray(chunk)))

const assemble = (all: ReadonlyArray<Event>): FinalMessage => {
  let message: Record<string, unknown> = {}
  const blocks: Array<MutableBlock> = []
  const resumptions: Array<Resumption> = []
  let usage: Record<string, unknown> = {}
  let delivered = 0
  for (const event of all) {
    switch (event.type) {
      case "resumed":
        break
      case "resumption": {
        resumptions.push(event)
        for (const index of event.superseded) {
          const block = blocks[index]
          if (block !== undefined) block.superseded = true
        }
        break
      }
      case "message_start": {
        message = { ...event.message }
        usage = { ...event.message.usage }
        break
      }
      case "content_block_start": {
        blocks[event.index] = { index: event.index, block: { ...event.content_block }, json: "", superseded: false }
        break
      }
      case "content_block_delta": {
        const target = blocks[event.index]
        if (target === undefined) break
        const delta = event.delta
        const block = target.block
        switch (delta.type) {
          case "text_delta":
            block.text = `${String(block.text ?? "")}${delta.text}`
            delivered += delta.text.length
            break
          case "input_json_delta":
            target.json += delta.partial_json
            break
          case "thinking_delta":
            block.thinking = `${String(block.thinking ?? "")}${delta.thinking}`
            break
          case "signature_delta":
            block.signature = delta.signature
            break
          case "citations_delta":
            block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation]
            break
        }
        break
      }
      case "content_block_stop": {
        const target = blocks[event.index]
        if (target !== undefined && target.json.length > 0) target.block.input = parseJson(target.json)
        break
      }
      case "message_delta": {
        message.stop_reason = event.delta.stop_reason
        message.stop_sequence = event.delta.stop_sequence
        for (const [key, value] of Object.entries(event.usage))
          if (value !== null && value !== undefined) usage[key] = value
        break
      }
      case "message_stop":
        break
    }
  }
  const content = blocks.filter((b) => b !== undefined && !b.superseded).map((b) => b.block)
  const final = { ...message, content, usage } as unknown as Claude.Message
  const text = content.flatMap((b) => (b.type === "text" ? [String(b.text)] : [])).join("")
  const previous = resumptions.map((r) => r.previous)
  const sum = (f: (a: Attempt) => number) => previous.reduce((n, a) => n + f(a), 0)
  const last: Attempt = {
    attempt: previous.length + 1,
    kind: resumptions.at(-1)?.strategy ?? "initial",
    inputTokens: Number(usage.input_tokens ?? 0) - sum((a) => a.inputTokens),
    outputTokens: Number(usage.output_tokens ?? 0) - sum((a) => a.outputTokens),
    characters: delivered - sum((a) => a.characters),
    dropped: all.reduce((n, e) => (e.type === "resumed" && e.attempt === previous.length + 1 ? n + e.dropped : n), 0),
    completed: all.at(-1)?.type === "message_stop"
  }
  return { message: final, text, resumptions, attempts: [...previous, last] }
}

const parseJson = (json: string): unknown => {
  try {
    return JSON.parse(json)
  } catch {
    return json
  }
}

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
 *     model: "claude-sonnet-4-5",
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
export const finalMessage = (
  params: Claude.MessageStreamParams,
  options?: Options
): Effect.Effect<FinalMessage, ResumeError, Claude.Claude> => collect(events(params, options))
