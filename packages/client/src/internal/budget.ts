/**
 * A call's retry budget, read from its schedule (`RetryPolicy.budgetOf`), also through the
 * schedules this package derives from a budgeted one (the 504 policy's `notOnGatewayTimeout`):
 * a derived schedule has no budget of its own, so the rate limiter asks the one it came from.
 */
import { RetryPolicy } from "@claude-resilience/retry"
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"

type Policy = Schedule.Schedule<unknown, never, unknown>

const origins = new WeakMap<object, Policy>()

/** Records that `derived` wraps `origin`, so that it has `origin`'s budget. */
export const derive = <S extends object>(origin: Policy, derived: S): S => {
  origins.set(derived, origins.get(origin) ?? origin)
  return derived
}

/** The budget of `schedule`, or of the schedule it was derived from; `undefined`: none. */
export const budgetOf = (schedule: Policy): Duration.Duration | undefined =>
  RetryPolicy.budgetOf(origins.get(schedule) ?? schedule)
