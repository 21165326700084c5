/**
 * What sends one attempt — the {@link Transport} interface — and the transport over the SDK:
 * requests and responses through `@anthropic-ai/sdk`, SSE read below it (see `sse.ts`).
 */
import type Anthropic from "@anthropic-ai/sdk"
import type * as Claude from "../Claude.js"
import { sseEvents } from "./sse.js"

/**
 * A `ping` SSE event. The SDK drops pings before its stream yields anything, so transports
 * surface them themselves: they prove the connection is alive to the stall watchdog.
 */
export interface Ping {
  readonly type: "ping"
}

/** What a transport's stream yields: the SDK's raw events, and pings. */
export type TransportEvent = Claude.MessageStreamEvent | Ping

/** What one request carries besides its body. */
export interface RequestOptions {
  readonly signal: AbortSignal
  readonly headers?: Record<string, string>
}

/** What sends one attempt: the SDK over HTTP, or a script in tests. */
export interface Transport {
  readonly create: (params: Claude.MessageCreateParams, options: RequestOptions) => Promise<Claude.Message>
  readonly countTokens: (params: Claude.CountTokensParams, options: RequestOptions) => Promise<Claude.TokensCount>
  readonly stream: (
    params: Claude.MessageStreamParams,
    options: RequestOptions
  ) => Promise<AsyncIterable<TransportEvent> & { readonly controller?: AbortController }>
}

export const sdkTransport = (sdk: Anthropic): Transport => ({
  create: (params, options) => sdk.messages.create({ ...params, stream: false }, options),
  countTokens: (params, options) => sdk.messages.countTokens(params, options),
  stream: async (params, options) => {
    // our own controller, so the body can be aborted after the connection phase's signal is gone
    const controller = new AbortController()
    const abort = () => controller.abort()
    options.signal.addEventListener("abort", abort, { once: true })
    try {
      // the raw response, parsed below the SDK: its stream would drop the pings
      const response = await sdk.messages
        .create({ ...params, stream: true }, { ...options, signal: controller.signal })
        .asResponse()
      return { controller, [Symbol.asyncIterator]: () => sseEvents(response, controller) }
    } finally {
      options.signal.removeEventListener("abort", abort)
    }
  }
})
