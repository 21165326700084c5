/**
 * The real `@anthropic-ai/sdk` against a tiny loopback server that answers each
 * request as its `x-scenario` header says; every SDK failure must map to the right
 * ClaudeError member.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import Anthropic from "@anthropic-ai/sdk"
import { ClaudeError } from "@claude-resilience/errors"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"

type Scenario = (req: http.IncomingMessage, res: http.ServerResponse) => void

const json = (status: number, type: string, message: string, headers: Record<string, string> = {}): Scenario => {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": `req_${status}`, ...headers })
    res.end(JSON.stringify({ type: "error", error: { type, message }, request_id: `req_${status}` }))
  }
}

const sse =
  (events: ReadonlyArray<string>, end: "close" | "destroy"): Scenario =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_stream" })
    for (const e of events) res.write(e)
    if (end === "destroy") setTimeout(() => res.socket?.destroy(), 20)
    else res.end()
  }

const messageStart = `event: message_start\ndata: ${JSON.stringify({
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-5-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 1 }
  }
})}\n\n`
const blockStart = `event: content_block_start\ndata: ${JSON.stringify({
  type: "content_block_start",
  index: 0,
  content_block: { type: "text", text: "" }
})}\n\n`
const delta = `event: content_block_delta\ndata: ${JSON.stringify({
  type: "content_block_delta",
  index: 0,
  delta: { type: "text_delta", text: "Hello" }
})}\n\n`

const scenarios: Record<string, Scenario> = {
  "400": json(400, "invalid_request_error", "prompt is too long: 205432 tokens > 200000 maximum"),
  "401": json(401, "authentication_error", "invalid x-api-key"),
  "402": json(402, "billing_error", "credit balance too low"),
  "403": json(403, "permission_error", "not allowed"),
  "404": json(404, "not_found_error", "model: claude-nope"),
  "408": json(408, "timeout_error_client", "request timeout"),
  "409": json(409, "conflict", "conflict"),
  "413": json(413, "request_too_large", "too large"),
  "422": json(422, "unprocessable", "bad schema"),
  "429": json(429, "rate_limit_error", "slow down", { "retry-after": "7" }),
  "500": json(500, "api_error", "internal"),
  "503": json(503, "api_error", "unavailable"),
  "504": json(504, "timeout_error", "timeout"),
  "529": json(529, "overloaded_error", "Overloaded", { "x-should-retry": "true" }),
  "418": json(418, "teapot", "I'm a teapot"),
  html502: (_req, res) => {
    res.writeHead(502, { "content-type": "text/html" })
    res.end("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>")
  },
  empty503: (_req, res) => {
    res.writeHead(503)
    res.end()
  },
  truncated500: (_req, res) => {
    res.writeHead(500, { "content-type": "application/json" })
    res.end('{"type":"error","error":{"type":"api_')
  },
  reset: (req) => req.socket.destroy(),
  hang: () => {},
  sseError: sse(
    [
      messageStart,
      blockStart,
      delta,
      `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`
    ],
    "close"
  ),
  sseMalformed: sse([messageStart, blockStart, "event: content_block_delta\ndata: {not json\n\n"], "close"),
  sseCut: sse([messageStart, blockStart, delta], "destroy")
}

let server: http.Server
let baseURL = ""

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      const scenario = scenarios[String(req.headers["x-scenario"])]
      if (scenario) scenario(req, res)
      else json(500, "api_error", "unknown scenario")(req, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const client = (timeout = 10_000) =>
  new Anthropic({ apiKey: "sk-ant-test-SECRET-KEY-123", baseURL, maxRetries: 0, timeout })

const body = { model: "claude-sonnet-5-5", max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] }

/** Runs a create call under a scenario and maps its rejection. */
const create = (scenario: string, options: { timeout?: number; signal?: AbortSignal } = {}) =>
  Effect.tryPromise({
    try: () =>
      client(options.timeout).messages.create(body, {
        headers: { "x-scenario": scenario },
        ...(options.signal ? { signal: options.signal } : {})
      }),
    catch: (e) => e
  }).pipe(
    Effect.flip,
    Effect.flatMap((e) => ClaudeError.fromUnknown(e))
  )

