import { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import * as Intervals from "effect/ScheduleIntervals"

export type Jitter = "decorrelated" | "full" | "none"

export interface TagPolicy {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
  readonly factor: number
  readonly maxAttempts: number
  readonly ladder?: ReadonlyArray<Duration.DurationInput> | undefined
  readonly jitter?: Jitter | undefined
}

export interface Options {
  readonly maxAttempts?: number | undefined
  readonly budget?: Duration.DurationInput | undefined
  readonly jitter?: Jitter | undefined
  readonly tags?: { readonly [K in ClaudeError.Tag]?: Partial<TagPolicy> | false } | undefined
  readonly fallback?: Partial<TagPolicy> | false | undefined
}

export interface Decision {
  readonly attempt: number
  readonly tag: string
  readonly delay: Duration.Duration
  readonly retryAfter: Duration.Duration | undefined
  readonly requestId: string | undefined
  readonly elapsed: Duration.Duration
  readonly budgetLeft: Duration.Duration | undefined
}

export type GiveUpReason = "not-retryable" | "max-attempts" | "exhausted" | "budget"

// ---------------------------------------------------------------------------
// Defaults: the source article's table, with numbers of our own where it has none
// ---------------------------------------------------------------------------

const backoff = (base: Duration.DurationInput, cap: Duration.DurationInput, maxAttempts: number): TagPolicy => ({
  base,
  cap,
  factor: 2,
  maxAttempts
})

export const DEFAULT_MAX_ATTEMPTS = 8

export const defaultFallback: TagPolicy = backoff("500 millis", "8 seconds", 3)

/** Tags absent here are never retried, unless the server sends `x-should-retry: true`. */
export const defaults: { readonly [K in ClaudeError.Tag]?: TagPolicy } = {
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
  CircuitOpenError: backoff("250 millis", "5 seconds", 10)
}

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

const millisOf = (d: Duration.DurationInput): number => Duration.toMillis(Duration.decode(d))

/** AWS "decorrelated jitter": sleep = min(cap, random_between(base, previous sleep * 3)). */
export const decorrelatedJitter = (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
}): Schedule.Schedule<Duration.Duration> => {
  const base = millisOf(options.base)
  const cap = Math.max(base, millisOf(options.cap))
  return Schedule.makeWithState<number, unknown, Duration.Duration>(base, (now, _, previous) =>
    Effect.map(Random.nextRange(base, Math.max(base, previous * 3)), (random) => {
      const sleep = Math.min(cap, Math.round(random))
      return [sleep, Duration.millis(sleep), ScheduleDecision.continueWith(Interval.after(now + sleep))] as const
    })
  )
}

/** Exponential backoff capped at `cap`, optionally with "full jitter": random_between(0, delay). */
export const exponentialBackoff = (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
  readonly factor?: number | undefined
  readonly jitter?: "full" | "none" | undefined
}): Schedule.Schedule<Duration.Duration> => {
  const cap = Duration.decode(options.cap)
  const capped = Schedule.exponential(options.base, options.factor ?? 2).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap))
  )
  return options.jitter === "full"
    ? Schedule.modifyDelayEffect(capped, (_, delay) =>
        Effect.map(Random.nextRange(0, Duration.toMillis(delay)), (millis) => Duration.millis(Math.round(millis)))
      )
    : capped
}

/** Fixed delays, stopping after the last; jitter only ever lengthens a rung (by up to 20%). */
export const ladder = (
  delays: ReadonlyArray<Duration.DurationInput>,
  jitter: Jitter = "none"
): Schedule.Schedule<Duration.Duration> => {
  const [first, ...rest] = delays
  if (first === undefined) return Schedule.map(Schedule.stop, () => Duration.zero)
  const fixed = Schedule.fromDelays(first, ...rest)
  if (jitter === "none") return fixed
  return Schedule.modifyDelayEffect(fixed, (_, delay) => {
    const millis = Duration.toMillis(delay)
    return Effect.map(Random.nextRange(millis, millis * 1.2), (m) => Duration.millis(Math.round(m)))
  })
}

export const tagOf = (error: unknown): string =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : "Unknown"

const requestIdOf = (error: unknown): string | undefined =>
  Predicate.hasProperty(error, "requestId") && typeof error.requestId === "string" ? error.requestId : undefined

export const withRetryAfter = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  // Intersection continues after the later of the two delays, so the floor can only lengthen a wait.
  Schedule.intersect(
    self,
    Schedule.addDelay(Schedule.identity<In>(), (error) => ClaudeError.retryAfterOf(error) ?? Duration.zero)
  ).pipe(Schedule.map(([out]) => out))

export const byTag = <E extends { readonly _tag: string }>(
  cases: { readonly [K in E["_tag"]]?: Schedule.Schedule<unknown, Extract<E, { readonly _tag: K }>> },
  fallback?: Schedule.Schedule<unknown, E>
): Schedule.Schedule<E, E> =>
  Schedule.makeWithState<Readonly<Record<string, unknown>>, E, E>({}, (now, input, states) => {
    const schedule = (cases[input._tag as E["_tag"]] ?? fallback) as Schedule.Schedule<unknown, E> | undefined
    if (schedule === undefined) return Effect.succeed([states, input, ScheduleDecision.done] as const)
    const state = Object.hasOwn(states, input._tag) ? states[input._tag] : schedule.initial
    return Effect.map(
      schedule.step(now, input, state),
      ([next, , decision]) => [{ ...states, [input._tag]: next }, input, decision] as const
    )
  })

