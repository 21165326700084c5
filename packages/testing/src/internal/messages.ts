/**
 * The Messages endpoints, `POST /v1/messages` and `POST /v1/messages/count_tokens`, after the router's
 * common steps (authentication, scripted fault, outage): validation, the model's rules, then for a
 * message chaos, the scripted reply or generated answer, rate limits, and the answer as JSON or SSE
 * with its shaping fault.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Answer from "./answer.js"
import * as ApiError from "./apiError.js"
import * as Chaos from "./chaos.js"
import * as Completion from "./completion.js"
import * as Exchange from "./exchange.js"
import * as FaultInjection from "./faultInjection.js"
import * as Preflight from "./preflight.js"
import * as RateLimit from "./rateLimit.js"
import * as Sse from "./sse.js"
import * as State from "./state.js"
import { type ValidRequest, validate } from "./validate.js"

/** Ends the pipeline with the error, if there is one. */
const refuseIf = (exchange: Exchange.Exchange, error: ApiError.ApiErrorSpec | undefined) =>
  error === undefined ? Effect.void : Exchange.refuse(exchange, error)

/** The request validated, with its estimated input tokens recorded. */
const validated = (
  exchange: Exchange.Exchange,
  incoming: Exchange.Incoming,
  countTokens: boolean
): Effect.Effect<{ readonly request: ValidRequest; readonly inputTokens: number }, Exchange.Answered> =>
  Effect.gen(function* () {
    const models = exchange.state.config.models
    if (incoming.request.headers["anthropic-version"] === undefined) {
      yield* Exchange.refuse(exchange, ApiError.invalid("anthropic-version: header is required"))
    }
    if (incoming.unparsable) {
      yield* Exchange.refuse(
        exchange,
        ApiError.invalid("There was an error parsing the body of your request. Please make sure it is valid JSON.")
      )
    }
    const result = validate(incoming.request.body, models.accepts, countTokens)
    if (Either.isLeft(result)) return yield* Exchange.refuse(exchange, result.left)
    const request = result.right
    if (!countTokens) {
      yield* refuseIf(exchange, Preflight.prefill(models, request))
      yield* refuseIf(exchange, Preflight.maxTokens(request))
    }
    const body = incoming.request.body as Readonly<Record<string, unknown>>
    yield* refuseIf(exchange, Preflight.tools(body))
    yield* refuseIf(exchange, Preflight.content(body, request.model))
    const inputTokens = Completion.estimateTokens(request)
    exchange.record.inputTokens = inputTokens
    return { request, inputTokens }
  })

/** `POST /v1/messages/count_tokens`: `{ input_tokens }`. @internal */
export const countTokens: Exchange.Handler = (exchange, incoming) =>
  Effect.flatMap(validated(exchange, incoming, true), ({ inputTokens }) =>
    Exchange.json(exchange, 200, { input_tokens: inputTokens })
  )

/** `POST /v1/messages`: a message, as JSON or as an SSE stream. @internal */
export const create: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const { state, record } = exchange
    const { request, inputTokens } = yield* validated(exchange, incoming, false)
    yield* refuseIf(exchange, Preflight.contextWindow(state.config.models, request, inputTokens))

    // one chaos draw per request that gets this far, so seeds reproduce; a scripted fault takes precedence
    let shaping = incoming.shaping
    const chaos = yield* Chaos.draw(state, incoming.request)
    if (chaos !== undefined && shaping === undefined) shaping = yield* FaultInjection.strike(exchange, chaos, "chaos")

    // the reply stays queued unless the request is admitted
    const reply = State.peekReply(state, incoming.request)
    const message = Answer.make(state.config, request, inputTokens, exchange.n, reply)
    const admission = state.limiter.admit(incoming.key, inputTokens, message.usage.output_tokens)
    if (!admission.admitted) {
      const refused = RateLimit.rejection(state.limiter.limits, admission)
      record.fault = `rate-limit:${refused.limit}`
      record.faultSource = "rate-limit"
      return yield* Exchange.refuse(exchange, refused.error, { "retry-after": refused.retryAfter })
    }
    record.outputTokens = message.usage.output_tokens
    if (reply !== undefined) State.consumeReply(state, reply)

    if (shaping !== undefined) yield* FaultInjection.beforeAnswer(exchange, shaping, incoming.request.stream, message)
    return yield* incoming.request.stream
      ? Sse.stream(exchange, Sse.eventsOf(message, state.config.wordsPerDelta), shaping)
      : Exchange.json(exchange, 200, message)
  })
