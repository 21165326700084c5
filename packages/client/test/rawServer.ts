/**
 * A raw `node:http` server on loopback that answers as a test says — any status, headers and
 * bytes, well formed or not — and the real `Claude` layer pointed at it. FakeClaude speaks the
 * API correctly; these tests need a server that does not.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { type Duration, Effect, Layer, Logger, LogLevel, Redacted, Schedule } from "effect"

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

/** Starts a server whose answer is whatever `current.handler` says at the time of the request. */
export const serve = (current: { handler: Handler }) =>
  Effect.acquireRelease(
    Effect.async<http.Server & { readonly url: string }>((resume) => {
      const server = http.createServer((req, res) => {
        // read the request body first, as a real server does
        req.on("data", () => undefined)
        req.on("end", () => current.handler(req, res))
      })
      server.listen(0, "127.0.0.1", () => {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        resume(Effect.succeed(Object.assign(server, { url })))
      })
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** The real Claude layer over the real SDK, pointed at `url`. Logs below Error are dropped. */
export const claudeAt = (
  url: string,
  options: {
    readonly apiKey?: string
    readonly retry?: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
    readonly attemptTimeout?: Duration.DurationInput
    /** a breaker that never opens: many failing calls in a row through one layer */
    readonly neverOpen?: boolean
  } = {}
) =>
  Claude.layerWithoutDependencies({
    apiKey: Redacted.make(options.apiKey ?? "sk-ant-api03-test-key"),
    baseURL: url,
    attemptTimeout: options.attemptTimeout ?? "5 seconds",
    streamIdleTimeout: "5 seconds"
  }).pipe(
    Layer.provide(RetryPolicy.layer(options.retry ?? Schedule.stop)),
    Layer.provide(
      CircuitBreaker.layer(
        options.neverOpen === true ? { trip: CircuitBreaker.consecutiveFailures(Number.MAX_SAFE_INTEGER) } : {}
      )
    ),
    Layer.merge(Logger.minimumLogLevel(LogLevel.Error))
  )

/** One SSE frame: `event: <type>` and the JSON data. */
export const frame = (data: { readonly type: string }): string =>
  `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`

export const messageStart = (usage = { input_tokens: 3, output_tokens: 1 }) => ({
  type: "message_start",
  message: {
    id: "msg_raw",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage
  }
})

export const blockStart = (index = 0) => ({
  type: "content_block_start",
  index,
  content_block: { type: "text", text: "" }
})

export const textDelta = (text: string, index = 0) => ({
  type: "content_block_delta",
  index,
  delta: { type: "text_delta", text }
})

export const blockStop = (index = 0) => ({ type: "content_block_stop", index })

export const messageDelta = (outputTokens = 5) => ({
  type: "message_delta",
  delta: { stop_reason: "end_turn", stop_sequence: null },
  usage: { output_tokens: outputTokens }
})

export const messageStop = { type: "message_stop" }

/** A whole well-formed stream whose text is `parts` joined. */
export const wholeStream = (parts: ReadonlyArray<string>) => [
  messageStart(),
  blockStart(),
  ...parts.map((p) => textDelta(p)),
  blockStop(),
  messageDelta(),
  messageStop
]

export const message = (text: string) => ({
  id: "msg_raw",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5",
  content: [{ type: "text", text }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 2 }
})

export const ask = {
  model: "claude-haiku-4-5",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }]
}
