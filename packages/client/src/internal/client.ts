import Anthropic from "@anthropic-ai/sdk"
import { Stream as SdkStream } from "@anthropic-ai/sdk/core/streaming"
import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"

export const metrics = {
  /** Calls by `outcome` (success / failure) and `error_tag`. */
  calls: Metric.counter("claude_calls_total", { description: "Claude API calls by outcome and error tag" }),
  /** HTTP attempts sent (first tries and retries). */
  attempts: Metric.counter("claude_attempts_total", { description: "HTTP attempts sent to the Claude API" }),
  /** Retries (attempts after the first). */
  retries: Metric.counter("claude_call_retries_total", { description: "Retries of Claude API calls" }),
  /** Call latency including retries, in milliseconds. */
  latency: Metric.histogram(
    "claude_call_duration_ms",
    MetricBoundaries.exponential({ start: 5, factor: 2, count: 16 }),
    "Claude API call duration including retries (ms)"
  ),
  inputTokens: Metric.counter("claude_tokens_input_total", { description: "Input tokens reported by the API" }),
  outputTokens: Metric.counter("claude_tokens_output_total", { description: "Output tokens reported by the API" })
}

/**
 * A `ping` SSE event. The SDK drops pings before its stream yields anything, so transports
 * surface them themselves: they prove the connection is alive to the stall watchdog.
 */
export interface Ping {
  readonly type: "ping"
}

/** What a transport's stream yields: the SDK's raw events, and pings. */
export type TransportEvent = Claude.MessageStreamEvent | Ping

const PING: Ping = { type: "ping" }

/** What sends one attempt: the SDK over HTTP, or a script in tests. */
export interface Transport {
  readonly create: (
    params: Claude.MessageCreateParams,
    options: { readonly signal: AbortSignal; readonly headers?: Record<string, string> }
  ) => Promise<Claude.Message>
  readonly countTokens: (
    params: Claude.CountTokensParams,
    options: { readonly signal: AbortSignal; readonly headers?: Record<string, string> }
  ) => Promise<Claude.TokensCount>
  readonly stream: (
    params: Claude.MessageStreamParams,
    options: { readonly signal: AbortSignal; readonly headers?: Record<string, string> }
  ) => Promise<AsyncIterable<TransportEvent> & { readonly controller?: AbortController }>
}

// Tagged metrics are looked up by their labels on every update: build each one once.
const callCounters = new Map<string, Metric.Metric.Counter<number>>()
const callCounter = (outcome: "success" | "failure", tag: string): Metric.Metric.Counter<number> => {
  const id = `${outcome}:${tag}`
  let counter = callCounters.get(id)
  if (counter === undefined) {
    counter = Metric.tagged(Metric.tagged(metrics.calls, "outcome", outcome), "error_tag", tag)
    callCounters.set(id, counter)
  }
  return counter
}

interface MakeInput {
  readonly options: Claude.Options
  readonly retry: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  readonly breaker: CircuitBreaker.Service
  readonly transport?: ((sdk: Anthropic) => Transport) | undefined
}

/**
 * The SSE events of a response, as the SDK's `Stream.fromSSEResponse` reads them but keeping the
 * pings it drops: same parser (`Stream.rawEvents`), same `error` event → `APIError` mapping.
 */
