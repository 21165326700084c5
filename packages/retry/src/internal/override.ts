/** The per-call override of the retry policy: a FiberRef that `withPolicy` sets and clients read per call. */
import type { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as RetryPolicy from "../RetryPolicy.js"
import { claude } from "./policy.js"

type Policy = Schedule.Schedule<unknown, ClaudeError.ClaudeError>

/** Options build the Claude policy; a schedule is taken as it is. */
export const toSchedule = (options: RetryPolicy.Options | Policy | undefined): Policy =>
  options !== undefined && Schedule.isSchedule(options) ? options : claude(options)

export const defaultSchedule: Policy = globalValue(Symbol.for("@claude-resilience/retry/RetryPolicy/default"), () =>
  claude()
)

export const currentOverride: FiberRef.FiberRef<Option.Option<Policy>> = globalValue(
  Symbol.for("@claude-resilience/retry/RetryPolicy/currentOverride"),
  () => FiberRef.unsafeMake<Option.Option<Policy>>(Option.none())
)

export const withPolicy = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  policy: RetryPolicy.Options | Policy
): Effect.Effect<A, E, R> => Effect.locally(self, currentOverride, Option.some(toSchedule(policy)))

export const resolve = (fallback: Policy): Effect.Effect<Policy> =>
  Effect.map(
    FiberRef.get(currentOverride),
    Option.getOrElse(() => fallback)
  )
