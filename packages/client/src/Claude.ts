/**
 * The `Claude` service: the Messages API over the official `@anthropic-ai/sdk`, with a
 * typed failure channel, and the resilient layer that composes retry → rate limiter → circuit
 * breaker → attempt timeout → request.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import type { ClaudeError } from "@claude-resilience/errors"
import { Quota, QuotaStore } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as RedactedValue from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type * as Bulkhead from "./Bulkhead.js"
import * as internal from "./internal/client.js"
import type * as Preflight from "./Preflight.js"
import type * as StopReasons from "./StopReasons.js"

/**
 * The SDK's types, re-exported so users need no second import.
 *
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const textOf = (m: Claude.Message) => m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Message = Anthropic.Messages.Message

/**
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const params: Claude.MessageCreateParams = {
 *   model: "claude-sonnet-4-6",
 *   max_tokens: 256,
 *   messages: [{ role: "user", content: "Hello" }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageCreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming

/**
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const params: Claude.MessageStreamParams = {
 *   model: "claude-sonnet-4-6",
 *   max_tokens: 1024,
 *   messages: [{ role: "user", content: "Write a poem" }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageStreamParams = Omit<Anthropic.Messages.MessageCreateParamsStreaming, "stream">

/**
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const deltaText = (e: Claude.MessageStreamEvent) =>
 *   e.type === "content_block_delta" && e.delta.type === "text_delta" ? e.delta.text : ""
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MessageStreamEvent = Anthropic.Messages.RawMessageStreamEvent

/**
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const params: Claude.CountTokensParams = { model: "claude-sonnet-4-6", messages: [{ role: "user", content: "Hi" }] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type CountTokensParams = Anthropic.Messages.MessageCountTokensParams

/**
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const fits = (count: Claude.TokensCount) => count.input_tokens < 180_000
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type TokensCount = Anthropic.Messages.MessageTokensCount

/**
 * Options for one call, overriding the layer's.
 *
 * - `retry`: another schedule (or `false` for no retries) for this call; `RetryPolicy.withPolicy`
 *   around the call does the same.
 * - `timeout`: the attempt timeout for this call.
 * - `circuitKey`: the circuit to count this call in (default: the model).
 * - `headers`: extra HTTP headers (e.g. `anthropic-beta`).
 * - `idleTimeout` (streams): the stall watchdog's limit between two SSE events of any kind, pings
 *   included, after the connection phase; `false` turns it off. Default: the layer's
 *   `streamIdleTimeout` (90 seconds).
 * - `contentTimeout` (streams): a second limit for a stream that sends pings but no content;
 *   `false` turns it off. Default: the layer's `streamContentTimeout` (off).
 * - `preflight`: this call's preflight options, merged over the layer's field by field; `false`
 *   skips the preflight for this call (see `Preflight.Options`).
 * - `stopReasons`: what to do with each stop reason (`StopReasons.Options`), field by field over
 *   the layer's.
 * - `streamLongRequests`, `streamOnGatewayTimeout` (`create`): as the layer's options of these
 *   names, for this call.
 * - `priority`: the rate limiter's lane for this call's attempts: `"interactive"` ones go ahead of
 *   every waiting `"background"` one on the same limit key. Default: the limiter's (`interactive`).
 * - `failureLogLevel`: the level of this call's `claude.call` line when it fails (default
 *   `Warning`; a success logs at `Debug`). `ResumableStream` sets `Debug` on the connections it may
 *   resume, and logs its own outcome once; set it when your code handles the failure itself.
 *
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 * import { LogLevel } from "effect"
 *
 * const call: Claude.CallOptions = { timeout: "30 seconds", idleTimeout: "20 seconds", contentTimeout: "2 minutes" }
 * const continued: Claude.CallOptions = { stopReasons: { maxTokens: 3, refusal: "return" } }
 * const nightly: Claude.CallOptions = { priority: "background" }
 * const handled: Claude.CallOptions = { failureLogLevel: LogLevel.Debug }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface CallOptions {
  readonly retry?: Schedule.Schedule<unknown, ClaudeError.ClaudeError> | false | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly circuitKey?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly idleTimeout?: Duration.DurationInput | false | undefined
  readonly contentTimeout?: Duration.DurationInput | false | undefined
  readonly preflight?: Preflight.Options | false | undefined
  readonly stopReasons?: StopReasons.Options | undefined
  readonly streamLongRequests?: boolean | undefined
  readonly streamOnGatewayTimeout?: boolean | undefined
  readonly priority?: Quota.Priority | undefined
  readonly failureLogLevel?: LogLevel.LogLevel | undefined
}

/**
 * What the `run` of {@link Service.request} passes on to the SDK as its request options: the
 * attempt's abort signal (tied to fiber interruption and the attempt timeout) and the call's headers.
 *
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const list = (claude: Claude.Service) => claude.request("models.list", (sdk, options: Claude.SdkOptions) => sdk.models.list({}, options))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface SdkOptions {
  readonly signal: AbortSignal
  readonly headers?: Record<string, string>
}

/**
 * Options of {@link Service.request}: those of a call, and the model the request is about, if any
 * (a span attribute and a log field). The circuit defaults to the operation's resource — the part of
 * its name before the first dot (`"batches"` for `"batches.create"`) — so the Batches, Files and
 * Models endpoints do not share circuits with the models' Messages calls.
 *
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 *
 * const options: Claude.RequestOptions = { timeout: "30 seconds", circuitKey: "files" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface RequestOptions extends CallOptions {
  readonly model?: string | undefined
}

/**
 * The `Claude` service.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const sdkVersion = Effect.map(Claude.Claude, (claude: Claude.Service) => claude.sdk.baseURL)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly messages: {
    /**
     * One Messages API call. Retries, circuit breaking and timeouts apply per the layer. A request
     * too long for a non-streaming call, or answered with a 504, is sent as a stream and collected
     * into the `Message`; stop reasons are handled per `StopReasons.Options` (a `pause_turn` is
     * continued, a refusal fails with a `RefusalError`).
     */
    readonly create: (
      params: MessageCreateParams,
      options?: CallOptions
    ) => Effect.Effect<Message, ClaudeError.ClaudeError>
    /**
     * A streaming call as a `Stream` of the SDK's raw events. The connection phase is
     * retried; a failure after the first event ends the stream with a ClaudeError whose
     * `phase` is `"stream"` (use `@claude-resilience/stream` to resume instead). A stream that
     * ends without `message_stop` fails with a `ConnectionError`; one that stalls (see
     * `idleTimeout`, `contentTimeout`) with a `TimeoutError`. A stream that ends with a `refusal`
     * or `model_context_window_exceeded` stop reason fails after its last event with a
     * `RefusalError` / `ContextWindowExceededError` (see `StopReasons.Options`).
     */
    readonly stream: (
      params: MessageStreamParams,
      options?: CallOptions
    ) => Stream.Stream<MessageStreamEvent, ClaudeError.ClaudeError>
    /** `POST /v1/messages/count_tokens`. */
    readonly countTokens: (
      params: CountTokensParams,
      options?: CallOptions
    ) => Effect.Effect<TokensCount, ClaudeError.ClaudeError>
  }
  /**
   * Any other SDK call with the resilience of `messages.create`: retry (the layer's policy, or
   * `options.retry`) around attempts — circuit breaker, attempt timeout, the request under an abort
   * signal — in a span `claude.<operation>` with one log line and the client's metrics. `operation`
   * names the call, e.g. `"batches.create"`; `run` gets the SDK client and the options to pass it.
   */
  readonly request: <A>(
    operation: string,
    run: (sdk: Anthropic, options: SdkOptions) => Promise<A>,
    options?: RequestOptions
  ) => Effect.Effect<A, ClaudeError.ClaudeError>
  /** The underlying SDK client (its own retries are off), for anything else. */
  readonly sdk: Anthropic
  /**
   * The retry schedule this client was built with (the layer's `RetryPolicy`). Code that
   * retries on the client's behalf — the resumable stream, say — uses it by default, after a
   * `RetryPolicy.withPolicy` override.
   */
  readonly retrySchedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
}