async function* sseEvents(response: Response, controller: AbortController): AsyncGenerator<TransportEvent> {
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

interface Usage {
  input: number
  output: number
  stopReason: string | undefined
  id: string | undefined
}

const toMillis = (input: Duration.DurationInput) => Duration.toMillis(Duration.decode(input))

/** The default limit between two stream events of any kind (pings included). */
export const DEFAULT_IDLE_TIMEOUT: Duration.Duration = Duration.seconds(90)

const limitOf = (
  call: Duration.DurationInput | false | undefined,
  layer: Duration.DurationInput | false | undefined,
  fallback: Duration.Duration | undefined
): Duration.Duration | undefined => {
  const input = call !== undefined ? call : layer !== undefined ? layer : fallback
  return input === false || input === undefined ? undefined : Duration.decode(input)
}

const stalled = (byContent: boolean, timeout: Duration.Duration) =>
  new ClaudeError.TimeoutError({
    message: byContent
      ? `stream stalled: pings but no content for ${Duration.format(timeout)}`
      : `stream stalled: no event (not even a ping) for ${Duration.format(timeout)}`,
    timeout,
    phase: "stream"
  })

/**
 * Reads a transport's stream in plain JavaScript and pushes its events into a mailbox, so the
 * Effect side takes whatever has arrived as a chunk instead of one fiber step per event.
 *
 * The stall watchdog lives here, below the consumer: the reader stamps the time of every
 * event (pings included) and of every content event, and one fiber sleeps until the earlier
 * deadline — `idle` after the last event, `content` after the last content event — and fails
 * the stream with a `TimeoutError` (phase `"stream"`) if nothing moved it. Only the server's
 * silence counts, never the time the consumer takes, and an event costs a clock read, not a
 * timer. Pings are removed afterwards.
 *
 * On close it aborts the request first and never waits for the iterator: an async generator
 * parked on a stalled socket would make `return()` wait forever.
 */
export const fromTransport = (
  iterable: AsyncIterable<TransportEvent> & { readonly controller?: AbortController },
  limits: { readonly idle: Duration.Duration | undefined; readonly content: Duration.Duration | undefined }
): Stream.Stream<Claude.MessageStreamEvent, unknown> =>
  Stream.asyncPush<TransportEvent, unknown>(
    (emit) =>
      Effect.gen(function* () {
        const clock = yield* Effect.clock
        const start = clock.unsafeCurrentTimeMillis()
        const state = { closed: false, done: false, lastEvent: start, lastContent: start }
        const iterator = iterable[Symbol.asyncIterator]()
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            state.closed = true
            // A finished response needs no abort (and an AbortError costs a stack trace).
            if (state.done) return
            iterable.controller?.abort()
            iterator.return?.().catch(() => undefined)
          })
        )
        // Events parsed from one network read arrive a microtask apart: gather them and hand
        // them over as one chunk once the microtasks have run, so the stream's stages run once
        // per read instead of once per event.
        let buffer: Array<TransportEvent> = []
        let scheduled = false
        const flush = () => {
          scheduled = false
          if (state.closed || buffer.length === 0) return
          const chunk = Chunk.unsafeFromArray(buffer)
          buffer = []
          emit.chunk(chunk)
        }
        const read = async () => {
          try {
            while (true) {
              const result = await iterator.next()
              if (state.closed) return
              if (result.done === true) {
                state.done = true
                flush()
                return void emit.end()
              }
              const now = clock.unsafeCurrentTimeMillis()
              state.lastEvent = now
              if (result.value.type !== "ping") state.lastContent = now
              buffer.push(result.value)
              if (!scheduled) {
                scheduled = true
                setImmediate(flush)
              }
            }
          } catch (e) {
            if (state.closed) return
            flush()
            emit.fail(e)
          }
        }
        void read()
        const idleMs = limits.idle === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.idle)
        const contentMs = limits.content === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.content)
        if (!Number.isFinite(idleMs) && !Number.isFinite(contentMs)) return
        const watch: Effect.Effect<void> = Effect.suspend(() => {
          if (state.closed) return Effect.void
          const now = clock.unsafeCurrentTimeMillis()
          const idleLeft = state.lastEvent + idleMs - now
          const contentLeft = state.lastContent + contentMs - now
          if (idleLeft <= 0 || contentLeft <= 0) {
            const byContent = idleLeft > 0
            return Effect.sync(() => {
              if (!state.closed) emit.fail(stalled(byContent, Duration.millis(byContent ? contentMs : idleMs)))
            })
          }
          return Effect.zipRight(Effect.sleep(Duration.millis(Math.min(idleLeft, contentLeft))), watch)
        })
        yield* Effect.forkScoped(watch)
      }),
    { bufferSize: "unbounded" }
  ).pipe(
    Stream.mapChunks((chunk) => {
      // Pings are rare: keep the chunk as it is unless one is in it.
      for (const e of chunk) if (e.type === "ping") return Chunk.filter(chunk, isContent)
      return chunk as Chunk.Chunk<Claude.MessageStreamEvent>
    })
  )