// ---------------------------------------------------------------------------
// Observability
// ---------------------------------------------------------------------------

export const retriesTotal = Metric.counter("claude_retries_total", {
  description: "Retries scheduled by the retry policy, by error tag",
  incremental: true
})

export const giveUpsTotal = Metric.counter("claude_retry_give_ups_total", {
  description: "Failures the retry policy did not retry, by error tag and reason",
  incremental: true
})

export const retryDelay = Metric.histogram(
  "claude_retry_delay_ms",
  MetricBoundaries.exponential({ start: 10, factor: 2, count: 16 }),
  "Delay before each retry, in milliseconds"
)

const logRetry = (decision: Decision): Effect.Effect<void> =>
  Effect.logInfo("retrying Claude call").pipe(
    Effect.annotateLogs({
      tag: decision.tag,
      attempt: decision.attempt,
      delayMs: Duration.toMillis(decision.delay),
      requestId: decision.requestId ?? "",
      budgetLeftMs: decision.budgetLeft === undefined ? "unbounded" : Duration.toMillis(decision.budgetLeft)
    }),
    Effect.zipRight(Metric.increment(Metric.tagged(retriesTotal, "tag", decision.tag))),
    Effect.zipRight(Metric.update(Metric.tagged(retryDelay, "tag", decision.tag), Duration.toMillis(decision.delay)))
  )

const logGiveUp = (error: unknown, attempt: number, reason: GiveUpReason): Effect.Effect<void> => {
  const tag = tagOf(error)
  const log = reason === "not-retryable" ? Effect.logDebug : Effect.logInfo
  return log("not retrying Claude call").pipe(
    Effect.annotateLogs({ tag, attempt, reason, requestId: requestIdOf(error) ?? "" }),
    Effect.zipRight(Metric.increment(Metric.tagged(Metric.tagged(giveUpsTotal, "tag", tag), "reason", reason)))
  )
}

interface ObserveState {
  readonly inner: unknown
  readonly start: number | undefined
  readonly attempt: number
}

export const observe = <E, R>(
  self: Schedule.Schedule<unknown, E, R>,
  options: {
    readonly budget?: Duration.DurationInput | undefined
    readonly maxAttempts?: number | undefined
    readonly while?: ((error: E) => boolean) | undefined
  } = {}
): Schedule.Schedule<Decision, E, R> => {
  const budget = options.budget === undefined ? undefined : millisOf(options.budget)
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
  const predicate = options.while
  return Schedule.makeWithState<ObserveState, E, Decision, R>(
    { inner: self.initial, start: undefined, attempt: 0 },
    (now, error, state) => {
      const start = state.start ?? now
      const attempt = state.attempt + 1
      const elapsed = now - start
      const decision: Decision = {
        attempt,
        tag: tagOf(error),
        delay: Duration.zero,
        retryAfter: ClaudeError.retryAfterOf(error),
        requestId: requestIdOf(error),
        elapsed: Duration.millis(elapsed),
        budgetLeft: budget === undefined ? undefined : Duration.millis(Math.max(0, budget - elapsed))
      }
      const stop = (reason: GiveUpReason, inner: unknown) =>
        Effect.as(logGiveUp(error, attempt, reason), [
          { inner, start, attempt },
          decision,
          ScheduleDecision.done
        ] as const)
      if (predicate !== undefined && !predicate(error)) return stop("not-retryable", state.inner)
      if (attempt >= maxAttempts) return stop("max-attempts", state.inner)
      return Effect.flatMap(self.step(now, error, state.inner), ([inner, , next]) => {
        if (ScheduleDecision.isDone(next)) return stop("exhausted", inner)
        const delay = Math.max(0, Intervals.start(next.intervals) - now)
        if (budget !== undefined && elapsed + delay > budget) return stop("budget", inner)
        const out: Decision = {
          ...decision,
          delay: Duration.millis(delay),
          budgetLeft: budget === undefined ? undefined : Duration.millis(budget - elapsed - delay)
        }
        return Effect.as(logRetry(out), [{ inner, start, attempt }, out, next] as const)
      })
    }
  )
}

// ---------------------------------------------------------------------------
// The Claude policy
// ---------------------------------------------------------------------------

const resolveTag = (
  base: TagPolicy | undefined,
  override: Partial<TagPolicy> | false | undefined
): TagPolicy | false | undefined => {
  if (override === false) return false
  if (override === undefined) return base
  return { ...(base ?? defaultFallback), ...override }
}

const delays = (policy: TagPolicy, jitter: Jitter): Schedule.Schedule<unknown> => {
  const mode = policy.jitter ?? jitter
  if (policy.ladder !== undefined) return ladder(policy.ladder, mode)
  if (mode === "decorrelated") return decorrelatedJitter(policy)
  return exponentialBackoff({ ...policy, jitter: mode })
}

const forTag = (policy: TagPolicy | false, jitter: Jitter, tag?: string): Schedule.Schedule<unknown, unknown> => {
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

export const claude = (options: Options = {}): Schedule.Schedule<Decision, ClaudeError.ClaudeError> => {
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
