/**
 * The `Claude` service: the SDK client (its own retries and timeout handed to ours), the
 * transport over it, and the three operations built on the resilient call.
 */
import Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import type { ClaudeError } from "@claude-resilience/errors"
import { Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Bulkhead from "../Bulkhead.js"
import type * as Claude from "../Claude.js"
import * as billing from "./billing.js"
import { messageProblem, protocolError, tokensCountProblem } from "./boundary.js"
import { type CallContext, requestOptions, resilient } from "./call.js"
import * as preflight from "./preflight/preflight.js"
import { withPreflight } from "./preflight/wire.js"
import { request } from "./request.js"
import * as stopReasons from "./stopReasons.js"
import * as limiter from "./quota.js"
import { stream } from "./stream.js"
import { createOrStream } from "./viaStream.js"
import { sdkTransport, type Transport } from "./transport.js"

export { metrics } from "./metrics.js"

interface MakeInput {
  readonly options: Claude.Options
  readonly retry: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  readonly breaker: CircuitBreaker.Service
  /** The rate limiter of every Messages attempt; none by default. */
  readonly quota?: Quota.Service | undefined
  /** The bulkhead every attempt takes a slot of; none: no limit. */
  readonly bulkhead?: Bulkhead.Service | undefined
  /** The transport over the SDK client; the SDK's by default. */
  readonly transport?: ((sdk: Anthropic) => Transport) | undefined
}

/**
 * A body that passed the boundary's check, typed; else the attempt fails with a protocol error
 * (thrown inside the attempt's promise, so it is retried and counted like any transient fault).
 */
const checked =
  <A>(what: string, problemOf: (u: unknown) => string | undefined) =>
  (body: unknown): A => {
    const problem = problemOf(body)
    if (problem !== undefined) throw protocolError(`${what}: ${problem}`, "request")
    return body as A
  }

const checkMessage = checked<Claude.Message>("create", messageProblem)
const checkTokensCount = checked<Claude.TokensCount>("count_tokens", tokensCountProblem)

/** How the service shows itself to `util.inspect`, `JSON.stringify` and `String`: never the SDK's key. */
const description = { _id: "@claude-resilience/client/Claude" }
const sdkDescription = { _id: "@anthropic-ai/sdk/Anthropic" }

export const make = ({
  breaker,
  bulkhead,
  options,
  quota,
  retry,
  transport: makeTransport
}: MakeInput): Claude.Service => {
  const attemptTimeout = Duration.decode(options.attemptTimeout ?? Duration.minutes(10))
  const sdk = new Anthropic({
    apiKey: Redacted.value(options.apiKey),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    // Our Schedules own retries; our Effect timeout owns the attempt deadline.
    maxRetries: 0,
    timeout: Duration.toMillis(attemptTimeout) + 1000,
    ...(options.defaultHeaders !== undefined ? { defaultHeaders: { ...options.defaultHeaders } } : {})
  })
  // The SDK client holds the key in plain text (`apiKey`, `_options`): wherever it goes — a wrapper
  // service that passes `sdk` on, a log of `claude.sdk` — inspecting or serialising it shows no key.
  Object.defineProperties(sdk, {
    toJSON: { value: () => sdkDescription, enumerable: false },
    [NodeInspectSymbol]: { value: () => sdkDescription, enumerable: false }
  })
  const transport = (makeTransport ?? sdkTransport)(sdk)
  const secrets = [options.apiKey]
  const context: CallContext = { options, retry, breaker, bulkhead, transport, attemptTimeout, secrets, quota }

  const create = (params: Claude.MessageCreateParams, call?: Claude.CallOptions) =>
    resilient(
      context,
      "create",
      params,
      call,
      (signal, onResponse) => transport.create(params, requestOptions(signal, call, onResponse)).then(checkMessage),
      (message) => ({
        input: message.usage.input_tokens,
        output: message.usage.output_tokens,
        stopReason: message.stop_reason ?? undefined,
        id: message.id
      }),
      (message) => message.content,
      (schedule, startedAt) => {
        const limit = limiter.limitFor(context, params, call, schedule, startedAt)
        return limit === undefined ? undefined : limiter.create<Claude.Message>(limit)
      }
    )

  const countTokens = (params: Claude.CountTokensParams, call?: Claude.CallOptions) =>
    resilient(
      context,
      "count_tokens",
      params,
      call,
      // count_tokens has rate limits of its own, not the Messages buckets: no limiter
      (signal) => transport.countTokens(params, requestOptions(signal, call)).then(checkTokensCount),
      () => undefined,
      (count) => count.input_tokens
    )

  const service = withPreflight(options, {
    messages: {
      // Once per call: the stop reasons around the requests of the turn, each request streamed
      // when too long for a non-streaming call or met with a 504; a 402 reported.
      create: (params, call) =>
        billing.watch(
          "create",
          params.model,
          stopReasons.create(stopReasons.resolve(options.stopReasons, call?.stopReasons), params, (request) =>
            createOrStream(context, create, request, call)
          )
        ),
      stream: (params, call) =>
        billing.watchStream(
          params.model,
          stopReasons.checkStream(
            stopReasons.resolve(options.stopReasons, call?.stopReasons),
            stream(context, params, call)
          )
        ),
      countTokens: (params, call) => billing.watch("count_tokens", params.model, countTokens(params, call))
    },
    request: request(context, sdk),
    retrySchedule: retry,
    sdk
  })
  // The SDK client holds the key in plain text: reachable as `claude.sdk`, but not enumerable, so
  // `util.inspect`, `JSON.stringify` and spreads of the service never walk into it.
  Object.defineProperties(service, {
    sdk: { get: () => sdk, enumerable: false },
    toJSON: { value: () => description, enumerable: false },
    toString: { value: () => "Claude", enumerable: false },
    [NodeInspectSymbol]: { value: () => description, enumerable: false }
  })
  return service as typeof service & { readonly sdk: Anthropic }
}

/**
 * `Claude.make`: the API key checked (`Preflight.apiKey`), the retry policy and the breaker read
 * from context, the `Quota` in context unless `limited` is `false` (`rateLimit: false`), and the
 * bulkhead: the client's own from `options.bulkhead`, else one in context, else none.
 */
export const build = (
  options: Claude.Options,
  limited: boolean
): Effect.Effect<Claude.Service, ClaudeError.PreflightError, RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker> =>
  Effect.gen(function* () {
    const apiKey = yield* preflight.apiKey(options.apiKey, options.preflight)
    const retry = yield* RetryPolicy.RetryPolicy
    const breaker = yield* CircuitBreaker.CircuitBreaker
    const quota = limited ? Option.getOrUndefined(yield* Effect.serviceOption(Quota.Quota)) : undefined
    const bulkhead =
      options.bulkhead !== undefined
        ? yield* Bulkhead.make(options.bulkhead)
        : Option.getOrUndefined(yield* Effect.serviceOption(Bulkhead.Bulkhead))
    return make({
      options: apiKey === options.apiKey ? options : { ...options, apiKey },
      retry: retry.schedule,
      breaker,
      bulkhead,
      quota
    })
  })
