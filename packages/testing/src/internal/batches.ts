/**
 * The Message Batches endpoints, after the router's common steps (authentication, scripted fault,
 * outage): create (validated like the API: `custom_id` rule and uniqueness, requests and bytes per
 * batch), list, retrieve, cancel, delete, and the JSONL results, which a fault can cut mid-way.
 *
 * @internal
 */
import { BatchLimits } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Fault from "../Fault.js"
import * as BatchStore from "./batchStore.js"
import * as Completion from "./completion.js"
import * as Exchange from "./exchange.js"
import * as Resource from "./resource.js"

/** The batch the path names (`/v1/messages/batches/:id/...`), or the API's 404. */
const found = (exchange: Exchange.Exchange) =>
  Effect.suspend(() => {
    const id = Resource.segments(exchange)[3] ?? ""
    const entry = exchange.state.batches.get(id)
    return entry === undefined ? Resource.notFound(exchange, `No message batch with id ${id}`) : Effect.succeed(entry)
  })

/** The requests of a create body, checked as the API checks them, or its 400 / 413. */
const items = (
  exchange: Exchange.Exchange,
  incoming: Exchange.Incoming
): Effect.Effect<ReadonlyArray<BatchStore.BatchItem>, Exchange.Answered> =>
  Effect.suspend(() => {
    const { maxBytes, maxRequests } = exchange.state.config.batches
    const body = incoming.request.body
    if (incoming.unparsable) return Resource.invalid(exchange, "There was an error parsing the body of your request.")
    if (!Predicate.isRecord(body) || !Array.isArray(body.requests)) {
      return Resource.invalid(exchange, "requests: Field required")
    }
    const requests: ReadonlyArray<unknown> = body.requests
    if (requests.length === 0) return Resource.invalid(exchange, "requests: List should have at least 1 item")
    if (requests.length > maxRequests) {
      return Resource.invalid(exchange, `requests: List should have at most ${maxRequests} items`)
    }
    if (incoming.bytes.length > maxBytes) {
      return Exchange.refuse(exchange, {
        status: 413,
        type: "request_too_large",
        message: `Request exceeds the maximum size of ${maxBytes} bytes`
      })
    }
    const seen = new Set<string>()
    const out: Array<BatchStore.BatchItem> = []
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]
      if (!Predicate.isRecord(request) || typeof request.custom_id !== "string") {
        return Resource.invalid(exchange, `requests.${i}.custom_id: Field required`)
      }
      if (!BatchLimits.isValidCustomId(request.custom_id)) {
        return Resource.invalid(
          exchange,
          `requests.${i}.custom_id: String should match pattern '${BatchLimits.customIdPattern.source}'`
        )
      }
      if (seen.has(request.custom_id)) {
        return Resource.invalid(exchange, `requests.${i}.custom_id: duplicate custom_id '${request.custom_id}'`)
      }
      if (!Predicate.isRecord(request.params)) return Resource.invalid(exchange, `requests.${i}.params: Field required`)
      seen.add(request.custom_id)
      out.push({ custom_id: request.custom_id, params: request.params })
    }
    return Effect.succeed(out)
  })

/** `POST /v1/messages/batches`. @internal */
export const create: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const entry = BatchStore.create(exchange.state, yield* items(exchange, incoming))
    return yield* Resource.json(exchange, fault, BatchStore.view(exchange.state, entry, Resource.origin(exchange)))
  }).pipe(Effect.merge)

/** `GET /v1/messages/batches`: newest first. @internal */
export const list: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const origin = Resource.origin(exchange)
    const views = [...exchange.state.batches.values()].reverse().map((e) => BatchStore.view(exchange.state, e, origin))
    return yield* Resource.json(exchange, fault, Resource.page(views, Resource.query(exchange)))
  }).pipe(Effect.merge)

/** `GET /v1/messages/batches/:id`. @internal */
export const retrieve: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const entry = yield* found(exchange)
    return yield* Resource.json(exchange, fault, BatchStore.view(exchange.state, entry, Resource.origin(exchange)))
  }).pipe(Effect.merge)

