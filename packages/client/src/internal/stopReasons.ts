/**
 * What a call does with the stop reason of its answer, once per call around the requests it sends:
 * `pause_turn` continued (bounded), `max_tokens` optionally continued (bounded, stitched),
 * `refusal` and `model_context_window_exceeded` turned into typed failures — each switchable on the
 * layer and per call. On a stream, only the last two apply, once the stream has ended.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"
import type * as StopReasons from "../StopReasons.js"
import { DEFAULT_CONTINUE_PROMPT, maxTokens, type Next, pauseTurn } from "./continuation.js"

/** The stop-reason options of one call, defaults applied. */
export interface Resolved {
  readonly pauseTurn: number
  readonly maxTokens: number
  readonly refusal: "fail" | "return"
  readonly contextWindowExceeded: "fail" | "return"
  readonly continuePrompt: string
}

export const defaults: typeof StopReasons.defaults = {
  pauseTurn: 5,
  maxTokens: false,
  refusal: "fail",
  contextWindowExceeded: "fail",
  continuePrompt: DEFAULT_CONTINUE_PROMPT
}

const count = (value: number | false | undefined, fallback: number): number =>
  value === false ? 0 : Math.max(0, Math.floor(value ?? fallback))

const resolveFields = (layer: StopReasons.Options | undefined, call: StopReasons.Options | undefined): Resolved => ({
  pauseTurn: count(call?.pauseTurn ?? layer?.pauseTurn, defaults.pauseTurn),
  maxTokens: count(call?.maxTokens ?? layer?.maxTokens ?? defaults.maxTokens, 0),
  refusal: call?.refusal ?? layer?.refusal ?? defaults.refusal,
  contextWindowExceeded: call?.contextWindowExceeded ?? layer?.contextWindowExceeded ?? defaults.contextWindowExceeded,
  continuePrompt: call?.continuePrompt ?? layer?.continuePrompt ?? defaults.continuePrompt
})

const resolvedDefaults = resolveFields(undefined, undefined)

/** The call's options over the layer's, field by field, over the defaults. */
export const resolve = (layer: StopReasons.Options | undefined, call: StopReasons.Options | undefined): Resolved =>
  layer === undefined && call === undefined ? resolvedDefaults : resolveFields(layer, call)

/** The message as the errors carry it (the SDK's interface, seen as the schema's record type). */
const stopped = (message: Claude.Message): ClaudeError.StoppedMessage =>
  ({ ...message }) as unknown as ClaudeError.StoppedMessage

const requestIdOf = (message: Claude.Message): string | undefined => {
  // the SDK puts the response's request-id on the object it returns, as a non-enumerable field
  const id = (message as { readonly _request_id?: unknown })._request_id
  return typeof id === "string" ? id : undefined
}

/** The typed failure a stop reason means under these options, if any. */
export const failureOf = (
  options: Resolved,
  message: Claude.Message
): ClaudeError.RefusalError | ClaudeError.ContextWindowExceededError | undefined => {
  if (message.stop_reason !== "refusal" && message.stop_reason !== "model_context_window_exceeded") return undefined
  const requestId = requestIdOf(message)
  if (message.stop_reason === "refusal" && options.refusal === "fail") {
    const details = message.stop_details ?? undefined
    return new ClaudeError.RefusalError({
      message: `${message.model} refused to answer${details?.category ? ` (${details.category})` : ""}${
        details?.explanation ? `: ${details.explanation}` : ""
      }`,
      model: message.model,
      ...(details !== undefined ? { stopDetails: { ...details } } : {}),
      response: stopped(message),
      ...(requestId !== undefined ? { requestId } : {})
    })
  }
  if (message.stop_reason === "model_context_window_exceeded" && options.contextWindowExceeded === "fail") {
    return new ClaudeError.ContextWindowExceededError({
      message: `the answer of ${message.model} was cut where the conversation reached its context window`,
      model: message.model,
      response: stopped(message),
      ...(requestId !== undefined ? { requestId } : {})
    })
  }
  return undefined
}

/** The next request of the turn, if its stop reason is to be continued and the bound allows it. */
const nextOf = (
  options: Resolved,
  original: Claude.MessageCreateParams,
  message: Claude.Message,
  done: { pauses: number; continuations: number }
): Next | undefined => {
  if (message.stop_reason === "pause_turn" && done.pauses < options.pauseTurn) {
    done.pauses++
    return pauseTurn(original, message)
  }
  if (message.stop_reason === "max_tokens" && done.continuations < options.maxTokens) {
    const next = maxTokens(original, message, options.continuePrompt)
    if (next !== undefined) done.continuations++
    return next
  }
  return undefined
}

const judge = (options: Resolved, message: Claude.Message): Effect.Effect<Claude.Message, ClaudeError.ClaudeError> => {
  const failure = failureOf(options, message)
  return failure === undefined ? Effect.succeed(message) : Effect.fail(failure)
}

/**
 * A `create` with its stop reasons handled: `send` is asked for each request of the turn (the
 * original, then each continuation), the answers merged, the final stop reason judged. An answer
 * that needs nothing more costs one check.
 */
export const create = (
  options: Resolved,
  params: Claude.MessageCreateParams,
  send: (params: Claude.MessageCreateParams) => Effect.Effect<Claude.Message, ClaudeError.ClaudeError>
): Effect.Effect<Claude.Message, ClaudeError.ClaudeError> =>
  Effect.flatMap(send(params), (first) => {
    const done = { pauses: 0, continuations: 0 }
    const next = nextOf(options, params, first, done)
    if (next === undefined) return judge(options, first)
    return Effect.gen(function* () {
      let message = first
      let step: Next | undefined = next
      while (step !== undefined) {
        yield* Effect.logDebug("claude.continue").pipe(
          Effect.annotateLogs({ model: params.model, stop_reason: message.stop_reason ?? "none", kind: step.kind })
        )
        message = step.merge(yield* send(step.params))
        step = nextOf(options, params, message, done)
      }
      return yield* judge(options, message)
    })
  })

/**
 * A stream that fails after its last event when its stop reason is a refusal or the context
 * window (per the options). The error's `response` is the message without its content, which
 * arrived as events.
 */
export const checkStream = <R>(
  options: Resolved,
  self: Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError, R>
): Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError, R> =>
  options.refusal === "return" && options.contextWindowExceeded === "return"
    ? self
    : Stream.suspend(() => {
        const seen: { start?: Claude.Message; delta?: Extract<Claude.MessageStreamEvent, { type: "message_delta" }> } =
          {}
        return self.pipe(
          Stream.mapChunks((chunk) => {
            for (const event of chunk) {
              if (event.type === "message_start") seen.start = event.message
              else if (event.type === "message_delta") seen.delta = event
            }
            return chunk
          }),
          Stream.concat(
            Stream.suspend(() => {
              const { delta, start } = seen
              if (start === undefined || delta === undefined) return Stream.empty
              const failure = failureOf(options, {
                ...start,
                content: [],
                stop_reason: delta.delta.stop_reason,
                stop_sequence: delta.delta.stop_sequence,
                stop_details: delta.delta.stop_details ?? null,
                usage: { ...start.usage, output_tokens: delta.usage.output_tokens }
              })
              return failure === undefined ? Stream.empty : Stream.fail(failure)
            })
          )
        )
      })
