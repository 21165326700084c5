/**
 * The streaming call: the connection phase retried like any call (each connection attempt
 * admitted by the rate limiter), then the events read through {@link fromTransport} (stall
 * watchdog), the usage taken from them, a stream cut before `message_stop` turned into a failure,
 * and the outcome recorded (and the limiter's permit settled) when the stream ends.
 */
import { Tokens } from "@claude-resilience/api"
import { ClaudeError } from "@claude-resilience/errors"
import type { Quota } from "@claude-resilience/rate-limit"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"
import { attempt, circuitKey } from "./attempt.js"
import { type CallContext, requestOptions, retrying, scheduleFor } from "./call.js"
import { type Limits, open } from "./fromTransport.js"
import { finish, spanAttributes, type Usage } from "./observe.js"
import { connect, limitFor } from "./quota.js"

/** The default limit between two stream events of any kind (pings included). */
export const DEFAULT_IDLE_TIMEOUT: Duration.Duration = Duration.seconds(90)

const limitOf = (
  call: Duration.DurationInput | false | undefined,
  layer: Duration.DurationInput | false | undefined,
  fallback: Duration.Duration | undefined
): Duration.Duration | undefined => {
  const input = call !== undefined ? call : layer !== undefined ? layer : fallback
  return input === false || input === undefined ? undefined : Duration.decode(input)
}

/** The watchdog's limits for one call: the call's, else the layer's, else the defaults. */
const limitsFor = (context: CallContext, call: Claude.CallOptions | undefined): Limits => ({
  idle: limitOf(call?.idleTimeout, context.options.streamIdleTimeout, DEFAULT_IDLE_TIMEOUT),
  content: limitOf(call?.contentTimeout, context.options.streamContentTimeout, undefined)
})

/** The characters a delta adds (text, tool input JSON, thinking): the output of a cut stream is estimated from them. */
const deltaChars = (delta: Extract<Claude.MessageStreamEvent, { type: "content_block_delta" }>["delta"]): number => {
  switch (delta.type) {
    case "text_delta":
      return delta.text.length
    case "input_json_delta":
      return delta.partial_json.length
    case "thinking_delta":
      return delta.thinking.length
    default:
      return 0
  }
}

/** What a transport's stream call opens. */
type Connection = Awaited<ReturnType<CallContext["transport"]["stream"]>>

/** A count the boundary does not check (cache writes): a non-negative number, else 0. */
const count = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0)

/** A stream that ended cleanly but without `message_stop` was cut, not finished. */
const incomplete = () =>
  new ClaudeError.ConnectionError({
    message: "stream ended before message_stop",
    reason: "reset",
    phase: "stream"
  })

export const stream = (
  context: CallContext,
  params: Claude.MessageStreamParams,
  call?: Claude.CallOptions
): Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      // The stream span, captured so the usage recorded when the stream ends lands on it.
      const span = yield* Effect.option(Effect.currentSpan)
      const counter = { n: 0 }
      const schedule = yield* scheduleFor(context, call)
      // a stream that fails before its events: recorded as the call's outcome
      const failed = (attempts: number, exit: Exit.Exit<never, ClaudeError.ClaudeError>) =>
        finish(context, "stream", params.model, startedAt, attempts, exit, undefined, undefined, call?.failureLogLevel)
      // A stream holds one bulkhead slot from its first connection attempt to its end (the scope),
      // so its attempts take none of their own.
      if (context.bulkhead !== undefined) {
        const key = circuitKey(context, params.model, call)
        yield* context.bulkhead
          .permit(context.bulkhead.key({ model: params.model, circuitKey: key }))
          .pipe(Effect.tapError((e) => failed(0, Exit.fail(e))))
      }
      const connection = context.bulkhead === undefined ? context : { ...context, bulkhead: undefined }
      // The rate limiter's permit of the connection that succeeded, settled when the stream ends.
      const limit = limitFor(context, params, call, schedule, startedAt)
      const held: { permit: Quota.Permit | undefined } = { permit: undefined }
      // The connection phase (until the response headers) is retried and counted by the breaker.
      const sdkStream = yield* attempt(
        connection,
        "stream",
        params.model,
        counter,
        call,
        (signal, onResponse) => context.transport.stream(params, requestOptions(signal, call, onResponse)),
        limit === undefined ? undefined : connect<Connection>(limit, held)
      ).pipe(
        (self) => retrying(self, schedule),
        Effect.onError((cause) => failed(counter.n, Exit.failCause(cause)))
      )
      // Closing the scope before the answer finished (failure, interruption, a consumer that
      // never pulled) aborts the HTTP request; a finished one needs no abort.
      const done = { stopped: false }
      yield* Effect.addFinalizer(() => Effect.sync(() => (done.stopped ? undefined : sdkStream.controller?.abort())))
      const usage: Usage = { input: 0, output: 0, stopReason: undefined, id: undefined }
      // What the limiter is told when the stream ends: cache writes count as input; the output
      // of a stream cut before message_delta is estimated from the deltas received.
      const spent = { started: false, cacheCreation: 0, delta: false, chars: 0 }
      // Added after the permit's own finalizer, so it runs before it: the permit is settled with
      // what the stream used, not closed as a failure.
      yield* Effect.addFinalizer(() =>
        held.permit === undefined
          ? Effect.void
          : held.permit.settle({
              inputTokens: spent.started ? usage.input + spent.cacheCreation : undefined,
              outputTokens: spent.delta ? usage.output : Math.max(usage.output, Tokens.estimateLength(spent.chars))
            })
      )
      // Bookkeeping per chunk in plain code, the error mapping and the end check folded into the
      // reader's pull rather than stages of their own; the boundary checked every event.
      const events = (yield* open(sdkStream, limitsFor(context, call), {
        mapError: (e) =>
          Effect.flatMap(ClaudeError.fromUnknown(e, { phase: "stream", secrets: context.secrets }), Effect.fail),
        onChunk: (chunk) => {
          for (let i = 0; i < chunk.length; i++) {
            const event = chunk[i]!
            switch (event.type) {
              case "message_start":
                usage.input = event.message.usage.input_tokens
                usage.output = event.message.usage.output_tokens
                usage.id = event.message.id
                spent.started = true
                spent.cacheCreation = count(event.message.usage.cache_creation_input_tokens)
                break
              case "content_block_delta":
                spent.chars += deltaChars(event.delta)
                break
              case "message_delta":
                usage.output = event.usage.output_tokens
                usage.stopReason = event.delta.stop_reason ?? undefined
                spent.delta = true
                break
              case "message_stop":
                done.stopped = true
                break
            }
          }
        },
        // a stream that ended cleanly but without message_stop was cut, not finished
        onEnd: () => (done.stopped ? undefined : incomplete())
      })).pipe(
        Stream.ensuringWith((exit) => {
          const recorded = finish(
            context,
            "stream",
            params.model,
            startedAt,
            counter.n,
            exit,
            done.stopped ? usage : undefined,
            undefined,
            call?.failureLogLevel
          )
          return Option.isSome(span) ? Effect.withParentSpan(recorded, span.value) : recorded
        })
      )
      return events
    })
  ).pipe(
    // One span for the whole stream, so the usage and finish reason land on it.
    Stream.withSpan("claude.messages.stream", {
      captureStackTrace: false,
      kind: "client",
      attributes: spanAttributes("stream", params)
    })
  )
