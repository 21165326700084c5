/**
 * The resumable stream itself: runs one attempt after another through the `Claude` service, feeds
 * their events to the {@link Resumer}, and on a failure decides (schedule, prefill support) whether
 * and when the next attempt starts.
 *
 * @internal
 */
import { Claude, Fallback as ClientFallback } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import * as Stream from "effect/Stream"
import { PrefillSupport, type Service as PrefillSupportService } from "../PrefillSupport.js"
import type * as ResumableStream from "../ResumableStream.js"
import { collect } from "./collect.js"
import * as Fallback from "./fallback.js"
import * as prefillSupport from "./prefillSupport.js"
import { DEFAULT_CONTINUE_PROMPT } from "./request.js"
import { ResumeExhaustedError } from "./resumeExhaustedError.js"
import { Resumer } from "./resumer.js"

type Event = ResumableStream.Event
type ResumeError = ResumableStream.ResumeError

/** @internal */
export const isResumption = (event: Event): event is ResumableStream.Resumption => event.type === "resumption"

/** @internal */
export const isResumed = (event: Event): event is ResumableStream.Resumed => event.type === "resumed"

/** @internal */
export const isLifecycle = (event: Event): event is ResumableStream.Resumption | ResumableStream.Resumed =>
  event.type === "resumption" || event.type === "resumed"

const nextDelay = (
  schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>,
  ref: { value: unknown },
  error: ClaudeError.ClaudeError
): Effect.Effect<Duration.Duration | undefined> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const [state, , decision] = yield* schedule.step(now, error, ref.value)
    ref.value = state
    if (ScheduleDecision.isDone(decision)) return undefined
    return Duration.millis(Math.max(0, Intervals.start(decision.intervals) - now))
  })

/**
 * The resumable stream; without `lifecycle`, its resumption notices are left out where they are
 * made (one stage less than filtering them afterwards).
 */
