/**
 * The FakeClaude HTTP server.
 *
 * Ordinary answers go through `@effect/platform`'s `HttpServerResponse`; SSE streams and socket-level
 * faults write to the Node response directly, because only there can a test-controlled fault destroy the
 * socket between two events or keep it silent.
 *
 * @internal
 */
import { createServer } from "node:http"
import type * as Http from "node:http"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type { ChaosFault, ChaosProfile, Options, Outcome, RecordedRequest, Service, Stats } from "../FakeClaude.js"
import * as Fault from "../Fault.js"
import type * as Reply from "../Reply.js"
import * as C from "./completion.js"
import { RateLimiter } from "./rateLimit.js"
import { type ApiErrorSpec, type ValidRequest, validate } from "./validate.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type MutableRecord = Mutable<RecordedRequest>

/** @internal */
export const DEFAULT_API_KEY = "sk-ant-test-fake-key"

/** @internal */
export const DEFAULT_MODELS: ReadonlyArray<string> = [
  "claude-opus-5",
  "claude-opus-5-5",
  "claude-sonnet-5",
  "claude-sonnet-5-5",
  "claude-haiku-5-5",
  "claude-fable-5",
  "claude-fable-5-1",
  "claude-fable-5-2",
  "claude-mythos-5",
  "claude-mythos-5-1",
  "claude-mythos-5-2",
  "claude-mythos-preview",
  "claude-opus-4-8",
  "claude-opus-4-7",
  "claude-opus-4-6",
  "claude-sonnet-4-6",
  "claude-haiku-4-5",
  "claude-haiku-4-5-20251001",
  "claude-opus-4-5",
  "claude-opus-4-5-20251101",
  "claude-sonnet-4-5",
  "claude-sonnet-4-5-20250929",
  "claude-opus-4-1",
  "claude-opus-4-1-20250805",
  "claude-opus-4-0",
  "claude-opus-4-20250514",
  "claude-sonnet-4-0",
  "claude-sonnet-4-20250514",
  "claude-3-7-sonnet-latest",
  "claude-3-7-sonnet-20250219",
  "claude-3-5-haiku-latest",
  "claude-3-5-haiku-20241022",
  "claude-3-haiku-20240307"
]

const CHAOS_ORDER: ReadonlyArray<ChaosFault> = [
  "429",
  "500",
  "502",
  "503",
  "504",
  "529",
  "html502",
  "empty503",
  "truncatedJson",
  "reset",
  "latency",
  "cutStream",
  "sseOverloaded",
  "malformedSse",
  "stall"
]

const STREAM_ONLY = new Set<ChaosFault>(["cutStream", "sseOverloaded", "malformedSse", "stall"])

const defaultErrorType = (status: number): string => {
  switch (status) {
    case 400:
      return "invalid_request_error"
    case 401:
      return "authentication_error"
    case 402:
      return "billing_error"
    case 403:
      return "permission_error"
    case 404:
      return "not_found_error"
    case 413:
      return "request_too_large"
    case 429:
      return "rate_limit_error"
    case 504:
      return "timeout_error"
    case 529:
      return "overloaded_error"
    default:
      return status >= 500 ? "api_error" : "invalid_request_error"
  }
}

const defaultErrorMessage = (status: number): string => {
  switch (status) {
    case 429:
      return "Number of requests has exceeded your rate limit. Please try again later."
    case 500:
      return "Internal server error"
    case 503:
      return "Service unavailable"
    case 504:
      return "Request timed out"
    case 529:
      return "Overloaded"
    default:
      return `Error ${status}`
  }
}