/** Runs a streaming call under a scenario and maps the error it ends with. */
const stream = (scenario: string) =>
  Effect.tryPromise({
    try: async () => {
      const s = await client().messages.create({ ...body, stream: true }, { headers: { "x-scenario": scenario } })
      for await (const _ of s) {
        // drain
      }
    },
    catch: (e) => e
  }).pipe(
    Effect.flip,
    Effect.flatMap((e) => ClaudeError.fromUnknown(e, { phase: "stream" }))
  )

describe("the real SDK against a loopback server", () => {
  it.each([
    ["400", "InvalidRequestError"],
    ["401", "AuthenticationError"],
    ["402", "BillingError"],
    ["403", "PermissionError"],
    ["404", "NotFoundError"],
    ["408", "RequestTimeoutError"],
    ["409", "ConflictError"],
    ["413", "RequestTooLargeError"],
    ["422", "UnprocessableEntityError"],
    ["429", "RateLimitError"],
    ["500", "ApiError"],
    ["503", "ServiceUnavailableError"],
    ["504", "GatewayTimeoutError"],
    ["529", "OverloadedError"],
    ["418", "UnknownApiError"],
    ["html502", "BadGatewayError"],
    ["empty503", "ServiceUnavailableError"],
    ["truncated500", "ApiError"]
  ] as const)("%s → %s", async (scenario, tag) => {
    const e = await Effect.runPromise(create(scenario))
    expect(e._tag).toBe(tag)
    expect(String(e)).not.toContain("SECRET-KEY")
    if (ClaudeError.isApiResponseError(e)) {
      expect(e.status).toBe(Number(scenario.replace(/\D/g, "")))
      expect(e.phase).toBe("request")
    }
  })

  it("keeps request id, retry-after and the parsed context window", async () => {
    const rate = await Effect.runPromise(create("429"))
    expect(rate._tag === "RateLimitError" && rate.requestId).toBe("req_429")
    expect(rate._tag === "RateLimitError" && rate.retryAfter && Duration.toSeconds(rate.retryAfter)).toBe(7)
    const tooLong = await Effect.runPromise(create("400"))
    expect(tooLong._tag === "InvalidRequestError" && tooLong.promptTooLong).toEqual({
      promptTokens: 205432,
      maxTokens: 200000
    })
  })

  it("summarises an HTML 502 and keeps a snippet", async () => {
    const e = await Effect.runPromise(create("html502"))
    expect(e._tag).toBe("BadGatewayError")
    expect(e.message).toBe("HTTP 502: 502 Bad Gateway")
    expect(e._tag === "BadGatewayError" && e.bodySnippet).toContain("nginx")
  })

  it("x-should-retry is read from SDK errors", async () => {
    const e = await Effect.runPromise(create("529"))
    expect(e._tag === "OverloadedError" && e.shouldRetry).toBe(true)
  })

  it("a reset connection is a ConnectionError", async () => {
    const e = await Effect.runPromise(create("reset"))
    expect(e._tag).toBe("ConnectionError")
    expect(ClaudeError.isRetryable(e)).toBe(true)
  })

  it("the SDK's timeout is a TimeoutError", async () => {
    const e = await Effect.runPromise(create("hang", { timeout: 200 }))
    expect(e._tag).toBe("TimeoutError")
  })

  it("a user abort is a non-retryable ConnectionError(aborted)", async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const e = await Effect.runPromise(create("hang", { signal: controller.signal }))
    expect(e._tag === "ConnectionError" && e.reason).toBe("aborted")
    expect(ClaudeError.isRetryable(e)).toBe(false)
  })

  it("an SSE error event mid-stream is a mid-stream OverloadedError", async () => {
    const e = await Effect.runPromise(stream("sseError"))
    expect(e._tag).toBe("OverloadedError")
    expect(e._tag === "OverloadedError" && e.phase).toBe("stream")
    expect(e._tag === "OverloadedError" && e.requestId).toBe("req_stream")
  })

  it("malformed SSE is a ConnectionError(protocol)", async () => {
    const e = await Effect.runPromise(stream("sseMalformed"))
    expect(e._tag === "ConnectionError" && e.reason).toBe("protocol")
    expect(e._tag === "ConnectionError" && e.phase).toBe("stream")
  })

  it("a socket destroyed mid-stream is a ConnectionError(reset)", async () => {
    const e = await Effect.runPromise(stream("sseCut"))
    expect(e._tag === "ConnectionError" && e.reason).toBe("reset")
  })
})
