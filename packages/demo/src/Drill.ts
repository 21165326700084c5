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
 * An outage tied to the workload's progress, not to the clock: it begins as the workload starts
 * call number `ceil(startAt × requests) + 1` and lasts `duration`, during which every request is
 * answered 503. Both contenders meet it at the same call, however fast the machine is.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 *
 * const outage: Drill.Outage = { startAt: 0.25, duration: "5 seconds" }
 * ```
 */
export interface Outage {
  /** share of the workload's calls started before the outage begins, 0..1 */
  readonly startAt: number
  readonly duration: Duration.DurationInput
}

/**
 * A named chaos profile for the drill: per-request random faults and an optional outage.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 *
 * const quiet: Drill.Profile = { description: "no faults", chaos: { rates: {} }, outage: undefined }
 * ```
 */
export interface Profile {
  readonly description: string
  readonly chaos: FakeClaude.ChaosProfile
  readonly outage: Outage | undefined
}

/**
 * The per-request fault rates of the transient profiles (the bench uses them too). They contain
 * no plain 503, so every 503 the server sends in a drill is the outage's.
 *
 * @since 0.1.0
 * @category Profiles
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 *
 * console.log(Drill.transientRates["529"]) // 0.05
 * ```
 */
export const transientRates = FakeClaude.profiles.drill.rates

/**
 * The drill's profiles. `drill` (the default) has every transient fault and one outage.
 *
 * @since 0.1.0
 * @category Profiles
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 *
 * console.log(Drill.profiles.outage.description)
 * ```
 */
export const profiles: Readonly<Record<"drill" | "transient" | "outage" | "calm", Profile>> = {
  drill: {
    description:
      "429 with retry-after, 529, 500, HTML 502, resets, stream cuts and SSE overload on a few % of requests each, " +
      "plus a 3 s outage (every request answered 503) from the call at 25 % of the workload",
    chaos: { rates: transientRates, retryAfter: "1" },
    outage: { startAt: 0.25, duration: "3 seconds" }
  },
  transient: {
    description: "the drill's transient faults, no outage",
    chaos: { rates: transientRates, retryAfter: "1" },
    outage: undefined
  },
  outage: {
    description: "no random faults; a 5 s outage (every request answered 503) from the call at 25 % of the workload",
    chaos: { rates: {} },
    outage: { startAt: 0.25, duration: "5 seconds" }
  },
  calm: { description: "no faults at all", chaos: { rates: {} }, outage: undefined }
}

/**
 * The 0-based index of the call that starts the outage in a workload of `requests` calls.
 *
 * @since 0.1.0
 * @category Profiles
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 *
 * console.log(Drill.outageStartIndex({ startAt: 0.25, duration: "5 seconds" }, 120)) // 30
 * ```
 */
export const outageStartIndex = (outage: Outage, requests: number): number =>
  Math.max(0, Math.min(requests - 1, Math.ceil(outage.startAt * requests)))

/**
 * The name of one of the drill's {@link profiles}.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Drill } from "@claude-resilience/demo"
 *
 * const name: Drill.ProfileName = "outage"
 * ```
 */
export type ProfileName = keyof typeof profiles

/**
 * The drill's retry policy: the default Claude policy with a 40 s budget, and the long waits
 * (the 502 ladder's 30-120 s rungs, 529's 5 s base) shortened so the drill fits in a minute.
 * 503 gets more attempts so an outage shorter than the budget is waited out behind the breaker.
 *
 * @since 0.1.0
 * @category Policies
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 * import { Claude } from "@claude-resilience/client"
 * import { Redacted } from "effect"
 *
 * const layer = Claude.layer({ apiKey: Redacted.make("sk-ant-..."), retryPolicy: Drill.drillPolicy })
 * ```
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
 * @example
 * ```ts
 * import { Drill } from "@claude-resilience/demo"
 * import { Redacted } from "effect"
 *
 * const layer = Drill.toolkitLayer({ apiKey: Redacted.make("sk-ant-test-fake-key"), baseURL: "http://127.0.0.1:8080" })
 * ```
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
 * @example
 * ```ts
 * import type { Drill } from "@claude-resilience/demo"
 *
 * const options: Drill.Options = { requests: 120, concurrency: 12, seed: 1, profile: "drill", model: "claude-sonnet-5-5" }
 * ```
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

/** Starts the outage (once) as the workload starts call `index`. */
const beginningOutageAt = (caller: Workload.Caller, index: number, begin: Effect.Effect<void>): Workload.Caller => ({
  create: (i) => (i === index ? Effect.zipRight(begin, caller.create(i)) : caller.create(i)),
  stream: (i, onText) => (i === index ? Effect.zipRight(begin, caller.stream(i, onText)) : caller.stream(i, onText))
})