const htmlPage = (status: number): string => {
  const title = status === 502 ? "502 Bad Gateway" : status === 504 ? "504 Gateway Time-out" : `${status} Error`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`
}

const faultHeaders = (options: Fault.HeaderOptions): Record<string, string> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.retryAfter !== undefined) headers["retry-after"] = options.retryAfter
  if (options.retryAfterMs !== undefined) headers["retry-after-ms"] = options.retryAfterMs
  if (options.shouldRetry !== undefined) headers["x-should-retry"] = String(options.shouldRetry)
  return headers
}

const sseFrame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

const SECRET_HEADERS = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie"])

interface Answer {
  readonly message: Record<string, unknown>
  readonly events: ReadonlyArray<string>
  readonly outputTokens: number
}

/** @internal */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const seed = options.seed ?? 0
    const scale = options.clockScale ?? 1
    const apiKey = options.apiKey ?? DEFAULT_API_KEY
    const keys = [apiKey, ...(options.extraApiKeys ?? [])]
    const models = options.models ?? DEFAULT_MODELS
    const contextWindow = options.contextWindow ?? 200_000
    const completionChars = options.completionChars ?? C.DEFAULT_COMPLETION_CHARS
    const wordsPerDelta = Math.max(1, options.wordsPerDelta ?? 3)
    const eventDelayMs = options.eventDelayMs ?? 0
    const repeatWords = Math.max(0, options.continuationRepeatWords ?? 0)
    const rejectsPrefill = (model: string) =>
      (options.rejectPrefill ?? []).some((m) => (m.endsWith("*") ? model.startsWith(m.slice(0, -1)) : model === m))
    /** The answer to a partial turn: the rest of `full`, after a repeat of the last words on a continuation turn. */
    const resume = (full: string, prefix: string, continuation: boolean): string | undefined => {
      if (!full.startsWith(prefix)) return undefined
      const rest = full.slice(prefix.length)
      if (!continuation || repeatWords === 0) return rest
      let start = prefix.trimEnd().length
      for (let k = 0; k < repeatWords && start > 0; k++) {
        while (start > 0 && /\s/.test(prefix.charAt(start - 1))) start--
        while (start > 0 && !/\s/.test(prefix.charAt(start - 1))) start--
      }
      return prefix.slice(start) + rest
    }
    const maxRecords = Math.max(1, options.maxRecords ?? 10_000)
    const outages = (options.outages ?? []).map((o) => ({
      ...o,
      fromMs: Duration.toMillis(Duration.decode(o.from)),
      toMs: Duration.toMillis(Duration.decode(o.to))
    }))

    const start = clock.unsafeCurrentTimeMillis()
    const realElapsed = () => clock.unsafeCurrentTimeMillis() - start
    const fakeNow = () => realElapsed() * scale
    const limiter = new RateLimiter(options.rateLimits ?? {}, fakeNow, () => clock.unsafeCurrentTimeMillis(), scale)
    const sleep = (millis: number) => (millis > 0 ? clock.sleep(Duration.millis(millis)) : Effect.void)

    let queue: Array<Fault.Fault> = []
    let replies: Array<Reply.Reply> = []
    let chaos: ChaosProfile | undefined = options.chaos
    let rng = Random.make(seed)
    let records: Array<MutableRecord> = []
    let counter = 0

    // ---------------------------------------------------------------- responses

    const finish = (record: MutableRecord, outcome: Outcome, bytes: number) => {
      record.outcome = outcome
      record.bytesSent += bytes
      record.durationMs = realElapsed() - record.time
    }

    const commonHeaders = (record: MutableRecord): Record<string, string> => {
      const headers: Record<string, string> = { "request-id": record.id }
      const keyIndex = record.keyIndex
      if (keyIndex !== undefined) Object.assign(headers, limiter.headers(keys[keyIndex]!))
      return headers
    }

    const errorBody = (record: MutableRecord, type: string, message: string): string =>
      JSON.stringify({ type: "error", error: { type, message }, request_id: record.id })

    const respondText = (
      record: MutableRecord,
      status: number,
      body: string,
      contentType: string,
      headers: Record<string, string> = {}
    ) => {
      finish(record, status, Buffer.byteLength(body))
      return HttpServerResponse.text(body, {
        status,
        contentType,
        headers: { ...commonHeaders(record), ...headers }
      })
    }

    const respondError = (record: MutableRecord, spec: ApiErrorSpec, headers: Record<string, string> = {}) =>
      respondText(record, spec.status, errorBody(record, spec.type, spec.message), "application/json", headers)

    const destroy = (nodeResponse: Http.ServerResponse, record: MutableRecord, outcome: "reset" | "cut") =>
      Effect.sync(() => {
        finish(record, outcome, 0)
        nodeResponse.destroy()
        return HttpServerResponse.empty()
      })

    const write = (nodeResponse: Http.ServerResponse, record: MutableRecord, chunk: string) =>
      Effect.async<void, "closed">((resume) => {
        if (nodeResponse.destroyed) return resume(Effect.fail("closed"))
        nodeResponse.write(chunk, (error) => {
          if (error) resume(Effect.fail("closed"))
          else {
            record.bytesSent += Buffer.byteLength(chunk)
            resume(Effect.void)
          }
        })
      })

    /** A fault that answers instead of the API, or undefined for faults that shape the normal answer. */
    const respondFault = (
      record: MutableRecord,
      fault: Fault.Fault,
      nodeResponse: Http.ServerResponse
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> | undefined => {
      switch (fault._tag) {
        case "Status":
          return Effect.succeed(
            respondError(
              record,
              {
                status: fault.status,
                type: fault.errorType ?? defaultErrorType(fault.status),
                message: fault.message ?? defaultErrorMessage(fault.status)
              },
              faultHeaders(fault)
            )
          )
        case "Html":
          return Effect.succeed(
            respondText(record, fault.status, htmlPage(fault.status), "text/html; charset=utf-8", faultHeaders(fault))
          )
        case "EmptyBody":
          return Effect.sync(() => {
            finish(record, fault.status, 0)
            return HttpServerResponse.empty({
              status: fault.status,
              headers: { ...commonHeaders(record), ...faultHeaders(fault) }
            })
          })
        case "TruncatedJson": {
          const body = errorBody(record, defaultErrorType(fault.status), defaultErrorMessage(fault.status))
          return Effect.succeed(
            respondText(
              record,
              fault.status,
              body.slice(0, Math.floor(body.length / 2)),
              "application/json",
              faultHeaders(fault)
            )
          )
        }
        case "Reset":
          return destroy(nodeResponse, record, "reset")
        default:
          return undefined
      }
    }

    // ---------------------------------------------------------------- completions

    const buildAnswer = (
      valid: ValidRequest,
      inputTokens: number,
      n: number,
      scripted: Reply.Reply | undefined
    ): Answer => {
      const id = C.makeId("msg", n, seed)
      const usage = (outputTokens: number) => ({
        input_tokens: inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: outputTokens,
        service_tier: "standard"
      })
      const messageStart = (outputTokens: number) =>
        sseFrame("message_start", {
          type: "message_start",
          message: {
            id,
            type: "message",
            role: "assistant",
            model: valid.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: usage(outputTokens)
          }
        })
      const ping = sseFrame("ping", { type: "ping" })
      const ending = (stopReason: string, stopSequence: string | null, outputTokens: number) => [
        sseFrame("message_delta", {
          type: "message_delta",
          delta: { stop_reason: stopReason, stop_sequence: stopSequence },
          usage: { output_tokens: outputTokens }
        }),
        sseFrame("message_stop", { type: "message_stop" })
      ]

      const partial = C.promptOf(valid)
      const continuationTurn = valid.messages[valid.messages.length - 1]?.role === "user" && partial.prefix.length > 0
      if (scripted !== undefined) {
        const blocks: Array<Record<string, unknown>> = []
        // a scripted text answers a prefill or a continuation turn with its rest
        const text =
          scripted.text !== undefined && partial.prefix.length > 0
            ? (resume(scripted.text, partial.prefix, continuationTurn) ?? scripted.text)
            : scripted.text
        if (text !== undefined && text.length > 0) blocks.push({ type: "text", text })
        if (scripted._tag === "ToolUse") {
          scripted.calls.forEach((call, k) => {
            blocks.push({
              type: "tool_use",
              id: call.id ?? C.makeId("toolu", n * 1000 + k + 1, seed),
              name: call.name,
              input: call.input
            })
          })
        }
        const stopReason = scripted._tag === "ToolUse" && scripted.calls.length > 0 ? "tool_use" : "end_turn"
        const outputTokens = blocks.reduce(
          (sum, block) =>
            sum +
            (block.type === "text"
              ? C.estimateTextTokens(String(block.text))
              : C.estimateTextTokens(JSON.stringify(block.input)) + 10),
          0
        )
        const message = {
          id,
          type: "message",
          role: "assistant",
          model: valid.model,
          content: blocks,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: usage(outputTokens)
        }
        const blockEvents = blocks.flatMap((block, index) => {
          const deltas =
            block.type === "text"
              ? C.chunkText(String(block.text), wordsPerDelta).map((chunk) =>
                  sseFrame("content_block_delta", {
                    type: "content_block_delta",
                    index,
                    delta: { type: "text_delta", text: chunk }
                  })
                )
              : C.chunkChars(JSON.stringify(block.input), 12).map((partial_json) =>
                  sseFrame("content_block_delta", {
                    type: "content_block_delta",
                    index,
                    delta: { type: "input_json_delta", partial_json }
                  })
                )
          return [
            sseFrame("content_block_start", {
              type: "content_block_start",
              index,
              content_block: block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} }
            }),
            ...(index === 0 ? [ping] : []),
            ...deltas,
            sseFrame("content_block_stop", { type: "content_block_stop", index })
          ]
        })
        const events = [
          messageStart(1),
          ...(blocks.length === 0 ? [ping] : blockEvents),
          ...ending(stopReason, null, outputTokens)
        ]
        return { message, events, outputTokens }
      }

      const last = valid.messages[valid.messages.length - 1]!
      const lastUserText = last.role === "user" ? C.contentText(last.content) : ""
      const answersToolResult =
        last.role === "user" &&
        Array.isArray(last.content) &&
        last.content.some(
          (b) => typeof b === "object" && b !== null && (b as { type?: unknown }).type === "tool_result"
        )
      const choice = valid.tool_choice as { type?: unknown; name?: unknown } | undefined
      const tools = valid.tools ?? []
      const wantsTool =
        tools.length > 0 &&
        choice?.type !== "none" &&
        !answersToolResult &&
        (options.alwaysUseTools === true ||
          choice?.type === "any" ||
          choice?.type === "tool" ||
          /\buse (the |a )?tools?\b/i.test(lastUserText))

      if (wantsTool) {
        const tool =
          (choice?.type === "tool" ? tools.find((t) => t.name === choice.name) : undefined) ??
          tools.find((t) => lastUserText.includes(t.name)) ??
          tools[0]!
        const input = C.toolInputFor(tool.input_schema, seed)
        const json = JSON.stringify(input)
        const outputTokens = C.estimateTextTokens(json) + 10
        const block = { type: "tool_use", id: C.makeId("toolu", n, seed), name: tool.name, input }
        const message = {
          id,
          type: "message",
          role: "assistant",
          model: valid.model,
          content: [block],
          stop_reason: "tool_use",
          stop_sequence: null,
          usage: usage(outputTokens)
        }
        const events = [
          messageStart(1),
          sseFrame("content_block_start", {
            type: "content_block_start",
            index: 0,
            content_block: { ...block, input: {} }
          }),
          ping,
          ...C.chunkChars(json, 12).map((partial_json) =>
            sseFrame("content_block_delta", {
              type: "content_block_delta",
              index: 0,
              delta: { type: "input_json_delta", partial_json }
            })
          ),
          sseFrame("content_block_stop", { type: "content_block_stop", index: 0 }),
          ...ending("tool_use", null, outputTokens)
        ]
        return { message, events, outputTokens }
      }

      const { prefix, prompt } = partial
      const full = C.textForPrompt(prompt, seed, completionChars)
      let text =
        prefix.length === 0
          ? full
          : (resume(full, prefix, continuationTurn) ?? C.textForPrompt(prompt + prefix, seed, completionChars))
      let stopReason = "end_turn"
      let stopSequence: string | null = null
      for (const sequence of valid.stop_sequences ?? []) {
        const at = sequence.length > 0 ? text.indexOf(sequence) : -1
        if (at >= 0 && (stopSequence === null || at < text.indexOf(stopSequence))) {
          stopSequence = sequence
        }
      }
      if (stopSequence !== null) {
        text = text.slice(0, text.indexOf(stopSequence))
        stopReason = "stop_sequence"
      }
      const limit = valid.max_tokens * 4
      if (text.length > limit) {
        let cut = limit
        const code = text.charCodeAt(cut - 1)
        if (code >= 0xd800 && code <= 0xdbff) cut--
        text = text.slice(0, cut)
        stopReason = "max_tokens"
        stopSequence = null
      }
      const outputTokens = C.estimateTextTokens(text)
      const content = text.length > 0 ? [{ type: "text", text }] : []
      const message = {
        id,
        type: "message",
        role: "assistant",
        model: valid.model,
        content,
        stop_reason: stopReason,
        stop_sequence: stopSequence,
        usage: usage(outputTokens)
      }
      const blockEvents =
        text.length === 0
          ? [ping]
          : [
              sseFrame("content_block_start", {
                type: "content_block_start",
                index: 0,
                content_block: { type: "text", text: "" }
              }),
              ping,
              ...C.chunkText(text, wordsPerDelta).map((chunk) =>
                sseFrame("content_block_delta", {
                  type: "content_block_delta",
                  index: 0,
                  delta: { type: "text_delta", text: chunk }
                })
              ),
              sseFrame("content_block_stop", { type: "content_block_stop", index: 0 })
            ]
      const events = [messageStart(1), ...blockEvents, ...ending(stopReason, stopSequence, outputTokens)]
      return { message, events, outputTokens }
    }

    const streamAnswer = (
      record: MutableRecord,
      nodeResponse: Http.ServerResponse,
      answer: Answer,
      fault: Fault.Fault | undefined
    ) =>
      Effect.gen(function* () {
        nodeResponse.writeHead(200, {
          ...commonHeaders(record),
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache"
        })
        const events = answer.events
        const strikeAt =
          fault !== undefined && "afterEvents" in fault ? Math.min(Math.max(0, fault.afterEvents), events.length) : -1
        for (let i = 0; i <= events.length; i++) {
          if (i === strikeAt && fault !== undefined) {
            switch (fault._tag) {
              case "CutStream": {
                yield* destroy(nodeResponse, record, "cut")
                return
              }
              case "SseError": {
                const type = fault.errorType ?? "overloaded_error"
                yield* write(
                  nodeResponse,
                  record,
                  sseFrame("error", {
                    type: "error",
                    error: { type, message: fault.message ?? (type === "overloaded_error" ? "Overloaded" : type) },
                    request_id: record.id
                  })
                )
                nodeResponse.end()
                finish(record, "sse-error", 0)
                return
              }
              case "MalformedSse": {
                yield* write(
                  nodeResponse,
                  record,
                  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\ndata: }}not json{{\n\n'
                )
                nodeResponse.end()
                finish(record, "malformed-sse", 0)
                return
              }
              case "Stall":
                yield* sleep(fault.millis)
                break
              case "Pings":
                for (let p = 0; p < fault.count; p++) {
                  yield* sleep(fault.everyMs)
                  yield* write(nodeResponse, record, sseFrame("ping", { type: "ping" }))
                }
                break
              default:
                break
            }
          }
          const event = events[i]
          if (event === undefined) break
          yield* write(nodeResponse, record, event)
          record.events++
          if (eventDelayMs > 0 && i < events.length - 1) yield* sleep(eventDelayMs)
        }
        nodeResponse.end()
        finish(record, 200, 0)
      }).pipe(
        Effect.catchAll(() => Effect.sync(() => finish(record, "client-closed", 0))),
        Effect.as(HttpServerResponse.empty())
      )

    // ---------------------------------------------------------------- chaos

    const drawChaos = (stream: boolean): Effect.Effect<Fault.Fault | undefined> =>
      Effect.gen(function* () {
        const profile = chaos
        if (profile === undefined) return undefined
        const u = yield* rng.next
        const v = yield* rng.next
        let acc = 0
        let kind: ChaosFault | undefined
        for (const k of CHAOS_ORDER) {
          acc += profile.rates[k] ?? 0
          if (u < acc) {
            kind = k
            break
          }
        }
        if (kind === undefined || (STREAM_ONLY.has(kind) && !stream)) return undefined
        const after = 1 + Math.floor(v * (profile.maxAfterEvents ?? 12))
        const retry = profile.retryAfter === undefined ? {} : { retryAfter: profile.retryAfter }
        switch (kind) {
          case "429":
            return Fault.status(429, retry)
          case "503":
          case "529":
            return Fault.status(Number(kind), retry)
          case "500":
          case "502":
          case "504":
            return Fault.status(Number(kind))
          case "html502":
            return Fault.html(502)
          case "empty503":
            return Fault.emptyBody(503, retry)
          case "truncatedJson":
            return Fault.truncatedJson(500)
          case "reset":
            return Fault.reset()
          case "latency":
            return Fault.latency(profile.latencyMs ?? 300)
          case "cutStream":
            return Fault.cutStream(after)
          case "sseOverloaded":
            return Fault.sseError(after, { errorType: "overloaded_error" })
          case "malformedSse":
            return Fault.malformedSse(after)
          case "stall":
            return Fault.stall(after, profile.stallMs ?? 2_000)
        }
      })

    // ---------------------------------------------------------------- handler

    const handle = (route: "messages" | "count_tokens" | "other") =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const nodeResponse = NodeHttpServerRequest.toServerResponse(request)
        const n = counter++
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) {
          if (!SECRET_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value
        }
        const record: MutableRecord = {
          id: C.makeId("req", n, seed),
          time: realElapsed(),
          method: request.method,
          path: request.url.split("?")[0] ?? request.url,
          headers,
          body: undefined,
          stream: false,
          keyIndex: undefined,
          fault: undefined,
          faultSource: undefined,
          outcome: "pending",
          bytesSent: 0,
          events: 0,
          inputTokens: undefined,
          outputTokens: undefined,
          durationMs: undefined
        }
        records.push(record)
        if (records.length > maxRecords) records.splice(0, records.length - maxRecords)

        return yield* Effect.gen(function* () {
          const text = yield* Effect.orElseSucceed(request.text, () => "")
          let body: unknown = text
          let parseFailed = false
          try {
            body = text.length > 0 ? JSON.parse(text) : undefined
          } catch {
            parseFailed = true
          }
          record.body = body
          const stream = typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true
          record.stream = stream

          // authentication: x-api-key or Authorization: Bearer
          const auth = request.headers["authorization"]
          const presented =
            request.headers["x-api-key"] ??
            (auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : undefined)
          if (presented === undefined || presented.length === 0) {
            return respondError(record, {
              status: 401,
              type: "authentication_error",
              message: "x-api-key header is required"
            })
          }
          const keyIndex = keys.indexOf(presented)
          if (keyIndex < 0) {
            return respondError(record, { status: 401, type: "authentication_error", message: "invalid x-api-key" })
          }
          record.keyIndex = keyIndex

          if (route === "other") {
            return respondError(record, { status: 404, type: "not_found_error", message: "Not Found" })
          }

          // scripted faults
          const info: Fault.RequestInfo = { method: record.method, path: record.path, headers, body, stream }
          const at = queue.findIndex((f) => f.match === undefined || f.match(info))
          let bodyFault: Fault.Fault | undefined
          if (at >= 0) {
            const fault = queue[at]!
            queue = [...queue.slice(0, at), ...queue.slice(at + 1)]
            record.fault = Fault.label(fault)
            record.faultSource = "scripted"
            const answered = respondFault(record, fault, nodeResponse)
            if (answered !== undefined) return yield* answered
            bodyFault = fault
          }

          // outages
          const now = fakeNow()
          const outage = outages.find((o) => now >= o.fromMs && now < o.toMs)
          if (outage !== undefined) {
            record.fault = `outage:${outage.status}`
            record.faultSource = "outage"
            return respondError(
              record,
              {
                status: outage.status,
                type: outage.errorType ?? defaultErrorType(outage.status),
                message: outage.message ?? defaultErrorMessage(outage.status)
              },
              outage.retryAfter === undefined ? {} : { "retry-after": outage.retryAfter }
            )
          }

          // validation
          if (request.headers["anthropic-version"] === undefined) {
            return respondError(record, {
              status: 400,
              type: "invalid_request_error",
              message: "anthropic-version: header is required"
            })
          }
          if (parseFailed) {
            return respondError(record, {
              status: 400,
              type: "invalid_request_error",
              message: "There was an error parsing the body of your request. Please make sure it is valid JSON."
            })
          }
          const validated = validate(body, models, route === "count_tokens")
          if (Either.isLeft(validated)) return respondError(record, validated.left)
          const valid = validated.right
          if (
            route === "messages" &&
            rejectsPrefill(valid.model) &&
            valid.messages[valid.messages.length - 1]?.role === "assistant"
          ) {
            return respondError(record, {
              status: 400,
              type: "invalid_request_error",
              message:
                "This model does not support assistant message prefill. The conversation must end with a user message."
            })
          }
          const inputTokens = C.estimateTokens(valid)
          record.inputTokens = inputTokens

          if (route === "count_tokens") {
            return respondText(record, 200, JSON.stringify({ input_tokens: inputTokens }), "application/json")
          }
          if (inputTokens > contextWindow) {
            return respondError(record, {
              status: 400,
              type: "invalid_request_error",
              message: `prompt is too long: ${inputTokens} tokens > ${contextWindow} maximum`
            })
          }

          // chaos (one draw per messages request that gets this far, so seeds reproduce)
          const chaosFault = yield* drawChaos(stream)
          if (chaosFault !== undefined && bodyFault === undefined) {
            record.fault = Fault.label(chaosFault)
            record.faultSource = "chaos"
            const answered = respondFault(record, chaosFault, nodeResponse)
            if (answered !== undefined) return yield* answered
            bodyFault = chaosFault
          }

          // rate limits
          const replyAt = replies.findIndex((r) => r.match === undefined || r.match(info))
          const answer = buildAnswer(valid, inputTokens, n, replyAt >= 0 ? replies[replyAt] : undefined)
          const admission = limiter.admit(presented, inputTokens, answer.outputTokens)
          if (!admission.admitted) {
            const limitName = admission.limit ?? "requests"
            const limitValue =
              limitName === "requests"
                ? limiter.limits.requestsPerMinute
                : limitName === "input-tokens"
                  ? limiter.limits.inputTokensPerMinute
                  : limiter.limits.outputTokensPerMinute
            const unit = limitName === "requests" ? "requests" : limitName.replace("-", " ")
            record.fault = `rate-limit:${limitName}`
            record.faultSource = "rate-limit"
            return respondError(
              record,
              {
                status: 429,
                type: "rate_limit_error",
                message: `This request would exceed your organization's rate limit of ${limitValue} ${unit} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`
              },
              { "retry-after": String(Math.max(1, Math.ceil((admission.retryAfterMs ?? 0) / 1000))) }
            )
          }
          record.outputTokens = answer.outputTokens
          if (replyAt >= 0) replies = [...replies.slice(0, replyAt), ...replies.slice(replyAt + 1)]

          // body-level faults
          if (bodyFault !== undefined) {
            if (bodyFault._tag === "Latency") yield* sleep(bodyFault.millis)
            if (!stream) {
              switch (bodyFault._tag) {
                case "Stall":
                  yield* sleep(bodyFault.millis)
                  break
                case "SseError": {
                  const type = bodyFault.errorType ?? "overloaded_error"
                  const status = type === "overloaded_error" ? 529 : 500
                  return respondError(record, {
                    status,
                    type,
                    message: bodyFault.message ?? defaultErrorMessage(status)
                  })
                }
                case "MalformedSse":
                  return respondText(record, 200, '{"id": "msg_', "application/json")
                case "CutStream": {
                  const json = JSON.stringify(answer.message)
                  nodeResponse.writeHead(200, {
                    ...commonHeaders(record),
                    "content-type": "application/json",
                    "content-length": String(Buffer.byteLength(json))
                  })
                  return yield* write(nodeResponse, record, json.slice(0, Math.floor(json.length / 2))).pipe(
                    Effect.zipRight(destroy(nodeResponse, record, "cut")),
                    Effect.catchAll(() =>
                      Effect.sync(() => {
                        finish(record, "client-closed", 0)
                        return HttpServerResponse.empty()
                      })
                    )
                  )
                }
                default:
                  break
              }
            }
          }

          if (stream) return yield* streamAnswer(record, nodeResponse, answer, bodyFault)
          return respondText(record, 200, JSON.stringify(answer.message), "application/json")
        }).pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              if (record.outcome === "pending") finish(record, "client-closed", 0)
            })
          )
        )
      })

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/v1/messages", handle("messages")),
      HttpRouter.post("/v1/messages/count_tokens", handle("count_tokens")),
      HttpRouter.all("*", handle("other"))
    )

    // ---------------------------------------------------------------- server

    const nodeServer = createServer()
    const httpServer = yield* NodeHttpServer.make(() => nodeServer, {
      port: options.port ?? 0,
      host: "127.0.0.1"
    }).pipe(Effect.orDie)
    // released before the server closes: otherwise close() waits for stalled or kept-alive connections
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* httpServer.serve(router)
    const address = httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : 0

    const snapshot = (): ReadonlyArray<RecordedRequest> => records.map((r) => ({ ...r }))

    const service: Service = {
      url: `http://127.0.0.1:${port}`,
      port,
      apiKey,
      seed,
      enqueue: (...faults) =>
        Effect.sync(() => {
          queue = [...queue, ...faults]
        }),
      pendingFaults: Effect.sync(() => [...queue]),
      reply: (...more) =>
        Effect.sync(() => {
          replies = [...replies, ...more]
        }),
      pendingReplies: Effect.sync(() => [...replies]),
      setChaos: (profile) =>
        Effect.sync(() => {
          chaos = profile
        }),
      requests: Effect.sync(snapshot),
      stats: Effect.sync((): Stats => {
        const byOutcome: Record<string, number> = {}
        const byFault: Record<string, number> = {}
        const byPath: Record<string, number> = {}
        let bytesSent = 0
        let pending = 0
        for (const r of records) {
          const o = String(r.outcome)
          byOutcome[o] = (byOutcome[o] ?? 0) + 1
          if (r.fault !== undefined) byFault[r.fault] = (byFault[r.fault] ?? 0) + 1
          byPath[r.path] = (byPath[r.path] ?? 0) + 1
          bytesSent += r.bytesSent
          if (r.outcome === "pending") pending++
        }
        return { total: records.length, byOutcome, byFault, byPath, pending, bytesSent }
      }),
      reset: Effect.sync(() => {
        queue = []
        replies = []
        records = []
        limiter.reset()
        rng = Random.make(seed)
      })
    }
    return service
  })
