/**
 * The routing table and the steps every request takes before its endpoint: it is numbered and
 * recorded, its body read, its key checked; an unknown path gets the API's 404; then a scripted fault
 * and an outage window may answer for the endpoint.
 *
 * @internal
 */
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Fault from "../Fault.js"
import * as Batches from "./batches.js"
import * as Chaos from "./chaos.js"
import * as Completion from "./completion.js"
import * as Exchange from "./exchange.js"
import * as FaultInjection from "./faultInjection.js"
import * as Files from "./files.js"
import * as Messages from "./messages.js"
import * as ModelCatalog from "./modelCatalog.js"
import * as NodeHttp from "./nodeHttp.js"
import * as RequestRecord from "./record.js"
import type { State } from "./state.js"

/** @internal */
export interface Endpoint {
  readonly method: HttpMethod.HttpMethod
  readonly path: HttpRouter.PathInput
  readonly handle: Exchange.Handler
}

/** The endpoints served; any other path gets 404 `not_found_error` once authenticated. @internal */
export const ENDPOINTS: ReadonlyArray<Endpoint> = [
  { method: "POST", path: "/v1/messages", handle: Messages.create },
  { method: "POST", path: "/v1/messages/count_tokens", handle: Messages.countTokens },
  { method: "POST", path: "/v1/messages/batches", handle: Batches.create },
  { method: "GET", path: "/v1/messages/batches", handle: Batches.list },
  { method: "GET", path: "/v1/messages/batches/:id", handle: Batches.retrieve },
  { method: "DELETE", path: "/v1/messages/batches/:id", handle: Batches.remove },
  { method: "POST", path: "/v1/messages/batches/:id/cancel", handle: Batches.cancel },
  { method: "GET", path: "/v1/messages/batches/:id/results", handle: Batches.results },
  { method: "POST", path: "/v1/files", handle: Files.upload },
  { method: "GET", path: "/v1/files", handle: Files.list },
  { method: "GET", path: "/v1/files/:id", handle: Files.retrieve },
  { method: "DELETE", path: "/v1/files/:id", handle: Files.remove },
  { method: "GET", path: "/v1/files/:id/content", handle: Files.content },
  { method: "GET", path: "/v1/models", handle: ModelCatalog.list },
  { method: "GET", path: "/v1/models/:id", handle: ModelCatalog.retrieve }
]

/** `x-api-key`, or `Authorization: Bearer`; the key's index is recorded. */
const authenticate = (
  exchange: Exchange.Exchange,
  headers: Readonly<Record<string, string | undefined>>
): Effect.Effect<string, Exchange.Answered> =>
  Effect.suspend(() => {
    const auth = headers["authorization"]
    const presented =
      headers["x-api-key"] ?? (auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : undefined)
    if (presented === undefined || presented.length === 0) {
      return Exchange.refuse(exchange, {
        status: 401,
        type: "authentication_error",
        message: "x-api-key header is required"
      })
    }
    const keyIndex = exchange.state.config.keys.indexOf(presented)
    if (keyIndex < 0) {
      return Exchange.refuse(exchange, { status: 401, type: "authentication_error", message: "invalid x-api-key" })
    }
    exchange.record.keyIndex = keyIndex
    return Effect.succeed(presented)
  })

/** The body as JSON (the raw text when it is not JSON, `undefined` when empty). */
const parse = (text: string): { readonly body: unknown; readonly unparsable: boolean } => {
  try {
    return { body: text.length > 0 ? JSON.parse(text) : undefined, unparsable: false }
  } catch {
    return { body: text, unparsable: true }
  }
}

/** One request, from arrival to its endpoint (`undefined`: an unknown path). */
const serve = (state: State, handle: Exchange.Handler | undefined) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const n = state.counter++
    const record = RequestRecord.make({
      id: Completion.makeId("req", n, state.config.seed),
      time: state.time.elapsed(),
      method: request.method,
      url: request.url,
      headers: request.headers
    })
    RequestRecord.append(state.records, record, state.config.maxRecords)
    const exchange: Exchange.Exchange = {
      state,
      n,
      record,
      socket: NodeHttp.toServerResponse(request)
    }

    return yield* Effect.gen(function* () {
      // read as bytes: a Files upload is binary; the text is what every other endpoint parses
      const bytes = Buffer.from(yield* Effect.orElseSucceed(request.arrayBuffer, () => new ArrayBuffer(0)))
      // the proxy in front of the API answers an oversized body before anything else (and it is not recorded)
      if (bytes.byteLength > state.config.maxRequestBytes) {
        return yield* Exchange.error(exchange, {
          status: 413,
          type: "request_too_large",
          message: "Request exceeds the maximum allowed number of bytes."
        })
      }
      const { body, unparsable } = parse(bytes.toString("utf8"))
      record.body = body
      record.stream = Predicate.hasProperty(body, "stream") && body.stream === true
      const key = yield* authenticate(exchange, request.headers)
      if (handle === undefined) {
        return yield* Exchange.error(exchange, { status: 404, type: "not_found_error", message: "Not Found" })
      }
      const info: Fault.RequestInfo = {
        method: record.method,
        path: record.path,
        headers: record.headers,
        body,
        stream: record.stream
      }
      const shaping = yield* FaultInjection.scripted(exchange, info)
      yield* Chaos.outage(exchange)
      return yield* handle(exchange, { request: info, unparsable, bytes, key, shaping })
    }).pipe(
      Effect.merge,
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          if (record.outcome === "pending") Exchange.finish(exchange, "client-closed")
        })
      )
    )
  })

/** The router over the endpoints and the 404 fallback. @internal */
export const make = (state: State): HttpRouter.HttpRouter =>
  HttpRouter.all(
    ENDPOINTS.reduce(
      (router, endpoint) => HttpRouter.route(endpoint.method)(router, endpoint.path, serve(state, endpoint.handle)),
      HttpRouter.empty
    ),
    "*",
    serve(state, undefined)
  )