/**
 * The Claude service tag.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const claude = yield* Claude.Claude
 *   const message = yield* claude.messages.create({
 *     model: "claude-sonnet-5-5",
 *     max_tokens: 256,
 *     messages: [{ role: "user", content: "Hello" }]
 *   })
 *   return message.content
 * })
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class Claude extends Context.Tag("@claude-resilience/client/Claude")<Claude, Service>() {}

/**
 * Options for the layers.
 *
 * | option | default |
 * |---|---|
 * | `apiKey` | required (a `Redacted`) |
 * | `baseURL` | the SDK's (`https://api.anthropic.com`) |
 * | `attemptTimeout` | 10 minutes: one attempt, up to the response headers for a stream |
 * | `streamIdleTimeout` | 90 seconds: a stream with no SSE event at all (pings included) for this long fails with a `TimeoutError` (phase `"stream"`); `false`: off |
 * | `streamContentTimeout` | off: a stream that sends only pings for this long fails the same way |
 * | `circuitKey` | the request's model |
 * | `logContent` | `false`: prompts and completions are never logged unless `true` |
 * | `defaultHeaders` | none |
 * | `preflight` | every check on (`Preflight.defaults`): the request checked once per call before it is sent; `false`: off |
 * | `stopReasons` | `StopReasons.defaults`: `pause_turn` continued (5 times at most), `max_tokens` returned, `refusal` and `model_context_window_exceeded` typed failures |
 * | `streamLongRequests` | `true`: a `create` the SDK would refuse without streaming (more than 10 minutes at 128,000 tokens an hour) is sent as a stream, collected into the `Message` |
 * | `streamOnGatewayTimeout` | `true`: a `create` answered with a 504 is sent once more as a stream (not retried as it is), collected into the `Message` |
 * | `bulkhead` | off (unless a `Bulkhead` layer is provided): `Bulkhead.Options`, at most `maxConcurrent` calls in flight per model |
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Redacted } from "effect"
 *
 * const options: Claude.Options = {
 *   apiKey: Redacted.make("sk-ant-..."),
 *   attemptTimeout: "90 seconds",
 *   circuitKey: ({ model }) => model.split("-").slice(0, 2).join("-")
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseURL?: string | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly streamIdleTimeout?: Duration.DurationInput | false | undefined
  readonly streamContentTimeout?: Duration.DurationInput | false | undefined
  readonly circuitKey?: ((params: { readonly model: string }) => string) | undefined
  readonly logContent?: boolean | undefined
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  readonly preflight?: Preflight.Options | false | undefined
  readonly stopReasons?: StopReasons.Options | undefined
  readonly streamLongRequests?: boolean | undefined
  readonly streamOnGatewayTimeout?: boolean | undefined
  readonly bulkhead?: Bulkhead.Options | undefined
}

/**
 * Builds the service from options, reading the retry policy and the circuit breaker from
 * context (each replaceable by providing another layer), the rate limiter (`Quota`) when there is
 * one (without it, attempts are not rate-limited), and a `Bulkhead` if one is provided
 * (`options.bulkhead` builds one of this client's own instead). The API key is checked first
 * (`Preflight.apiKey`: trimmed, or a `PreflightError` that never contains it).
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect, Redacted } from "effect"
 *
 * const service = Claude.make({ apiKey: Redacted.make("sk-ant-...") })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, ClaudeError.PreflightError, RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker> =>
  internal.build(options, true)

/**
 * The service without its dependencies: provide `RetryPolicy` and `CircuitBreaker` yourself
 * (e.g. a shared breaker, or `RetryPolicy.layer(Schedule.stop)` in tests). A `Quota` (the rate
 * limiter) in context is used when there is one — provide `Quota.layer(...)` to rate-limit — but
 * it is not required: without one, attempts go straight to the breaker.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Claude } from "@claude-resilience/client"
 * import { Quota } from "@claude-resilience/rate-limit"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = Claude.layerWithoutDependencies({ apiKey: Redacted.make("sk-ant-...") }).pipe(
 *   Layer.provide(RetryPolicy.layer({ budget: "2 minutes" })),
 *   Layer.provide(CircuitBreaker.layer({ openDuration: "30 seconds" })),
 *   Layer.provide(Quota.layer({ limits: { requestsPerMinute: 50 } }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutDependencies = (
  options: Options
): Layer.Layer<Claude, ClaudeError.PreflightError, RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker> =>
  Layer.effect(Claude, make(options))

/**
 * The resilient layer without the stores of its rate limiter and circuit breaker: provide a
 * `QuotaStore` and a `CircuitBreakerStore` — for a fleet, both on one Redis with
 * `QuotaRedis.layerFleet` (from `@claude-resilience/rate-limit/QuotaStore/Redis`), so that every
 * process admits against the same buckets and opens the same circuits. Options as {@link layer}.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeFleet = Claude.layerWithoutStores({ apiKey: Redacted.make("sk-ant-...") }).pipe(
 *   Layer.provide(QuotaRedis.layerFleet({ url: Redacted.make("redis://10.0.0.5:6379") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutStores = (
  options: LayerOptions
): Layer.Layer<Claude, ClaudeError.PreflightError, QuotaStore.QuotaStore | CircuitBreakerStore.CircuitBreakerStore> => {
  const service =
    options.rateLimit === false
      ? Layer.effect(Claude, internal.build(options, false))
      : layerWithoutDependencies(options).pipe(Layer.provide(Quota.layerWithoutStore(options.rateLimit)))
  return service.pipe(
    Layer.provide(RetryPolicy.layer(options.retryPolicy)),
    Layer.provide(CircuitBreaker.layerWithoutStore(options.circuitBreaker))
  )
}

/**
 * The resilient layer with the default retry policy (`RetryPolicy.claude()`), a default circuit
 * breaker (5 consecutive server failures open a model's circuit for 60 s) and the in-memory rate
 * limiter (`Quota.layer(options.rateLimit)`: limits learned from the API's headers; `rateLimit:
 * false` turns it off).
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Redacted } from "effect"
 *
 * const ClaudeLive = Claude.layer({ apiKey: Redacted.make("sk-ant-...") })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: LayerOptions): Layer.Layer<Claude, ClaudeError.PreflightError> =>
  layerWithoutStores(options).pipe(
    Layer.provide(CircuitBreakerStore.layerMemory),
    Layer.provide(QuotaStore.layerMemory)
  )

/**
 * Options of {@link layer}: the service's {@link Options}, plus the retry policy (options of
 * `RetryPolicy.claude`, or any schedule), the circuit breaker's options, and the rate limiter's
 * (`Quota.Options`: limits known up front, the default wait budget, the default priority, the
 * output reservation) or `false` for no rate limiter.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Redacted } from "effect"
 *
 * const ClaudeLive = Claude.layer({
 *   apiKey: Redacted.make("sk-ant-..."),
 *   retryPolicy: { budget: "40 seconds", tags: { OverloadedError: { base: "1 second" } } },
 *   circuitBreaker: { openDuration: "5 seconds" },
 *   rateLimit: { limits: { requestsPerMinute: 50, outputTokensPerMinute: 8_000 } }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface LayerOptions extends Options {
  readonly retryPolicy?: RetryPolicy.Options | Schedule.Schedule<unknown, ClaudeError.ClaudeError> | undefined
  readonly circuitBreaker?: CircuitBreaker.Options | undefined
  readonly rateLimit?: Quota.Options | false | undefined
}

/**
 * The configuration {@link layerConfig} reads:
 * `ANTHROPIC_API_KEY` (redacted, required), `ANTHROPIC_BASE_URL` (optional),
 * `CLAUDE_ATTEMPT_TIMEOUT` (a duration like `"60 seconds"`, optional).
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const options = Effect.runSync(Effect.either(Claude.config))
 * ```
 *
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<Options> = Config.all({
  apiKey: Config.redacted("ANTHROPIC_API_KEY"),
  baseURL: Config.option(Config.string("ANTHROPIC_BASE_URL")),
  attemptTimeout: Config.option(Config.duration("CLAUDE_ATTEMPT_TIMEOUT"))
}).pipe(
  Config.map(
    ({ apiKey, attemptTimeout, baseURL }): Options => ({
      apiKey,
      baseURL: Option.getOrUndefined(baseURL),
      attemptTimeout: Option.getOrUndefined(attemptTimeout)
    })
  )
)

/**
 * {@link layer} from {@link config} (environment variables by default), with extra options
 * merged on top.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.flatMap(Claude.Claude, (claude) =>
 *   claude.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
 * ).pipe(Effect.provide(Claude.layerConfig()))
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  extra?: Partial<Omit<LayerOptions, "apiKey">>
): Layer.Layer<Claude, import("effect/ConfigError").ConfigError | ClaudeError.PreflightError> =>
  Layer.unwrapEffect(Effect.map(config, (options) => layer({ ...options, ...stripUndefined(extra) })))

/**
 * {@link layerWithoutDependencies} from {@link config}.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { Claude } from "@claude-resilience/client"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Layer } from "effect"
 *
 * const ClaudeLive = Claude.layerConfigWithoutDependencies().pipe(
 *   Layer.provide(RetryPolicy.layer()),
 *   Layer.provide(CircuitBreaker.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfigWithoutDependencies = (
  extra?: Partial<Omit<Options, "apiKey">>
): Layer.Layer<
  Claude,
  import("effect/ConfigError").ConfigError | ClaudeError.PreflightError,
  RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker
> =>
  Layer.unwrapEffect(
    Effect.map(config, (options) => layerWithoutDependencies({ ...options, ...stripUndefined(extra) }))
  )

const stripUndefined = <A extends object>(a: A | undefined): Partial<A> => {
  if (a === undefined) return {}
  const out: Partial<A> = {}
  for (const [key, value] of Object.entries(a)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value
  }
  return out
}

/**
 * The metrics the client records: calls by outcome and tag, attempts, retries, latency,
 * tokens in and out, and `billingErrors` (`claude_billing_errors_total`: every call that failed
 * with a 402 `billing_error`, to alert on).
 *
 * `claude_calls_total` is counted under its tags (`outcome`, `error_tag`): the untagged
 * `Metric.value(Claude.metrics.calls)` stays at `{ count: 0 }`. Read one tagged series, or every
 * series with `Metric.snapshot` (docs/observability.md exports them to OpenTelemetry).
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { Effect, Metric, MetricState } from "effect"
 *
 * // successful calls so far: { count: 2 } after two
 * const successes = Metric.value(
 *   Claude.metrics.calls.pipe(Metric.tagged("outcome", "success"), Metric.tagged("error_tag", "none"))
 * )
 *
 * // every series of claude_calls_total:
 * // [["outcome=success,error_tag=none", 2], ["outcome=failure,error_tag=NotFoundError", 1]]
 * const calls = Effect.map(Metric.snapshot, (pairs) =>
 *   pairs.flatMap(({ metricKey, metricState }) =>
 *     metricKey.name === "claude_calls_total" && MetricState.isCounterState(metricState)
 *       ? [[metricKey.tags.map((t) => `${t.key}=${t.value}`).join(","), Number(metricState.count)] as const]
 *       : []
 *   )
 * )
 *
 * // an untagged counter reads directly: input tokens so far
 * const inputTokens = Metric.value(Claude.metrics.inputTokens)
 * ```
 *
 * @since 0.1.0
 * @category Metrics
 */
export const metrics = internal.metrics

/**
 * Creates a `Redacted` API key from a string, e.g. in tests.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 *
 * const key = Claude.apiKey("sk-ant-test")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const apiKey = (key: string): Redacted.Redacted<string> => RedactedValue.make(key)

/**
 * Runs an effect that uses `Claude` with the service taken from context: a shortcut for
 * `Effect.flatMap(Claude, f)`.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 *
 * const reply = Claude.use((claude) =>
 *   claude.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
 * )
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const use = <A, E, R>(f: (claude: Service) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Claude> =>
  Effect.flatMap(Claude, f)
