/**
 * A server that echoes the API key back into every header and body field it can — request id,
 * body `request_id`, `error.type`, `error.message`, `error.details.error_code`, an HTML page, an
 * SSE error event, a message's id and stop reason — raw, URL-encoded, base64 and JSON-escaped.
 * The key must appear in no output of any kind: the errors (String, JSON, Cause.pretty,
 * util.inspect), the service (util.inspect, JSON, String), the log lines and the spans.
 */
import * as util from "node:util"
import { Claude } from "@claude-resilience/client"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, HashMap, Layer, Logger, LogLevel, Schedule, Stream, Tracer } from "effect"
import {
  ask,
  blockStart,
  blockStop,
  claudeAt,
  frame,
  type Handler,
  messageDelta,
  messageStart,
  messageStop,
  serve,
  textDelta
} from "./rawServer.js"

/** Keys shaped like Anthropic's, and one that is not (only the key itself can find it). */
const KEYS = [
  "sk-ant-api03-Qw3rtyLEAKu1opAsdfGhjkl_zxcvbnm-1234567890abcdefGHIJKLmnopqrSTUVwxyz0123456789-AbCdEfAA",
  "gw-token-7a1cLEAK9d2e4f6a8b0c2d4e6f8a0b2c"
] as const

/** A stretch of each key's random part: its presence in any decoded view of an output is a leak. */
const coreOf = (key: string) => key.slice(key.indexOf("LEAK") - 4, key.indexOf("LEAK") + 12)

const base64 = (text: string) => Buffer.from(text).toString("base64")

/** The forms the server echoes the key in. */
const forms = (key: string): ReadonlyArray<string> => [
  key,
  encodeURIComponent(key).replace(/-/g, "%2D"),
  base64(key),
  base64(`user:${key}`),
  [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
]

/** Every way of reading `text` back: percent-, JSON- and HTML-decoded, base64 and hex decoded at every offset. */
const views = (text: string): ReadonlyArray<string> => {
  const out = [text]
  let decoded = text
  for (let i = 0; i < 2; i++) {
    decoded = decoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    out.push(decoded)
  }
  out.push(text.replace(/\\+u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))))
  out.push(text.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))))
  for (const run of text.match(/[A-Za-z0-9+/_=-]{8,}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(run.slice(skip), "base64").toString("latin1"))
  }
  return out
}

const leaked = (outputs: ReadonlyArray<string>, core: string) =>
  outputs.filter((output) => views(output).some((view) => view.includes(core)))

const json =
  (status: number, headers: Record<string, string>, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers })
    res.end(typeof body === "string" ? body : JSON.stringify(body))
  }

const sse =
  (headers: Record<string, string>, events: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", ...headers })
    res.end(events)
  }

/** The scenarios: what the server answers, given the key (as the request carried it) in one form. */
const scenarios = (
  key: string,
  form: string
): ReadonlyArray<readonly [string, Handler, "create" | "count" | "stream"]> => {
  const everywhere = {
    type: "error",
    error: { type: `invalid_${form}`, message: `invalid x-api-key ${form}`, details: { error_code: form } },
    request_id: form
  }
  const headers = {
    "request-id": form,
    "x-request-id": form,
    "www-authenticate": `Bearer ${key}`,
    "x-echo": base64(key)
  }
  return [
    ["401 with the key in every field", json(401, headers, everywhere), "create"],
    ["529 with the key in every field (retried)", json(529, { ...headers, "retry-after": "0" }, everywhere), "create"],
    ["400 from count_tokens", json(400, headers, everywhere), "count"],
    [
      "a raw JSON body with the key JSON-escaped",
      json(500, headers, `{"type":"error","error":{"type":"api_error","message":"${form}"},"request_id":"${form}"}`),
      "create"
    ],
    [
      "an HTML page",
      (_req, res) => {
        res.writeHead(502, { "content-type": "text/html", "request-id": form })
        res.end(
          `<html><head><title>${form}</title></head><body>${[...key].map((c) => `&#${c.charCodeAt(0)};`).join("")} ${form}</body></html>`
        )
      },
      "create"
    ],
    ["a 200 that is an HTML page", json(200, headers, `<html><title>${form}</title></html>`), "create"],
    [
      "a 200 whose id and stop reason are the key",
      json(200, headers, {
        id: form,
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content: [{ type: "text", text: "hi" }],
        stop_reason: form,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 }
      }),
      "create"
    ],
    [
      "an SSE error event",
      sse(
        headers,
        `${frame(messageStart())}event: error\ndata: ${JSON.stringify({ ...everywhere, type: "error" })}\n\n`
      ),
      "stream"
    ],
    [
      "an SSE event of the wrong shape carrying the key",
      sse(
        headers,
        frame(messageStart()) +
          frame(blockStart()) +
          `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: form })}\n\n`
      ),
      "stream"
    ],
    [
      "a stream whose id and stop reason are the key",
      sse(
        headers,
        [
          { ...messageStart(), message: { ...messageStart().message, id: form } },
          blockStart(),
          textDelta("hi"),
          blockStop(),
          { ...messageDelta(), delta: { stop_reason: form, stop_sequence: null } },
          messageStop
        ]
          .map(frame)
          .join("")
      ),
      "stream"
    ]
  ]
}

