/**
 * The chaos drill: FakeClaude in-process with a chaos profile, the workload run once with
 * the plain SDK and once with claude-resilience, and a side-by-side report.
 *
 * @since 0.1.0
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Workload from "./Workload.js"

/**
 * A named chaos profile for the drill.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Profile {
  readonly description: string
  readonly chaos: FakeClaude.ChaosProfile
  readonly outages: ReadonlyArray<FakeClaude.Outage>
}

/**
 * The per-request fault rates of the transient profiles (the bench uses them too).
 *
 * @since 0.1.0
 * @category Profiles
 */
export const transientRates = FakeClaude.profiles.drill.rates

/**
 * The drill's profiles. `drill` (the default) has every transient fault and one outage window.
 *
 * @since 0.1.0
 * @category Profiles
 */
export const profiles: Readonly<Record<"drill" | "transient" | "outage" | "calm", Profile>> = {
  drill: {
    description:
      "429 with retry-after, 529, 500, HTML 502, resets, stream cuts, SSE overload, and a 3 s outage (503) from 1 s",
    chaos: { rates: transientRates, retryAfter: "1" },
    outages: [{ from: "1 second", to: "4 seconds", status: 503 }]
  },
  transient: {
    description: "only transient faults, no outage",
    chaos: { rates: transientRates, retryAfter: "1" },
    outages: []
  },
  outage: {
    description: "no random faults; every request fails with 503 between 2 s and 7 s",
    chaos: { rates: {} },
    outages: [{ from: "2 seconds", to: "7 seconds", status: 503 }]
  },
  calm: { description: "no faults at all", chaos: { rates: {} }, outages: [] }
}

/**
 * @since 0.1.0
 * @category Models
 */
export type ProfileName = keyof typeof profiles

/**
 * The drill's retry policy: the default Claude policy with a 40 s budget, and the long waits
 * (the 502 ladder's 30-120 s rungs, 529's 5 s base) shortened so the drill fits in a minute.
 * 503 gets more attempts so an outage shorter than the budget is waited out behind the breaker.
 *
 * @since 0.1.0
 * @category Policies
 */
export const drillPolicy = RetryPolicy.claude({
  budget: "40 seconds",
  maxAttempts: 12,
  tags: {
    OverloadedError: { base: "1 second", cap: "8 seconds", maxAttempts: 6 },
    BadGatewayError: { ladder: ["1 second", "3 seconds", "10 seconds"] },
    ServiceUnavailableError: { maxAttempts: 10 },
    ApiError: { maxAttempts: 5 },
    ConnectionError: { maxAttempts: 5 }
  }
})

/**
 * claude-resilience as the drill configures it: the resilient client with {@link drillPolicy}
 * and a breaker that opens after 5 consecutive server failures for 1 s.
 *
 * @since 0.1.0
 * @category Layers
 */
export const toolkitLayer = (config: { readonly apiKey: Redacted.Redacted<string>; readonly baseURL?: string }) =>
  Claude.layer({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    attemptTimeout: "30 seconds",
    retryPolicy: drillPolicy,
    circuitBreaker: { trip: CircuitBreaker.consecutiveFailures(5), openDuration: Duration.seconds(1) }
  }).pipe(Layer.orDie) // a malformed key ends the drill with preflight's message (never the key)

/**
 * The drill's options.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends Workload.Options {
  readonly seed: number
  readonly profile: ProfileName
  /** called with a progress line at most every 200 ms, and with `done` when a run ends */
  readonly onProgress?: ((contender: Workload.Contender, tally: Workload.Tally, done: boolean) => void) | undefined
}

const withProgress = <A, E, R>(
  contender: Workload.Contender,
  tally: Ref.Ref<Workload.Tally>,
  options: Options,
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const onProgress = options.onProgress
  if (onProgress === undefined) return self
  const tick = Effect.flatMap(Ref.get(tally), (t) => Effect.sync(() => onProgress(contender, t, false)))
  return Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.repeat(tick, Schedule.spaced("200 millis")))
    const result = yield* self
    yield* Fiber.interrupt(fiber)
    const last = yield* Ref.get(tally)
    onProgress(contender, last, true)
    return result
  })
}

/**
 * Runs one contender against its own fresh FakeClaude (same seed, same profile, so both
 * contenders meet the same faults and the outage starts with their run).
 *
 * @since 0.1.0
 * @category Running
 */
export const runContender = (contender: Workload.Contender, options: Options): Effect.Effect<Workload.Report> =>
  Effect.scoped(
    Effect.gen(function* () {
      const profile = profiles[options.profile]
      const fake = yield* FakeClaude.make({ seed: options.seed, chaos: profile.chaos, outages: profile.outages })
      const tally = yield* Ref.make(Workload.emptyTally)
      const before = yield* Workload.toolkitCounters(options.model)
      const result =
        contender === "sdk"
          ? yield* withProgress(
              contender,
              tally,
              options,
              Workload.run(Workload.sdkCaller({ apiKey: fake.apiKey, baseURL: fake.url }, options), options, tally)
            )
          : yield* withProgress(
              contender,
              tally,
              options,
              Effect.flatMap(Claude.Claude, (claude) =>
                Workload.run(Workload.toolkitCaller(claude, options, drillPolicy), options, tally)
              ).pipe(Effect.provide(toolkitLayer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url })))
            )
      const after = yield* Workload.toolkitCounters(options.model)
      const stats = yield* fake.stats
      return Workload.report(contender, options, yield* Ref.get(tally), {
        wallMs: result.wallMs,
        attemptsSent: stats.byPath["/v1/messages"] ?? stats.total,
        breakerRejections: contender === "toolkit" ? after.rejections - before.rejections : 0,
        resumedStreams: result.resumedStreams
      })
    })
  )

/**
 * The whole drill: the plain SDK, then claude-resilience.
 *
 * @since 0.1.0
 * @category Running
 */
export const run = (options: Options): Effect.Effect<ReadonlyArray<Workload.Report>> =>
  Effect.all([runContender("sdk", options), runContender("toolkit", options)])

/**
 * A small workload against the real API through claude-resilience (default policy and
 * breaker), counting attempts from the client's own metrics.
 *
 * @since 0.1.0
 * @category Running
 */
export const runLive = (
  apiKey: Redacted.Redacted<string>,
  options: Omit<Options, "seed" | "profile"> & { readonly baseURL?: string | undefined }
): Effect.Effect<Workload.Report> =>
  Effect.gen(function* () {
    const tally = yield* Ref.make(Workload.emptyTally)
    const before = yield* Workload.toolkitCounters(options.model)
    const result = yield* withProgress(
      "toolkit",
      tally,
      { ...options, seed: 0, profile: "calm" },
      Effect.flatMap(Claude.Claude, (claude) => Workload.run(Workload.toolkitCaller(claude, options), options, tally))
    ).pipe(Effect.provide(Claude.layer({ apiKey, baseURL: options.baseURL }).pipe(Layer.orDie)))
    const after = yield* Workload.toolkitCounters(options.model)
    return Workload.report("toolkit", options, yield* Ref.get(tally), {
      wallMs: result.wallMs,
      attemptsSent: after.attempts - before.attempts,
      breakerRejections: after.rejections - before.rejections,
      resumedStreams: result.resumedStreams
    })
  })
