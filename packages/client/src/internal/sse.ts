/**
 * The SSE events of a streaming response, read below the SDK so that pings are kept. Each event's
 * data is parsed here; its shape is checked at the boundary (`boundary.ts`, from `fromTransport`).
 */
import Anthropic from "@anthropic-ai/sdk"
import { Stream as SdkStream } from "@anthropic-ai/sdk/core/streaming"
import { protocolError } from "./boundary.js"
import type { Ping } from "./transport.js"

const PING: Ping = { type: "ping" }

const KNOWN = new Set([
  "message_start",
  "message_delta",
  "message_stop",
  "content_block_start",
  "content_block_delta",
  "content_block_stop"
])

const NOT_JSON: unique symbol = Symbol("NOT_JSON")

const parse = (data: string): unknown => {
  try {
    return JSON.parse(data)
  } catch {
    return NOT_JSON
  }
}

const typeOf = (u: unknown): unknown =>
  typeof u === "object" && u !== null ? (u as { type?: unknown }).type : undefined

const apiError = (body: unknown, headers: Headers) => {
  const type = (body as { readonly error?: { readonly type?: unknown } } | null | undefined)?.error?.type
  return new Anthropic.APIError(
    undefined,
    body as object | undefined,
    undefined,
    headers,
    typeof type === "string" ? (type as Anthropic.ErrorType) : undefined
  )
}

/**
 * The SSE events of a response, parsed as the SDK's `Stream.fromSSEResponse` reads them (same
 * parser, `Stream.rawEvents`; an `error` event becomes the SDK's `APIError`) but keeping the
 * pings it drops, and never dropping an event that carries data: the data decides what an event
 * is — a `ping` event whose data is a known event is that event, an event without an `event:`
 * line is read too, an `error` payload under any name is an error — and data that is not JSON is
 * a protocol failure naming the event, not a `SyntaxError`.
 */
export async function* sseEvents(response: Response, controller: AbortController): AsyncGenerator<unknown> {
  let events = 0
  for await (const sse of SdkStream.rawEvents(response, controller)) {
    events += 1
    if (sse.event === "error") {
      const body = parse(sse.data)
      // not JSON: the raw text goes to the decoder, which summarises it
      throw apiError(body === NOT_JSON ? sse.data : body, response.headers)
    }
    if (!sse.data) {
      if (sse.event === "ping") yield PING
      continue
    }
    const value = parse(sse.data)
    const type = typeOf(value)
    if (sse.event === "ping" && !(typeof type === "string" && KNOWN.has(type))) {
      // a ping whatever its data, unless the data is a known event (never dropped)
      yield PING
      continue
    }
    if (value === NOT_JSON) {
      const name = sse.event !== null && KNOWN.has(sse.event) ? `a ${sse.event} event` : "an SSE event"
      throw protocolError(`the data of ${name} is not JSON`, "stream")
    }
    if (type === "error") throw apiError(value, response.headers)
    yield value
  }
  // Not an event stream at all (an HTML page from a proxy, a JSON body): say so, rather than let
  // it look like a stream cut before message_stop.
  if (events === 0 && !/^text\/event-stream\b/i.test(response.headers.get("content-type") ?? "")) {
    throw protocolError("the response to a streaming request is not an event stream (it holds no SSE event)", "stream")
  }
}