const run = (
  params: Claude.MessageStreamParams,
  options: ResumableStream.Options,
  lifecycle: boolean
): Stream.Stream<Event, ResumeError, Claude.Claude> => {
  // A scope only when a fallback step may build a client layer in it: a stream's scope costs more
  // than the rest of its setup.
  const setup = (scope: Scope.Scope | undefined) =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      // Asked on the first failure only: shared learning if the layer is provided, else this
      // stream learns for itself.
      let prefill: PrefillSupportService | undefined
      const supportOf: Effect.Effect<PrefillSupportService> = Effect.suspend(() =>
        prefill !== undefined
          ? Effect.succeed(prefill)
          : Effect.serviceOption(PrefillSupport).pipe(
              Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => prefillSupport.make() })),
              Effect.tap((made) => {
                prefill = made
              })
            )
      )
      const { continuePrompt, maxOverlap, schedule: _schedule, strategy, fallback: _fallback, ...call } = options
      // the models the stream may ask, in order: the request's own, then the fallback's
      const steps = yield* Fallback.make(params, options, call, claude, scope)
      const resumer = new Resumer(steps.current().params, {
        strategy: strategy ?? "prefill",
        continuePrompt: continuePrompt ?? DEFAULT_CONTINUE_PROMPT,
        maxOverlap
      })

      // the attempts that resumed the stream (after a cut, a refused prefill, a fallback)
      let resumptions = 0

      const onFailure = (
        error: ClaudeError.ClaudeError
      ): Effect.Effect<Stream.Stream<Event, ResumeError>, ResumeError> =>
        Effect.gen(function* () {
          // the message is whole; an error the server sends after message_stop changes nothing
          if (resumer.isComplete) return Stream.empty
          const support = yield* supportOf
          const step = steps.current()
          const rejected = resumer.isPrefillRejection(error)
          // a failure that leaves the model (overloaded, circuit open, a refusal, ...) goes to the next step at once
          let leave = !rejected && steps.leavesAtOnce(error)
          if (!rejected && !leave && !ClaudeError.isRetryable(error)) return yield* Effect.fail(error)
          if (rejected && /prefill/i.test(error.message)) {
            const learned = yield* support.learnRejection(resumer.model)
            if (learned) {
              yield* Effect.logInfo("claude.stream.prefill_refused").pipe(Effect.annotateLogs({ model: resumer.model }))
            }
          }
          // a refused prefill is answered at once with a continuation, off the budget
          let delay: Duration.Duration | undefined = Duration.zero
          if (!rejected && !leave) {
            delay = yield* nextDelay(step.schedule, step.state, error)
            // the model's resumptions are exhausted: the next step, if the plan leaves on it
            if (delay === undefined && steps.leavesExhausted(error)) {
              leave = true
              delay = Duration.zero
            }
          }
          if (delay === undefined) {
            return yield* new ResumeExhaustedError({
              message: `stream could not be resumed after ${resumer.attemptNumber} attempts: ${error.message}`,
              partialText: resumer.partialText,
              attempts: [...resumer.history, resumer.snapshot(error)],
              cause: error
            })
          }
          const next = leave ? yield* steps.advance : undefined
          if (next !== undefined) yield* ClientFallback.recordFallback(resumer.model, next.params.model, error._tag)
          const model = next?.params.model ?? resumer.model
          const refusesPrefill = (yield* support.resumeMode(model)) === "continuation"
          const { events: closing, notice } = resumer.fail(
            error,
            delay,
            refusesPrefill,
            next === undefined
              ? undefined
              : { model, maxTokens: next.params.max_tokens, restart: error._tag === "RefusalError" }
          )
          resumptions++
          yield* Effect.logDebug("claude.stream.resume").pipe(
            Effect.annotateLogs({
              attempt: notice.attempt,
              model,
              strategy: notice.strategy,
              reason: error._tag,
              phase: "phase" in error ? error.phase : "request",
              characters: notice.characters,
              delay_ms: Duration.toMillis(delay),
              ...(notice.fallback !== undefined ? { fallback: notice.fallback } : {})
            })
          )
          return Stream.fromIterable<Event>(lifecycle ? [...closing, notice] : closing).pipe(
            Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep(delay)))),
            Stream.concat(attempt())
          )
        })

      const attempt = (): Stream.Stream<Event, ResumeError> =>
        Stream.suspend(() => {
          const step = steps.current()
          // a cut connection is logged at Debug: this stream logs its own outcome once, when it ends
          const raw = step.claude.messages.stream(resumer.request, {
            ...step.call,
            failureLogLevel: step.call?.failureLogLevel ?? LogLevel.Debug
          })
          // a refusal with a step after it ends the attempt before its message_stop
          return (steps.leavesOnRefusal() ? Fallback.cutAtRefusal(raw, resumer) : raw).pipe(
            // per chunk: one array for the chunk's events, and most events passed on as they came
            Stream.mapChunks((chunk) => {
              const out: Array<Event> = resumer.processAll(Chunk.toReadonlyArray(chunk))
              return Chunk.unsafeFromArray(lifecycle ? out : out.filter((event) => !isLifecycle(event)))
            }),
            Stream.catchAll((error) => Stream.unwrap(onFailure(error)))
          )
        })

      // Its outcome, logged once: a success at Debug (with the resumptions it took), a failure at
      // Warning; the consumer's own stop is never retried: it is logged apart from a disconnect.
      return attempt().pipe(
        Stream.ensuringWith((exit) => {
          if (exit._tag === "Success" && resumer.isComplete) {
            return Effect.logDebug("claude.stream.resumable").pipe(
              Effect.annotateLogs({ model: resumer.model, outcome: "success", resumptions })
            )
          }
          if (exit._tag === "Failure" && exit.cause._tag === "Fail") {
            const error = exit.cause.error
            return Effect.logWarning("claude.stream.resumable").pipe(
              Effect.annotateLogs({
                model: resumer.model,
                outcome: "failure",
                error_tag: error._tag,
                resumptions,
                characters: resumer.partialText.length
              })
            )
          }
          return resumer.isComplete === false
            ? Effect.logDebug("claude.stream.stopped").pipe(
                Effect.annotateLogs({
                  outcome: "interrupted",
                  attempt: resumer.attemptNumber,
                  characters: resumer.partialText.length
                })
              )
            : Effect.void
        })
      )
    })
  return options.fallback === undefined
    ? Stream.unwrap(setup(undefined))
    : Stream.unwrapScoped(Effect.flatMap(Effect.scope, setup))
}

/** @internal */
export const events = (
  params: Claude.MessageStreamParams,
  options: ResumableStream.Options = {}
): Stream.Stream<Event, ResumeError, Claude.Claude> => run(params, options, true)

/** @internal */
export const stream = (
  params: Claude.MessageStreamParams,
  options: ResumableStream.Options = {}
): Stream.Stream<Claude.MessageStreamEvent, ResumeError, Claude.Claude> =>
  run(params, options, false) as Stream.Stream<Claude.MessageStreamEvent, ResumeError, Claude.Claude>

/** @internal */
export const finalMessage = (
  params: Claude.MessageStreamParams,
  options?: ResumableStream.Options
): Effect.Effect<ResumableStream.FinalMessage, ResumeError, Claude.Claude> => collect(events(params, options))
