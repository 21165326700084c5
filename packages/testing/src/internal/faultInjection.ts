/**
 * Applying a fault to a request: the faults that answer instead of the API (an error status, an HTML
 * page, an empty or truncated body, a reset), and the ones that shape the normal answer (latency, and
 * on a non-streaming answer the counterparts of the stream faults). Stream faults strike in `sse.ts`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fault from "../Fault.js"
import * as ApiError from "./apiError.js"
import * as Exchange from "./exchange.js"
import { label } from "./fault.js"
import * as State from "./state.js"

const headersOf = (options: Fault.HeaderOptions): Record<string, string> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.retryAfter !== undefined) headers["retry-after"] = options.retryAfter
  if (options.retryAfterMs !== undefined) headers["retry-after-ms"] = options.retryAfterMs
  if (options.shouldRetry !== undefined) headers["x-should-retry"] = String(options.shouldRetry)
  return headers
}

/**
 * Records that `fault` hits the request. A fault that answers instead of the API ends the exchange; one
 * that shapes the normal answer is returned, to be applied when the answer is sent.
 *
 * @internal
 */
export const strike = (
  exchange: Exchange.Exchange,
  fault: Fault.Fault,
  source: "scripted" | "chaos"
): Effect.Effect<Fault.Fault, Exchange.Answered> =>
  Effect.suspend(() => {
    exchange.record.fault = label(fault)
    exchange.record.faultSource = source
    switch (fault._tag) {
      case "Status":
        return Exchange.refuse(exchange, ApiError.forStatus(fault.status, fault), headersOf(fault))
      case "Html":
        return Exchange.answer(
          Exchange.text(
            exchange,
            fault.status,
            ApiError.htmlPage(fault.status),
            "text/html; charset=utf-8",
            headersOf(fault)
          )
        )
      case "EmptyBody":
        return Exchange.answer(Exchange.empty(exchange, fault.status, headersOf(fault)))
      case "TruncatedJson": {
        const body = ApiError.body(exchange.record.id, ApiError.typeOf(fault.status), ApiError.messageOf(fault.status))
        return Exchange.answer(
          Exchange.text(
            exchange,
            fault.status,
            body.slice(0, Math.floor(body.length / 2)),
            "application/json",
            headersOf(fault)
          )
        )
      }
      case "Reset":
        return Exchange.answer(Exchange.destroy(exchange, "reset"))
      default:
        return Effect.succeed(fault)
    }
  })

/** The first queued fault the request matches, consumed and struck. @internal */
export const scripted = (
  exchange: Exchange.Exchange,
  request: Fault.RequestInfo
): Effect.Effect<Fault.Fault | undefined, Exchange.Answered> =>
  Effect.suspend(() => {
    const fault = State.takeFault(exchange.state, request)
    return fault === undefined ? Effect.succeed(undefined) : strike(exchange, fault, "scripted")
  })

/** Headers and half the JSON, then a destroyed socket: the work was done, the answer is lost. */
const cutJson = (exchange: Exchange.Exchange, body: unknown): Effect.Effect<never, Exchange.Answered> => {
  const json = JSON.stringify(body)
  return Effect.suspend(() => {
    exchange.socket.writeHead(200, {
      ...Exchange.headers(exchange),
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(json))
    })
    return Exchange.write(exchange, json.slice(0, Math.floor(json.length / 2)))
  }).pipe(
    Effect.zipRight(Exchange.destroy(exchange, "cut")),
    Effect.catchAll(() => Effect.sync(() => Exchange.clientClosed(exchange))),
    Effect.flatMap(Effect.fail)
  )
}

/**
 * A shaping fault before the answer is sent: a latency waits; on a non-streaming answer a stall waits,
 * an SSE error becomes a 529 (500 for other types), malformed SSE a broken JSON body and a cut stream
 * half a body on a destroyed socket. A streaming answer gets its stream fault from `sse.ts`. `body` is
 * the JSON answer about to be sent (a message, or another endpoint's answer).
 *
 * @internal
 */
export const beforeAnswer = (
  exchange: Exchange.Exchange,
  fault: Fault.Fault,
  stream: boolean,
  body: unknown
): Effect.Effect<void, Exchange.Answered> =>
  Effect.gen(function* () {
    const sleep = exchange.state.time.sleep
    if (fault._tag === "Latency") yield* sleep(fault.millis)
    if (stream) return
    switch (fault._tag) {
      case "Stall":
        return yield* sleep(fault.millis)
      case "SseError": {
        const type = fault.errorType ?? "overloaded_error"
        const status = type === "overloaded_error" ? 529 : 500
        return yield* Exchange.refuse(exchange, { status, type, message: fault.message ?? ApiError.messageOf(status) })
      }
      case "MalformedSse":
        return yield* Exchange.answer(Exchange.text(exchange, 200, '{"id": "msg_', "application/json"))
      case "CutStream":
        return yield* cutJson(exchange, body)
      default:
        return
    }
  })
