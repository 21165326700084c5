/**
 * What sends one attempt — the {@link Transport} interface — and the transport over the SDK:
 * requests and responses through `@anthropic-ai/sdk`, bodies read as text and parsed at the
 * boundary, SSE read below the SDK (see `sse.ts`).
 */
import type Anthropic from "@anthropic-ai/sdk"
import type * as Claude from "../Claude.js"
import { parseBody } from "./boundary.js"
import { sseEvents } from "./sse.js"

/**
 * A `ping` SSE event. The SDK drops pings before its stream yields anything, so transports
 * surface them themselves: they prove the connection is alive to the stall watchdog.
 */
export interface Ping {
  readonly type: "ping"
}

/** What a transport's stream yields once checked: the SDK's raw events, and pings. */
export type TransportEvent = Claude.MessageStreamEvent | Ping

/**
 * What one request carries besides its body. `onResponse` is called with a successful response's
 * headers (the rate limiter learns from them) before its body is read; an error response's
 * headers travel in the `ClaudeError` instead.
 */
export interface RequestOptions {
  readonly signal: AbortSignal
  readonly headers?: Record<string, string>
  readonly onResponse?: ((headers: Headers) => void) | undefined
}

/**
 * What sends one attempt: the SDK over HTTP, or a script in tests. What it answers is not
 * trusted: bodies and events are `unknown` until the boundary (`boundary.ts`) has checked them.
 */
export interface Transport {
  readonly create: (params: Claude.MessageCreateParams, options: RequestOptions) => Promise<unknown>
  readonly countTokens: (params: Claude.CountTokensParams, options: RequestOptions) => Promise<unknown>
  readonly stream: (
    params: Claude.MessageStreamParams,
    options: RequestOptions
  ) => Promise<AsyncIterable<unknown> & { readonly controller?: AbortController }>
}

/**
 * A successful response's body, parsed by the boundary rather than by the SDK (whose parse
 * throws a raw `SyntaxError` on truncated JSON and hands back an HTML page as a string). The
 * request id rides along as the SDK would attach it: `_request_id`, not enumerable.
 */
const body = async (
  response: Promise<Response>,
  what: string,
  onResponse: RequestOptions["onResponse"]
): Promise<unknown> => {
  const r = await response
  onResponse?.(r.headers)
  const value = parseBody(await r.text(), what)
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    Object.defineProperty(value, "_request_id", { value: r.headers.get("request-id"), enumerable: false })
  }
  return value
}

/** The options the SDK takes: ours without the response observer. */
const sdkOptions = ({ onResponse: _, ...options }: RequestOptions) => options

export const sdkTransport = (sdk: Anthropic): Transport => ({
  create: (params, options) =>
    body(
      sdk.messages.create({ ...params, stream: false }, sdkOptions(options)).asResponse(),
      "create",
      options.onResponse
    ),
  countTokens: (params, options) =>
    body(sdk.messages.countTokens(params, sdkOptions(options)).asResponse(), "count_tokens", options.onResponse),
  stream: async (params, options) => {
    // our own controller, so the body can be aborted after the connection phase's signal is gone
    const controller = new AbortController()
    const abort = () => controller.abort()
    options.signal.addEventListener("abort", abort, { once: true })
    try {
      // the raw response, parsed below the SDK: its stream would drop the pings
      const response = await sdk.messages
        .create({ ...params, stream: true }, { ...sdkOptions(options), signal: controller.signal })
        .asResponse()
      options.onResponse?.(response.headers)
      return { controller, [Symbol.asyncIterator]: () => sseEvents(response, controller) }
    } finally {
      options.signal.removeEventListener("abort", abort)
    }
  }
})