describe("the key never leaves", () => {
  for (const key of KEYS) {
    it.scopedLive(
      `${key.slice(0, 9)}…: echoed back in every field and form, it is in no error, log line, span or inspect output`,
      () =>
        Effect.gen(function* () {
          const core = coreOf(key)
          const current: { handler: Handler } = { handler: (_req, res) => res.end() }
          const server = yield* serve(current)
          const layer = claudeAt(server.url, { apiKey: key, retry: Schedule.recurs(1), neverOpen: true })
          const runtime = yield* Layer.toRuntime(layer)
          const claude = yield* Effect.provide(Claude.Claude, runtime)

          const outputs: Array<string> = []
          const base = yield* Effect.tracer
          const spans: Array<Tracer.Span> = []
          const tracer = Tracer.make({
            span: (...args) => {
              const span = base.span(...args)
              spans.push(span)
              return span
            },
            context: base.context
          })
          const logger = Logger.make((options) => {
            outputs.push(Logger.logfmtLogger.log(options), JSON.stringify(Logger.structuredLogger.log(options)))
            outputs.push(JSON.stringify(Object.fromEntries(HashMap.toEntries(options.annotations))))
          })

          for (const form of forms(key)) {
            for (const [name, handler, operation] of scenarios(key, form)) {
              current.handler = handler
              const call =
                operation === "create"
                  ? claude.messages.create(ask)
                  : operation === "count"
                    ? claude.messages.countTokens(ask)
                    : Stream.runDrain(claude.messages.stream(ask))
              const exit = yield* Effect.exit(call).pipe(
                Effect.withTracer(tracer),
                Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
                Logger.withMinimumLogLevel(LogLevel.All)
              )
              const before = outputs.length
              if (Exit.isFailure(exit)) {
                const error = Cause.squash(exit.cause)
                outputs.push(
                  String(error),
                  JSON.stringify(error),
                  Cause.pretty(exit.cause),
                  util.inspect(error, { depth: 10 }),
                  util.inspect(error, { depth: 10, showHidden: true }),
                  util.inspect(exit, { depth: 10 })
                )
              }
              const found = leaked(outputs.slice(before), core)
              expect(found, `${name}, form ${form.slice(0, 12)}…`).toEqual([])
            }
          }

          // spans: every attribute and event of every span
          for (const span of spans) {
            outputs.push(JSON.stringify({ name: span.name, attributes: Object.fromEntries(span.attributes) }))
            // a failed span's cause, as an exporter records it (a success's value is the reply itself)
            if (span.status._tag === "Ended" && Exit.isFailure(span.status.exit)) {
              outputs.push(Cause.pretty(span.status.exit.cause), util.inspect(span.status.exit, { depth: 10 }))
            }
          }
          // the service itself
          outputs.push(
            util.inspect(claude, { depth: 10 }),
            util.inspect(claude, { depth: 10, showHidden: true }),
            JSON.stringify(claude),
            String(claude),
            JSON.stringify({ ...claude }),
            // a wrapper that passes the SDK on (as decorating layers do), and the SDK client itself
            util.inspect({ messages: claude.messages, sdk: claude.sdk }, { depth: 10, showHidden: true }),
            JSON.stringify({ sdk: claude.sdk }),
            util.inspect(claude.sdk, { depth: 10 })
          )
          expect(leaked(outputs, core)).toEqual([])
          // the outputs were really there to look at: logs, spans, and the failures' texts
          expect(outputs.some((o) => o.includes("claude.call"))).toBe(true)
          expect(spans.some((s) => s.name === "claude.attempt" && s.attributes.has("claude.request_id"))).toBe(true)
          // and the SDK is still reachable for anything else
          expect(typeof claude.sdk.messages.create).toBe("function")
        })
    )
  }
})