/**
 * `POST /v1/messages/batches/:id/cancel`: a batch still processing ends now with every item
 * `canceled` (its answer says `canceling`, as the API's does); an ended batch is answered as it is.
 *
 * @internal
 */
export const cancel: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const entry = yield* found(exchange)
    const { state } = exchange
    const view = BatchStore.view(state, entry, Resource.origin(exchange))
    if (BatchStore.endedAt(entry, state.time.now()) !== undefined) return yield* Resource.json(exchange, fault, view)
    entry.canceledAt = state.time.now()
    return yield* Resource.json(exchange, fault, {
      ...view,
      processing_status: "canceling",
      cancel_initiated_at: Resource.iso(state.time.epoch())
    })
  }).pipe(Effect.merge)

/** `DELETE /v1/messages/batches/:id`: only once processing has ended, as the API. @internal */
export const remove: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const entry = yield* found(exchange)
    if (BatchStore.endedAt(entry, exchange.state.time.now()) === undefined) {
      return yield* Resource.invalid(exchange, `Message batch ${entry.id} is still processing; cancel it first`)
    }
    exchange.state.batches.delete(entry.id)
    return yield* Resource.json(exchange, fault, { id: entry.id, type: "message_batch_deleted" })
  }).pipe(Effect.merge)

/** Where a results download is cut: a scripted or chaos `cutStream`, else a `cutResultsRate` draw. */
const cutAt = (exchange: Exchange.Exchange, fault: Fault.Fault | undefined, lines: number): number | undefined => {
  if (fault?._tag === "CutStream") return Math.min(Math.max(0, fault.afterEvents), lines)
  const rate = exchange.state.config.batches.cutResultsRate
  if (rate <= 0) return undefined
  const next = Completion.mulberry32(Completion.hash(`results:${exchange.n}`, exchange.state.config.seed))
  return next() < rate ? Math.floor(next() * lines) : undefined
}

/** Lines per socket write. */
const LINES_PER_WRITE = 64

/**
 * `GET /v1/messages/batches/:id/results`: the JSONL results of an ended batch, in request order. A cut
 * writes the lines before it and half the next one, then destroys the socket.
 *
 * @internal
 */
export const results: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming, true)
    const entry = yield* found(exchange)
    if (BatchStore.endedAt(entry, exchange.state.time.now()) === undefined) {
      return yield* Resource.invalid(exchange, `Message batch ${entry.id} has not ended; its results are not ready`)
    }
    if (fault?._tag === "Latency") yield* exchange.state.time.sleep(fault.millis)
    const lines = BatchStore.resultLines(entry)
    const cut = cutAt(exchange, fault, lines.length)
    const stallAt = fault?._tag === "Stall" ? fault.afterEvents : -1
    exchange.socket.writeHead(200, { ...Exchange.headers(exchange), "content-type": "application/x-jsonl" })
    // the headers now, as a streamed file's: a stall or cut then happens in the body
    exchange.socket.flushHeaders()
    const end = cut ?? lines.length
    for (let i = 0; i < end; i += LINES_PER_WRITE) {
      if (stallAt >= i && stallAt < i + LINES_PER_WRITE && fault?._tag === "Stall") {
        yield* exchange.state.time.sleep(fault.millis)
      }
      yield* Exchange.write(exchange, lines.slice(i, Math.min(end, i + LINES_PER_WRITE)).join(""))
      exchange.record.events += Math.min(end, i + LINES_PER_WRITE) - i
    }
    if (cut !== undefined) {
      const partial = lines[cut]
      if (partial !== undefined) yield* Exchange.write(exchange, partial.slice(0, Math.ceil(partial.length / 2)))
      return yield* Exchange.destroy(exchange, "cut")
    }
    exchange.socket.end()
    Exchange.finish(exchange, 200)
    return Exchange.sent()
  }).pipe(
    Effect.catchIf(
      (e): e is "closed" => e === "closed",
      () => Effect.sync(() => Exchange.clientClosed(exchange))
    ),
    Effect.merge
  )
