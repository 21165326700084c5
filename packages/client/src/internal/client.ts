/**
 * The `Claude` service: the SDK client (its own retries and timeout handed to ours), the
 * transport over it, and the three operations built on the resilient call.
 */
import Anthropic from "@anthropic-ai/sdk"
import type { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Claude from "../Claude.js"
import * as billing from "./billing.js"
import { type CallContext, requestOptions, resilient } from "./call.js"
import * as stopReasons from "./stopReasons.js"
import { stream } from "./stream.js"
import { createOrStream } from "./viaStream.js"
import { sdkTransport, type Transport } from "./transport.js"

export { metrics } from "./metrics.js"

interface MakeInput {
  readonly options: Claude.Options
  readonly retry: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
  readonly breaker: CircuitBreaker.Service
  /** The transport over the SDK client; the SDK's by default. */
  readonly transport?: ((sdk: Anthropic) => Transport) | undefined
}

export const make = ({ breaker, options, retry, transport: makeTransport }: MakeInput): Claude.Service => {
  const attemptTimeout = Duration.decode(options.attemptTimeout ?? Duration.minutes(10))
  const sdk = new Anthropic({
    apiKey: Redacted.value(options.apiKey),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    // Our Schedules own retries; our Effect timeout owns the attempt deadline.
    maxRetries: 0,
    timeout: Duration.toMillis(attemptTimeout) + 1000,
    ...(options.defaultHeaders !== undefined ? { defaultHeaders: { ...options.defaultHeaders } } : {})
  })
  const transport = (makeTransport ?? sdkTransport)(sdk)
  const context: CallContext = { options, retry, breaker, transport, attemptTimeout }

  const create = (params: Claude.MessageCreateParams, call?: Claude.CallOptions) =>
    resilient(
      context,
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
      context,
      "count_tokens",
      params,
      call,
      (signal) => transport.countTokens(params, requestOptions(signal, call)),
      () => undefined,
      (count) => count.input_tokens
    )

  return {
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
    sdk,
    retrySchedule: retry
  }
}
