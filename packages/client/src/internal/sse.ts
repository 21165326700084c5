/**
 * The SSE events of a streaming response, read below the SDK so that pings are kept.
 */
import Anthropic from "@anthropic-ai/sdk"
import { Stream as SdkStream } from "@anthropic-ai/sdk/core/streaming"
import type * as Claude from "../Claude.js"
import type { Ping, TransportEvent } from "./transport.js"

const PING: Ping = { type: "ping" }

/**
 * The SSE events of a response, as the SDK's `Stream.fromSSEResponse` reads them but keeping the
 * pings it drops: same parser (`Stream.rawEvents`), same `error` event → `APIError` mapping.
 */
export async function* sseEvents(response: Response, controller: AbortController): AsyncGenerator<TransportEvent> {
  for await (const sse of SdkStream.rawEvents(response, controller)) {
    if (sse.event === "ping") {
      yield PING
      continue
    }
    if (sse.event === null) continue
    if (sse.event === "error") {
      let body: unknown = sse.data
      try {
        body = JSON.parse(sse.data)
      } catch {
        // not JSON: keep the raw text
      }
      const type = (body as { readonly error?: { readonly type?: unknown } } | undefined)?.error?.type
      throw new Anthropic.APIError(
        undefined,
        body as object | undefined,
        undefined,
        response.headers,
        typeof type === "string" ? (type as Anthropic.ErrorType) : undefined
      )
    }
    if (!sse.data) continue
    yield JSON.parse(sse.data) as Claude.MessageStreamEvent
  }
}
