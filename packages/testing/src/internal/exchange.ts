/**
 * One request and its answer: the record being filled in and the ways to answer — an ordinary response
 * through `@effect/platform`'s `HttpServerResponse`, or raw writes to the Node response, because only
 * there can a fault destroy the socket between two SSE events or keep it silent.
 *
 * @internal
 */
import type * as Http from "node:http"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { Outcome } from "../FakeClaude.js"
import type * as Fault from "../Fault.js"
import * as ApiError from "./apiError.js"
import * as RequestRecord from "./record.js"
import type { State } from "./state.js"

/** @internal */
export interface Exchange {
  readonly state: State
  /** the request's number since the server started: seeds its ids */
  readonly n: number
  readonly record: RequestRecord.MutableRecord
  /** the Node response under the platform's, for SSE and socket faults */
  readonly socket: Http.ServerResponse
}

/** The request as the router read it, for the endpoint. @internal */
export interface Incoming {
  /** what a fault's or reply's `match` sees */
  readonly request: Fault.RequestInfo
  /** the body was not JSON */
  readonly unparsable: boolean
  /** the body as received (a Files upload is binary) */
  readonly bytes: Uint8Array
  /** the API key presented (an accepted one) */
  readonly key: string
  /** a fault that hit the request and shapes its normal answer (latency, stream faults) */
  readonly shaping: Fault.Fault | undefined
}

/** An endpoint's handler: answers the request, or ends the pipeline early with an {@link Answered}. @internal */
export type Handler = (
  exchange: Exchange,
  incoming: Incoming
) => Effect.Effect<HttpServerResponse.HttpServerResponse, Answered>

/**
 * An answer given before the end of the request pipeline. It travels in the error channel, so every
 * step (authentication, a fault, validation, a rate limit) can end the exchange with `yield*`; the
 * router merges it back into the success channel.
 *
 * @internal
 */
export type Answered = HttpServerResponse.HttpServerResponse

/** Ends the pipeline with this answer. @internal */
export const answer = (
  response: Effect.Effect<HttpServerResponse.HttpServerResponse>
): Effect.Effect<never, Answered> => Effect.flatMap(response, Effect.fail)

/** Ends the pipeline with an API error. @internal */
export const refuse = (
  exchange: Exchange,
  spec: ApiError.ApiErrorSpec,
  extraHeaders: Readonly<Record<string, string>> = {}
): Effect.Effect<never, Answered> => answer(error(exchange, spec, extraHeaders))

/** Ends the exchange's record with an outcome and the last bytes written. @internal */
export const finish = (exchange: Exchange, outcome: Outcome, bytes = 0): void =>
  RequestRecord.finish(exchange.record, outcome, bytes, exchange.state.time.elapsed())

/** Headers of every answer: `request-id`, and the rate-limit headers once the key is known. @internal */
export const headers = (exchange: Exchange): Record<string, string> => {
  const out: Record<string, string> = { "request-id": exchange.record.id }
  const keyIndex = exchange.record.keyIndex
  if (keyIndex !== undefined) {
    Object.assign(out, exchange.state.limiter.headers(exchange.state.config.keys[keyIndex]!))
  }
  return out
}

/** @internal */
export const text = (
  exchange: Exchange,
  status: number,
  body: string,
  contentType: string,
  extraHeaders: Readonly<Record<string, string>> = {}
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.sync(() => {
    finish(exchange, status, Buffer.byteLength(body))
    return HttpServerResponse.text(body, {
      status,
      contentType,
      headers: { ...headers(exchange), ...extraHeaders }
    })
  })

/** @internal */
export const json = (exchange: Exchange, status: number, value: unknown) =>
  text(exchange, status, JSON.stringify(value), "application/json")

/** An error answer with the API's JSON body. @internal */
export const error = (
  exchange: Exchange,
  spec: ApiError.ApiErrorSpec,
  extraHeaders: Readonly<Record<string, string>> = {}
) =>
  text(
    exchange,
    spec.status,
    ApiError.body(exchange.record.id, spec.type, spec.message, spec.details),
    "application/json",
    extraHeaders
  )

/** A status with no body. @internal */
export const empty = (
  exchange: Exchange,
  status: number,
  extraHeaders: Readonly<Record<string, string>> = {}
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.sync(() => {
    finish(exchange, status)
    return HttpServerResponse.empty({ status, headers: { ...headers(exchange), ...extraHeaders } })
  })

/** Destroys the socket: before any byte (`reset`) or mid-answer (`cut`). @internal */
export const destroy = (
  exchange: Exchange,
  outcome: "reset" | "cut"
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.sync(() => {
    finish(exchange, outcome)
    exchange.socket.destroy()
    return sent()
  })

/** Writes a chunk to the socket, counting its bytes; fails with "closed" when the client went away. @internal */
export const write = (exchange: Exchange, chunk: string): Effect.Effect<void, "closed"> =>
  Effect.async<void, "closed">((resume) => {
    const socket = exchange.socket
    if (socket.destroyed) return resume(Effect.fail("closed"))
    socket.write(chunk, (error) => {
      if (error) resume(Effect.fail("closed"))
      else {
        exchange.record.bytesSent += Buffer.byteLength(chunk)
        resume(Effect.void)
      }
    })
  })

/** What the platform gets for an answer already written to (or cut on) the socket. @internal */
export const sent = (): HttpServerResponse.HttpServerResponse => HttpServerResponse.empty()

/** The client went away before the answer ended. @internal */
export const clientClosed = (exchange: Exchange): HttpServerResponse.HttpServerResponse => {
  finish(exchange, "client-closed")
  return sent()
}
