/** The Claude retry policy: the source article's numbers per error class, assembled from the building blocks. */
import { ClaudeError } from "@claude-resilience/errors"
import type * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type * as RetryPolicy from "../RetryPolicy.js"
import { byTag, decorrelatedJitter, exponentialBackoff, ladder, withRetryAfter } from "./backoff.js"
import { observe } from "./observe.js"

const backoff = (
  base: Duration.DurationInput,
  cap: Duration.DurationInput,
  maxAttempts: number
): RetryPolicy.TagPolicy => ({
  base,
  cap,
  factor: 2,
  maxAttempts
})

export const DEFAULT_MAX_ATTEMPTS = 8

const defaultFallback: RetryPolicy.TagPolicy = backoff("500 millis", "8 seconds", 3)

/** Tags absent here are never retried, unless the server sends `x-should-retry: true`. */
export const defaults: { readonly [K in ClaudeError.Tag]?: RetryPolicy.TagPolicy } = {
  RequestTimeoutError: backoff("500 millis", "8 seconds", 3),
  ConflictError: backoff("500 millis", "8 seconds", 3),
  RateLimitError: backoff("1 second", "60 seconds", 5),
  ApiError: backoff("500 millis", "8 seconds", 3),
  BadGatewayError: {
    ...backoff("3 seconds", "120 seconds", 6),
    ladder: ["3 seconds", "10 seconds", "30 seconds", "60 seconds", "120 seconds"]
  },
  ServiceUnavailableError: backoff("1 second", "30 seconds", 3),
  GatewayTimeoutError: backoff("1 second", "30 seconds", 3),
  OverloadedError: backoff("5 seconds", "60 seconds", 4),
  UnknownApiError: backoff("500 millis", "8 seconds", 3),
  ConnectionError: backoff("500 millis", "8 seconds", 3),
  TimeoutError: backoff("500 millis", "8 seconds", 3),
  // Cheap (no network): an open circuit is waited out (its retryAfter), a half-open one is
  // retried on a short backoff while its probe runs; the budget bounds both.
  CircuitOpenError: backoff("250 millis", "5 seconds", 10),
  // Our rate limiter could not admit the attempt within its wait budget (normally what is left of
  // the budget below): retried after its retryAfter only when that still fits the budget.
  QuotaExceededError: backoff("1 second", "60 seconds", 3)
}

const resolveTag = (
  base: RetryPolicy.TagPolicy | undefined,
  override: Partial<RetryPolicy.TagPolicy> | false | undefined
): RetryPolicy.TagPolicy | false | undefined => {
  if (override === false) return false
  if (override === undefined) return base
  return { ...(base ?? defaultFallback), ...override }
}

const delays = (policy: RetryPolicy.TagPolicy, jitter: RetryPolicy.Jitter): Schedule.Schedule<unknown> => {
  const mode = policy.jitter ?? jitter
  if (policy.ladder !== undefined) return ladder(policy.ladder, mode)
  if (mode === "decorrelated") return decorrelatedJitter(policy)
  return exponentialBackoff({ ...policy, jitter: mode })
}

const forTag = (
  policy: RetryPolicy.TagPolicy | false,
  jitter: RetryPolicy.Jitter,
  tag?: string
): Schedule.Schedule<unknown, unknown> => {
  if (policy === false) return Schedule.stop
  const retries = Schedule.recurs(Math.max(0, policy.maxAttempts - 1))
  // An open circuit is retried when it says when to come back (the wait is at least its
  // retryAfter); a half-open one while its probe runs; an isolated one never.
  if (tag === "CircuitOpenError") {
    return Schedule.intersect(delays(policy, jitter), retries).pipe(
      Schedule.whileInput(
        (error: unknown) =>
          ClaudeError.retryAfterOf(error) !== undefined ||
          (ClaudeError.isClaudeError(error) && error._tag === "CircuitOpenError" && error.state === "HalfOpen")
      )
    )
  }
  return Schedule.intersect(delays(policy, jitter), retries)
}

export const claude = (
  options: RetryPolicy.Options = {}
): Schedule.Schedule<RetryPolicy.Decision, ClaudeError.ClaudeError> => {
  const jitter = options.jitter ?? "decorrelated"
  const cases: Record<string, Schedule.Schedule<unknown, unknown>> = {}
  for (const tag of ClaudeError.tags) {
    const policy = resolveTag(defaults[tag], options.tags?.[tag])
    if (policy !== undefined) cases[tag] = forTag(policy, jitter, tag)
  }
  const fallback = resolveTag(defaultFallback, options.fallback)
  const dispatch = byTag<ClaudeError.ClaudeError>(cases, fallback === undefined ? undefined : forTag(fallback, jitter))
  return observe(withRetryAfter(dispatch), {
    budget: options.budget,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    while: ClaudeError.isRetryable
  })
}
