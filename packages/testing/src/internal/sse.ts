/**
 * Server-sent events: the event sequence of a Message as the API streams it, and writing a stream to
 * the socket with a fault that strikes after some events (a cut socket, an `event: error`, garbage,
 * silence, pings).
 *
 * @internal
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Fault from "../Fault.js"
import type { Message } from "./answer.js"
import * as Completion from "./completion.js"
import * as Exchange from "./exchange.js"

/** One SSE frame. @internal */
export const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

const PING = frame("ping", { type: "ping" })

/** Characters per `input_json_delta`: small, so a cut can fall mid-JSON. */
const JSON_CHUNK = 12

const deltas = (block: Message["content"][number], index: number, wordsPerDelta: number): ReadonlyArray<string> =>
  block.type === "text"
    ? Completion.chunkText(block.text, wordsPerDelta).map((chunk) =>
        frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: chunk } })
      )
    : Completion.chunkChars(JSON.stringify(block.input), JSON_CHUNK).map((partial_json) =>
        frame("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json }
        })
      )

/**
 * The API's event sequence for a message: `message_start` (empty content, one output token), per block
 * `content_block_start`, deltas and `content_block_stop` (a `ping` after the first start, or alone when
 * there is no block), then `message_delta` (stop reason, output tokens) and `message_stop`.
 *
 * @internal
 */
export const eventsOf = (message: Message, wordsPerDelta: number): ReadonlyArray<string> => {
  const start = frame("message_start", {
    type: "message_start",
    message: {
      id: message.id,
      type: "message",
      role: "assistant",
      model: message.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: { ...message.usage, output_tokens: 1 }
    }
  })
  const blocks = message.content.flatMap((block, index) => [
    frame("content_block_start", {
      type: "content_block_start",
      index,
      content_block: block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} }
    }),
    ...(index === 0 ? [PING] : []),
    ...deltas(block, index, wordsPerDelta),
    frame("content_block_stop", { type: "content_block_stop", index })
  ])
  return [
    start,
    ...(blocks.length === 0 ? [PING] : blocks),
    frame("message_delta", {
      type: "message_delta",
      delta: {
        stop_reason: message.stop_reason,
        stop_sequence: message.stop_sequence,
        stop_details: message.stop_details
      },
      usage: { output_tokens: message.usage.output_tokens }
    }),
    frame("message_stop", { type: "message_stop" })
  ]
}

/** An `event: content_block_delta` cut mid-JSON, then a data line that is not JSON. */
const MALFORMED =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\ndata: }}not json{{\n\n'

/**
 * Streams `events` (`text/event-stream`) with `Options.eventDelayMs` between them; a stream fault
 * strikes after its `afterEvents` events. The record counts the events written and ends with the
 * outcome: 200, `cut`, `sse-error`, `malformed-sse` or `client-closed`.
 *
 * @internal
 */
export const stream = (
  exchange: Exchange.Exchange,
  events: ReadonlyArray<string>,
  fault: Fault.Fault | undefined
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const { socket, record, state } = exchange
    const sleep = state.time.sleep
    const delay = state.config.eventDelayMs
    socket.writeHead(200, {
      ...Exchange.headers(exchange),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache"
    })
    const strikeAt =
      fault !== undefined && "afterEvents" in fault ? Math.min(Math.max(0, fault.afterEvents), events.length) : -1
    for (let i = 0; i <= events.length; i++) {
      if (i === strikeAt && fault !== undefined) {
        switch (fault._tag) {
          case "CutStream":
            return yield* Exchange.destroy(exchange, "cut")
          case "SseError": {
            const type = fault.errorType ?? "overloaded_error"
            yield* Exchange.write(
              exchange,
              frame("error", {
                type: "error",
                error: { type, message: fault.message ?? (type === "overloaded_error" ? "Overloaded" : type) },
                request_id: record.id
              })
            )
            socket.end()
            Exchange.finish(exchange, "sse-error")
            return Exchange.sent()
          }
          case "MalformedSse":
            yield* Exchange.write(exchange, MALFORMED)
            socket.end()
            Exchange.finish(exchange, "malformed-sse")
            return Exchange.sent()
          case "Stall":
            yield* sleep(fault.millis)
            break
          case "Pings":
            for (let p = 0; p < fault.count; p++) {
              yield* sleep(fault.everyMs)
              yield* Exchange.write(exchange, PING)
            }
            break
          default:
            break
        }
      }
      const event = events[i]
      if (event === undefined) break
      yield* Exchange.write(exchange, event)
      record.events++
      if (delay > 0 && i < events.length - 1) yield* sleep(delay)
    }
    socket.end()
    Exchange.finish(exchange, 200)
    return Exchange.sent()
  }).pipe(Effect.catchAll(() => Effect.sync(() => Exchange.clientClosed(exchange))))
