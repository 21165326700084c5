/**
 * A `create` sent as a stream and collected into the same `Message`: from the start when the
 * request may outlast the SDK's non-streaming time limit, and after a 504 (the article's "504 →
 * switch to streaming for long outputs"), instead of retrying the non-streaming request.
 */
import type { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import type * as Claude from "../Claude.js"
import { derive } from "./budget.js"
import { type CallContext, scheduleFor } from "./call.js"
import { collect } from "./collect.js"
import { stream } from "./stream.js"

/**
 * The SDK's per-model caps on non-streaming `max_tokens` (`@anthropic-ai/sdk` 1.16.0,
 * `internal/constants.js`, `MODEL_NONSTREAMING_TOKENS`; not exported by the SDK).
 */
export const MODEL_NONSTREAMING_TOKENS: Readonly<Record<string, number>> = {
  "claude-opus-4@20250514": 8192,
  "anthropic.claude-opus-4-1-20250805-v1:0": 8192,
  "claude-opus-4-1@20250805": 8192
}

/**
 * Whether the SDK would refuse this request without streaming ("Streaming is required for
 * operations that may take longer than 10 minutes"): the same computation as its
 * `calculateNonstreamingTimeout` (`@anthropic-ai/sdk` 1.16.0, `client.js`), which assumes 128,000
 * output tokens an hour and refuses above 10 minutes or above the model's non-streaming cap. The
 * SDK skips that check when a timeout is given, and our client always gives one, so we run it here.
 */
export const requiresStreaming = (params: { readonly model: string; readonly max_tokens: number }): boolean => {
  const expectedSeconds = (60 * 60 * params.max_tokens) / 128_000
  const cap = MODEL_NONSTREAMING_TOKENS[params.model]
  return expectedSeconds > 10 * 60 || (cap !== undefined && params.max_tokens > cap)
}

/** The non-streaming request as a streaming one (the same body, less its `stream: false`). */
const streamParams = (params: Claude.MessageCreateParams): Claude.MessageStreamParams => {
  const { stream: _, ...rest } = params
  return rest
}

/** `create` sent as a stream (the client's own, retried and observed like any stream), collected. */
export const streamed = (
  context: CallContext,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined
): Effect.Effect<Claude.Message, ClaudeError.ClaudeError> => collect(stream(context, streamParams(params), call))

type Policy = Schedule.Schedule<unknown, ClaudeError.ClaudeError>

// Built once per schedule (the layer's, an override's), not once per call.
const wrapped = new WeakMap<Policy, Policy>()

/** `schedule`, except that a 504 is not retried: the call goes on as a stream instead. */
const notOnGatewayTimeout = (schedule: Policy): Policy => {
  let out = wrapped.get(schedule)
  if (out === undefined) {
    out = derive(
      schedule,
      Schedule.makeWithState(schedule.initial, (now, error: ClaudeError.ClaudeError, state) =>
        error._tag === "GatewayTimeoutError"
          ? Effect.succeed([state, undefined, ScheduleDecision.done] as const)
          : schedule.step(now, error, state)
      )
    )
    wrapped.set(schedule, out)
  }
  return out
}

const option = (call: boolean | undefined, layer: boolean | undefined): boolean => call ?? layer ?? true

/**
 * One `create`: streamed from the start when it {@link requiresStreaming} (`streamLongRequests`),
 * else sent as it is, a 504 not retried but answered by one streamed try (`streamOnGatewayTimeout`).
 */
export const createOrStream = (
  context: CallContext,
  create: (
    params: Claude.MessageCreateParams,
    call: Claude.CallOptions | undefined
  ) => Effect.Effect<Claude.Message, ClaudeError.ClaudeError>,
  params: Claude.MessageCreateParams,
  call: Claude.CallOptions | undefined
): Effect.Effect<Claude.Message, ClaudeError.ClaudeError> => {
  if (option(call?.streamLongRequests, context.options.streamLongRequests) && requiresStreaming(params)) {
    return streamed(context, params, call)
  }
  if (!option(call?.streamOnGatewayTimeout, context.options.streamOnGatewayTimeout)) return create(params, call)
  return Effect.flatMap(scheduleFor(context, call), (schedule) =>
    create(params, { ...call, retry: notOnGatewayTimeout(schedule) })
  ).pipe(
    Effect.catchTag("GatewayTimeoutError", (e) =>
      Effect.logInfo("claude.gateway_timeout: retrying as a stream").pipe(
        Effect.annotateLogs({ model: params.model, request_id: e.requestId ?? "" }),
        Effect.zipRight(streamed(context, params, call))
      )
    )
  )
}
