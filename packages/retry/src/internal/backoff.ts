/** The schedule building blocks of a retry policy: backoffs, the ladder, the Retry-After floor, dispatch by tag. */
import { ClaudeError } from "@claude-resilience/errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import type * as RetrySchedules from "../RetrySchedules.js"

/** AWS "decorrelated jitter": sleep = min(cap, random_between(base, previous sleep * 3)). */
export const decorrelatedJitter = (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
}): Schedule.Schedule<Duration.Duration> => {
  const base = Duration.toMillis(options.base)
  const cap = Math.max(base, Duration.toMillis(options.cap))
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
  jitter: RetrySchedules.Jitter = "none"
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