/** FakeClaude's label of the 503 answers the outage sends (the transient rates have no plain 503). */
const OUTAGE_FAULT = "status:503"

/**
 * Runs one contender against its own fresh FakeClaude (same seed, same profile, so both
 * contenders meet the same faults, and the outage begins at the same call of their run).
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Drill } from "@claude-resilience/demo"
 *
 * const report = Drill.runContender("toolkit", {
 *   requests: 8,
 *   concurrency: 4,
 *   seed: 1,
 *   profile: "calm",
 *   model: "claude-sonnet-4-6"
 * })
 * Effect.runPromise(report).then((r) => console.log(r.succeeded)) // 8
 * ```
 */
export const runContender = (contender: Workload.Contender, options: Options): Effect.Effect<Workload.Report> =>
  Effect.scoped(
    Effect.gen(function* () {
      const profile = profiles[options.profile]
      const fake = yield* FakeClaude.make({ seed: options.seed, chaos: profile.chaos })
      const scope = yield* Effect.scope
      const outage = profile.outage
      const outageIndex = outage === undefined ? undefined : outageStartIndex(outage, options.requests)
      // Every request is answered 503 from the outage's first call until `duration` has passed
      // (or the run ends, closing the scope); then the profile's own chaos is back.
      const begin =
        outage === undefined
          ? Effect.void
          : yield* Effect.once(
              Effect.zipRight(
                fake.setChaos({ rates: { "503": 1 } }),
                Effect.forkIn(Effect.zipRight(Effect.sleep(outage.duration), fake.setChaos(profile.chaos)), scope)
              )
            )
      const withOutage = (caller: Workload.Caller) =>
        outageIndex === undefined ? caller : beginningOutageAt(caller, outageIndex, begin)
      const tally = yield* Ref.make(Workload.emptyTally)
      const before = yield* Workload.toolkitCounters(options.model)
      const result =
        contender === "sdk"
          ? yield* withProgress(
              contender,
              tally,
              options,
              Workload.run(
                withOutage(Workload.sdkCaller({ apiKey: fake.apiKey, baseURL: fake.url }, options)),
                options,
                tally
              )
            )
          : yield* withProgress(
              contender,
              tally,
              options,
              Effect.flatMap(Claude.Claude, (claude) =>
                Workload.run(withOutage(Workload.toolkitCaller(claude, options, drillPolicy)), options, tally)
              ).pipe(Effect.provide(toolkitLayer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url })))
            )
      const after = yield* Workload.toolkitCounters(options.model)
      const stats = yield* fake.stats
      return Workload.report(contender, options, yield* Ref.get(tally), {
        wallMs: result.wallMs,
        attemptsSent: stats.byPath["/v1/messages"] ?? stats.total,
        breakerRejections: contender === "toolkit" ? after.rejections - before.rejections : 0,
        resumedStreams: result.resumedStreams,
        outage:
          outage === undefined || outageIndex === undefined
            ? undefined
            : {
                startCall: outageIndex + 1,
                durationMs: Duration.toMillis(Duration.decode(outage.duration)),
                refusedAttempts: stats.byFault[OUTAGE_FAULT] ?? 0
              }
      })
    })
  )

/**
 * The whole drill: the plain SDK, then claude-resilience.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Drill, Explanation } from "@claude-resilience/demo"
 *
 * const drill = Drill.run({ requests: 24, concurrency: 4, seed: 1, profile: "outage", model: "claude-sonnet-5-5" })
 * Effect.runPromise(drill).then((reports) => console.log(Explanation.make(reports)))
 * ```
 */
export const run = (options: Options): Effect.Effect<ReadonlyArray<Workload.Report>> =>
  Effect.all([runContender("sdk", options), runContender("toolkit", options)])

/**
 * A small workload against the real API through claude-resilience (default policy and
 * breaker), counting attempts from the client's own metrics.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Drill } from "@claude-resilience/demo"
 *
 * const live = Drill.runLive(Redacted.make("sk-ant-..."), { requests: 3, concurrency: 1, model: "claude-haiku-5-5" })
 * ```
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
