/**
 * The rate limiter's stage of an attempt (`@claude-resilience/rate-limit`'s `Quota`): between the
 * retry and the circuit breaker, every attempt of a Messages call — a first try, a retry, a stream
 * connection, a resumed stream — is admitted against the three buckets of its limit key before it
 * is sent, and its tokens are reconciled with what the API reports.
 *
 * - The key: a fingerprint of the configured API key and the model's rate-limit class.
 * - The need: one request, the input tokens estimated locally (`Tokens.estimate`, once per call)
 *   and an output reservation of `max_tokens` (or the limiter's learned estimate).
 * - The wait: FIFO per key, in the call's priority lane, no longer than what is left of the call's
 *   retry budget (when its schedule has one), else the limiter's own `maxWait`.
 * - After a reply: the permit is settled with the real usage, then the response's
 *   `anthropic-ratelimit-*` headers are observed (settling first, so the unused reservation does
 *   not land on top of a level the server already reported).
 * - After a failure: the error's rate-limit snapshot is observed (a 429 pauses the key for its
 *   `retry-after`); an attempt that never counted at the API (a breaker rejection, a refused
 *   connection, a 429) gets everything back, any other keeps its request and input tokens.
 */
import { Tokens } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import { LimitKey, type Quota } from "@claude-resilience/rate-limit"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Claude from "../Claude.js"
import { budgetOf } from "./budget.js"
import type { CallContext } from "./call.js"

/** Called by the transport with a successful response's headers, before its body is read. */
export type OnResponse = (headers: Headers) => void

/** One attempt's request, under the response observer of that attempt. */
export type Send<A> = (onResponse: OnResponse | undefined) => Effect.Effect<A, ClaudeError.ClaudeError>

/** A per-attempt stage around {@link Send}: the limiter for `create` and for stream connections. */
export type Stage<A, R> = (send: Send<A>) => Effect.Effect<A, ClaudeError.ClaudeError, R>

/** What one call asks of the limiter, computed once per call. */
export interface Limit {
  readonly quota: Quota.Service
  readonly key: LimitKey.LimitKey
  readonly inputTokens: number
  readonly maxTokens: number
  readonly priority: Quota.Priority | undefined
  /** the call's retry budget in ms, if its schedule has one */
  readonly budget: number | undefined
  readonly startedAt: number
}

/** What a Messages request carries that the limiter reads. */
export interface LimitedParams extends Tokens.Request {
  readonly model: string
  readonly max_tokens: number
}

/** The call's limit, or `undefined` when the client has no limiter. */
export const limitFor = (
  context: CallContext,
  params: LimitedParams,
  call: Claude.CallOptions | undefined,
  schedule: Schedule.Schedule<unknown, ClaudeError.ClaudeError>,
  startedAt: number
): Limit | undefined => {
  const quota = context.quota
  if (quota === undefined) return undefined
  const budget = budgetOf(schedule)
  return {
    quota,
    key: LimitKey.make(context.options.apiKey, params.model),
    inputTokens: Tokens.estimate(params),
    maxTokens: params.max_tokens,
    priority: call?.priority,
    budget: budget === undefined ? undefined : Duration.toMillis(budget),
    startedAt
  }
}

/** The attempt's request to the limiter: its wait bounded by what is left of the call's budget. */
const requestOf = (limit: Limit, now: number): Quota.Request => ({
  key: limit.key,
  inputTokens: limit.inputTokens,
  outputTokens: limit.quota.reservation(limit.key, limit.maxTokens),
  priority: limit.priority,
  maxWait: limit.budget === undefined ? undefined : Math.max(0, limit.budget - (now - limit.startedAt))
})

/** Whether the API never counted the attempt: it was not sent, or it was refused by the rate limit. */
const uncounted = (e: ClaudeError.ClaudeError): boolean =>
  e._tag === "CircuitOpenError" ||
  e._tag === "RateLimitError" ||
  (e._tag === "ConnectionError" && (e.reason === "refused" || e.reason === "dns"))

/** Closes a failed attempt's permit, then learns from the failure (a 429 pauses the key). */
const failed = (limit: Limit, permit: Quota.Permit, e: ClaudeError.ClaudeError): Effect.Effect<void> =>
  Effect.zipRight(
    uncounted(e) ? permit.refund : permit.settle({ outputTokens: 0 }),
    limit.quota.observeError(limit.key, e)
  )

/** A response seen by the transport, kept until the attempt's outcome is known. */
interface Seen {
  headers: Headers | undefined
}

const observer = (): { readonly seen: Seen; readonly onResponse: OnResponse } => {
  const seen: Seen = { headers: undefined }
  return { seen, onResponse: (headers) => (seen.headers = headers) }
}

const observeSeen = (limit: Limit, seen: Seen): Effect.Effect<void> =>
  seen.headers === undefined ? Effect.void : limit.quota.observe(limit.key, seen.headers)

/** The time an admitted attempt waited, on its span (only when it waited: the fast path stays cheap). */
const annotateWait = (permit: Quota.Permit): Effect.Effect<void> =>
  Duration.toMillis(permit.waited) > 0
    ? Effect.annotateCurrentSpan("claude.quota.waited_ms", Duration.toMillis(permit.waited))
    : Effect.void

/** Cache writes, which the boundary does not check: a non-negative number, else 0. */
const cacheWrites = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0)

/** What a message's usage charged: input (cache writes count, cache reads do not) and output. */
export const usageOf = (usage: {
  readonly input_tokens: number
  readonly output_tokens: number
  readonly cache_creation_input_tokens?: number | null | undefined
}): Quota.Usage => ({
  inputTokens: usage.input_tokens + cacheWrites(usage.cache_creation_input_tokens),
  outputTokens: usage.output_tokens
})

/** The limiter around one `create` attempt: admitted, sent, settled with the reply's usage. */
export const create =
  <A extends { readonly usage: Parameters<typeof usageOf>[0] }>(limit: Limit): Stage<A, never> =>
  (send) =>
    Effect.clockWith((clock) =>
      limit.quota.withPermit(requestOf(limit, clock.unsafeCurrentTimeMillis()), (permit) => {
        const { onResponse, seen } = observer()
        return Effect.zipRight(annotateWait(permit), send(onResponse)).pipe(
          Effect.tap((message) => Effect.zipRight(permit.settle(usageOf(message.usage)), observeSeen(limit, seen))),
          Effect.tapError((e) => Effect.zipRight(failed(limit, permit, e), observeSeen(limit, seen)))
        )
      })
    )

/**
 * The limiter around one stream connection attempt: admitted in the stream's scope; the
 * connection's headers observed as soon as it is open; a failed connection's permit closed at
 * once. The open permit of the connection that succeeded is left in `held`, for the stream to
 * settle when its usage is known (the scope closes it otherwise).
 */
export const connect =
  <A>(limit: Limit, held: { permit: Quota.Permit | undefined }): Stage<A, Scope.Scope> =>
  (send) =>
    Effect.clockWith((clock) =>
      Effect.flatMap(limit.quota.admit(requestOf(limit, clock.unsafeCurrentTimeMillis())), (permit) => {
        const { onResponse, seen } = observer()
        return Effect.zipRight(annotateWait(permit), send(onResponse)).pipe(
          Effect.tap(() => {
            held.permit = permit
            return observeSeen(limit, seen)
          }),
          Effect.tapError((e) => failed(limit, permit, e))
        )
      })
    )
