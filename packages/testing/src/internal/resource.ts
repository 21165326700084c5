/**
 * What the endpoints beside Messages (Message Batches, Files, Models) share: the stored resources'
 * shapes, their ids and timestamps, the path and query of a request, a chaos draw per request, a JSON
 * answer shaped by its fault (a cut answer is a lost response: the work is done, the client never
 * hears of it), and the API's two pagination styles.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fault from "../Fault.js"
import type { Message } from "./answer.js"
import * as Chaos from "./chaos.js"
import * as Completion from "./completion.js"
import * as Exchange from "./exchange.js"
import * as FaultInjection from "./faultInjection.js"
import type { State } from "./state.js"

/** A batch item's result, in the shape of the SDK's `MessageBatchResult`. @internal */
export type ItemResult =
  | { readonly type: "succeeded"; readonly message: Message }
  | {
      readonly type: "errored"
      readonly error: {
        readonly type: "error"
        readonly error: { readonly type: string; readonly message: string }
        readonly request_id: string | null
      }
    }
  | { readonly type: "canceled" }
  | { readonly type: "expired" }

/** A message batch as stored: its items' results are drawn at creation and shown once it ends. @internal */
export interface BatchEntry {
  readonly id: string
  /** server ms since start */
  readonly createdAt: number
  /** server ms since start at which processing ends */
  readonly endsAt: number
  /** server ms since start at which a cancel arrived before the end */
  canceledAt: number | undefined
  readonly items: ReadonlyArray<{ readonly customId: string; readonly result: ItemResult }>
}

/** An uploaded file. @internal */
export interface StoredFile {
  readonly id: string
  readonly filename: string
  readonly mimeType: string
  readonly bytes: Uint8Array
  /** epoch ms, server time */
  readonly createdAt: number
  readonly expiresAt: number | undefined
}

/** The path's segments: `/v1/files/f1/content` → `["v1", "files", "f1", "content"]`. @internal */
export const segments = (exchange: Exchange.Exchange): ReadonlyArray<string> =>
  exchange.record.path.split("/").filter((s) => s.length > 0)

/** The query string's parameters. @internal */
export const query = (exchange: Exchange.Exchange): URLSearchParams =>
  new URL(exchange.socket.req?.url ?? "/", "http://localhost").searchParams

/** The base URL the client reached the server at (for `results_url`). @internal */
export const origin = (exchange: Exchange.Exchange): string =>
  `http://${exchange.record.headers["host"] ?? `127.0.0.1:${exchange.state.config.port}`}`

/** RFC 3339, as the API writes timestamps. @internal */
export const iso = (epochMs: number): string => new Date(epochMs).toISOString()

/** A new id like the API's (`msgbatch_01…`, `file_01…`), seeded. @internal */
export const nextId = (state: State, prefix: string): string =>
  Completion.makeId(prefix, state.created++, state.config.seed)

/**
 * The fault that shapes this request's answer: the scripted one, else one chaos draw (a results
 * download counts as a stream, so `cutStream` can cut it). A fault that answers instead of the API
 * ends the exchange here.
 *
 * @internal
 */
export const shaping = (
  exchange: Exchange.Exchange,
  incoming: Exchange.Incoming,
  stream = false
): Effect.Effect<Fault.Fault | undefined, Exchange.Answered> =>
  Effect.gen(function* () {
    const drawn = yield* Chaos.draw(exchange.state, stream ? { ...incoming.request, stream } : incoming.request)
    if (drawn !== undefined && incoming.shaping === undefined) {
      return yield* FaultInjection.strike(exchange, drawn, "chaos")
    }
    return incoming.shaping
  })

/** Answers `value` as JSON after its shaping fault (a latency waits; a cut loses the answer). @internal */
export const json = (
  exchange: Exchange.Exchange,
  fault: Fault.Fault | undefined,
  value: unknown,
  status = 200
): Effect.Effect<never, Exchange.Answered> =>
  Effect.zipRight(
    fault === undefined ? Effect.void : FaultInjection.beforeAnswer(exchange, fault, false, value),
    Exchange.answer(Exchange.json(exchange, status, value))
  )

/** The API's 404. @internal */
export const notFound = (exchange: Exchange.Exchange, message: string): Effect.Effect<never, Exchange.Answered> =>
  Exchange.refuse(exchange, { status: 404, type: "not_found_error", message })

/** The API's 400. @internal */
export const invalid = (exchange: Exchange.Exchange, message: string): Effect.Effect<never, Exchange.Answered> =>
  Exchange.refuse(exchange, { status: 400, type: "invalid_request_error", message })

const limitOf = (params: URLSearchParams): number => {
  const n = Number(params.get("limit") ?? "20")
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1000) : 20
}

/**
 * A `Page` (`data`, `has_more`, `first_id`, `last_id`; `after_id` / `before_id` / `limit`), over items
 * newest first, as the Batches and Models lists answer.
 *
 * @internal
 */
export const page = <A extends { readonly id: string }>(items: ReadonlyArray<A>, params: URLSearchParams) => {
  const limit = limitOf(params)
  const after = params.get("after_id")
  const before = params.get("before_id")
  let from = 0
  let to = items.length
  if (after !== null) from = items.findIndex((item) => item.id === after) + 1
  if (before !== null) {
    to = Math.max(
      0,
      items.findIndex((item) => item.id === before)
    )
    from = Math.max(0, to - limit)
  }
  const data = items.slice(from, Math.min(to, from + limit))
  const hasMore = before !== null ? from > 0 : from + data.length < to
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null }
}

/** A `PageCursor` (`data`, `next_page`; `page` / `limit`), as the Files list answers. @internal */
export const cursorPage = <A>(items: ReadonlyArray<A>, params: URLSearchParams) => {
  const limit = limitOf(params)
  const token = params.get("page")
  const from = token !== null && /^p\d+$/.test(token) ? Number(token.slice(1)) : 0
  const data = items.slice(from, from + limit)
  return { data, next_page: from + limit < items.length ? `p${from + limit}` : null }
}