const isContent = (e: TransportEvent): e is Claude.MessageStreamEvent => e.type !== "ping"

/** A stream that ended cleanly but without `message_stop` was cut, not finished. */
const incomplete = () =>
  new ClaudeError.ConnectionError({
    message: "stream ended before message_stop",
    reason: "reset",
    phase: "stream"
  })

export const make = ({ breaker, options, retry, transport: makeTransport }: MakeInput): Claude.Service => {
  const attemptTimeout = Duration.decode(options.attemptTimeout ?? Duration.minutes(10))
  const sdk = new Anthropic({
    apiKey: Redacted.value(options.apiKey),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    // Our Schedules own retries; our Effect timeout owns the attempt deadline.
    maxRetries: 0,
    timeout: toMillis(attemptTimeout) + 1000,
    ...(options.defaultHeaders !== undefined ? { defaultHeaders: { ...options.defaultHeaders } } : {})
  })
  const transport = (makeTransport ?? sdkTransport)(sdk)
  const keyOf = (model: string, call?: Claude.CallOptions) =>
    call?.circuitKey ?? options.circuitKey?.({ model }) ?? model

  const scheduleFor = (
    call?: Claude.CallOptions
  ): Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> =>
    call?.retry === false
      ? Effect.succeed(Schedule.stop)
      : call?.retry !== undefined
        ? Effect.succeed(call.retry)
        : RetryPolicy.resolve(retry)

  const requestOptions = (signal: AbortSignal, call?: Claude.CallOptions) => ({
    signal,
    ...(call?.headers !== undefined ? { headers: { ...call.headers } } : {})
  })

  /**
   * One attempt: the SDK call under an AbortSignal tied to fiber interruption, mapped to a
   * ClaudeError, bounded by the attempt timeout, counted by the breaker, traced.
   */
  const attempt = <A>(
    operation: string,
    model: string,
    counter: { n: number },
    call: Claude.CallOptions | undefined,
    run: (signal: AbortSignal) => Promise<A>
  ): Effect.Effect<A, ClaudeError.ClaudeError> => {
    const timeout = call?.timeout !== undefined ? Duration.decode(call.timeout) : attemptTimeout
    const request: Effect.Effect<A, ClaudeError.ClaudeError> = Effect.tryPromise({ try: run, catch: (e) => e }).pipe(
      Effect.catchAll((e) => Effect.flatMap(ClaudeError.fromUnknown(e), Effect.fail)),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new ClaudeError.TimeoutError({
            message: `attempt timed out after ${Duration.format(timeout)}`,
            timeout
          })
      })
    )
    return Effect.suspend(() => {
      counter.n += 1
      const n = counter.n
      return breaker.execute(keyOf(model, call), request).pipe(
        Effect.tapError((e) =>
          Effect.annotateCurrentSpan({
            "error.type": e._tag,
            ...("status" in e && e.status !== undefined ? { "http.response.status_code": e.status } : {}),
            ...("requestId" in e && e.requestId !== undefined ? { "claude.request_id": e.requestId } : {})
          })
        ),
        Effect.ensuring(Metric.increment(metrics.attempts)),
        Effect.withSpan(`claude.attempt`, {
          // A stack trace per span costs more than the rest of the attempt's bookkeeping.
          captureStackTrace: false,
          kind: "client",
          attributes: { "claude.operation": operation, "claude.attempt": n, "gen_ai.request.model": model }
        })
      )
    })
  }

  const spanAttributes = (operation: string, params: { readonly model: string; readonly max_tokens?: number }) => ({
    "gen_ai.system": "anthropic",
    "gen_ai.operation.name": operation,
    "gen_ai.request.model": params.model,
    ...(params.max_tokens !== undefined ? { "gen_ai.request.max_tokens": params.max_tokens } : {})
  })

  /** Records the call's outcome: span attributes, one log line, metrics. */
  const finish = (
    operation: string,
    model: string,
    startedAt: number,
    attempts: number,
    exit: Exit.Exit<unknown, ClaudeError.ClaudeError>,
    usage: Usage | undefined,
    content?: { readonly prompt: unknown; readonly completion: unknown }
  ) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const durationMs = now - startedAt
      yield* Metric.update(metrics.latency, durationMs)
      if (attempts > 1) yield* Metric.incrementBy(metrics.retries, attempts - 1)
      const base = { model, operation, duration_ms: durationMs, attempts }
      if (Exit.isSuccess(exit)) {
        yield* Metric.increment(callCounter("success", "none"))
        if (usage !== undefined) {
          yield* Metric.incrementBy(metrics.inputTokens, usage.input)
          yield* Metric.incrementBy(metrics.outputTokens, usage.output)
          yield* Effect.annotateCurrentSpan({
            "gen_ai.usage.input_tokens": usage.input,
            "gen_ai.usage.output_tokens": usage.output,
            ...(usage.stopReason !== undefined ? { "gen_ai.response.finish_reasons": [usage.stopReason] } : {}),
            ...(usage.id !== undefined ? { "gen_ai.response.id": usage.id } : {})
          })
        }
        yield* Effect.logInfo("claude.call").pipe(
          Effect.annotateLogs({
            ...base,
            outcome: "success",
            ...(usage !== undefined
              ? { input_tokens: usage.input, output_tokens: usage.output, stop_reason: usage.stopReason ?? "none" }
              : {}),
            ...(options.logContent === true && content !== undefined
              ? { prompt: content.prompt, completion: content.completion }
              : {})
          })
        )
      } else {
        const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        const tag = failure?._tag ?? "Interrupted"
        yield* Metric.increment(callCounter("failure", tag))
        yield* Effect.annotateCurrentSpan({ "error.type": tag })
        yield* Effect.logWarning("claude.call").pipe(
          Effect.annotateLogs({
            ...base,
            outcome: "failure",
            error_tag: tag,
            ...(failure !== undefined && "status" in failure && failure.status !== undefined
              ? { status: failure.status }
              : {}),
            ...(failure !== undefined && "requestId" in failure && failure.requestId !== undefined
              ? { request_id: failure.requestId }
              : {})
          })
        )
      }
    })

  /** retry(schedule) → breaker → timeout → request, inside a span with logs and metrics. */
  const resilient = <A>(
    operation: string,
    params: { readonly model: string; readonly max_tokens?: number },
    call: Claude.CallOptions | undefined,
    run: (signal: AbortSignal) => Promise<A>,
    usageOf: (a: A) => Usage | undefined,
    content: (a: A) => unknown
  ): Effect.Effect<A, ClaudeError.ClaudeError> =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const counter = { n: 0 }
      const schedule = yield* scheduleFor(call)
      return yield* attempt(operation, params.model, counter, call, run).pipe(
        Effect.retry(schedule),
        Effect.onExit((exit) =>
          finish(
            operation,
            params.model,
            startedAt,
            counter.n,
            exit,
            Exit.isSuccess(exit) ? usageOf(exit.value) : undefined,
            Exit.isSuccess(exit) ? { prompt: params, completion: content(exit.value) } : undefined
          )
        )
      )
    }).pipe(
      Effect.withSpan(`claude.messages.${operation}`, {
        kind: "client",
        captureStackTrace: false,
        attributes: spanAttributes(operation, params)
      })
    )

  const create = (params: Claude.MessageCreateParams, call?: Claude.CallOptions) =>
    resilient(
      "create",
      params,
      call,
      (signal) => transport.create(params, requestOptions(signal, call)),
      (message) => ({
        input: message.usage.input_tokens,
        output: message.usage.output_tokens,
        stopReason: message.stop_reason ?? undefined,
        id: message.id
      }),
      (message) => message.content
    )

  const countTokens = (params: Claude.CountTokensParams, call?: Claude.CallOptions) =>
    resilient(
      "count_tokens",
      params,
      call,
      (signal) => transport.countTokens(params, requestOptions(signal, call)),
      () => undefined,
      (count) => count.input_tokens
    )

  const stream = (
    params: Claude.MessageStreamParams,
    call?: Claude.CallOptions
  ): Stream.Stream<Claude.MessageStreamEvent, ClaudeError.ClaudeError> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis
        // The stream span, captured so the usage recorded when the stream ends lands on it.
        const span = yield* Effect.option(Effect.currentSpan)
        const counter = { n: 0 }
        const schedule = yield* scheduleFor(call)
        // The connection phase (until the response headers) is retried and counted by the breaker.
        const sdkStream = yield* attempt("stream", params.model, counter, call, (signal) =>
          transport.stream(params, requestOptions(signal, call))
        ).pipe(
          Effect.retry(schedule),
          Effect.onError((cause) =>
            finish("stream", params.model, startedAt, counter.n, Exit.failCause(cause), undefined)
          )
        )
        // Closing the scope before the answer finished (failure, interruption, a consumer that
        // never pulled) aborts the HTTP request; a finished one needs no abort.
        const done = { stopped: false }
        yield* Effect.addFinalizer(() => Effect.sync(() => (done.stopped ? undefined : sdkStream.controller?.abort())))
        const usage: Usage = { input: 0, output: 0, stopReason: undefined, id: undefined }
        const limits = {
          idle: limitOf(call?.idleTimeout, options.streamIdleTimeout, DEFAULT_IDLE_TIMEOUT),
          content: limitOf(call?.contentTimeout, options.streamContentTimeout, undefined)
        }
        const events = fromTransport(sdkStream, limits).pipe(
          Stream.catchAll((e) =>
            Stream.fromEffect(Effect.flatMap(ClaudeError.fromUnknown(e, { phase: "stream" }), Effect.fail))
          ),
          // Bookkeeping per chunk, not an Effect per event.
          Stream.mapChunks((chunk) => {
            for (const event of chunk) {
              switch (event.type) {
                case "message_start":
                  usage.input = event.message.usage.input_tokens
                  usage.output = event.message.usage.output_tokens
                  usage.id = event.message.id
                  break
                case "message_delta":
                  usage.output = event.usage.output_tokens
                  usage.stopReason = event.delta.stop_reason ?? undefined
                  break
                case "message_stop":
                  done.stopped = true
                  break
              }
            }
            return chunk
          }),
          Stream.concat(Stream.suspend(() => (done.stopped ? Stream.empty : Stream.fail(incomplete())))),
          Stream.ensuringWith((exit) => {
            const recorded = finish(
              "stream",
              params.model,
              startedAt,
              counter.n,
              exit,
              done.stopped ? usage : undefined
            )
            return Option.isSome(span) ? Effect.withParentSpan(recorded, span.value) : recorded
          })
        )
        return events
      })
    ).pipe(
      // One span for the whole stream, so the usage and finish reason land on it.
      Stream.withSpan("claude.messages.stream", {
        captureStackTrace: false,
        kind: "client",
        attributes: spanAttributes("stream", params)
      })
    )

  return { messages: { create, stream, countTokens }, sdk, retrySchedule: retry }
}
