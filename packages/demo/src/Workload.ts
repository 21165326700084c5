/**
 * The drill's workload: a mix of create and streaming calls at a set concurrency, run by
 * one contender (the plain SDK at its defaults, or claude-resilience), with a live tally.
 *
 * @since 0.1.0
 */
import Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Ref from "effect/Ref"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

/**
 * Who runs the workload.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const who: Workload.Contender = "toolkit"
 * ```
 */
export type Contender = "sdk" | "toolkit"

/**
 * The workload's shape.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const options: Workload.Options = { requests: 120, concurrency: 12, streamShare: 0.3, model: "claude-sonnet-5-5" }
 * ```
 */
export interface Options {
  readonly requests: number
  readonly concurrency: number
  /** share of streaming calls, 0..1 (default 0.3) */
  readonly streamShare?: number | undefined
  readonly model: string
  readonly maxTokens?: number | undefined
}

/**
 * A live tally, updated as calls finish.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const inFlight = (tally: Workload.Tally) => tally.started - tally.finished
 * ```
 */
export interface Tally {
  readonly started: number
  readonly finished: number
  readonly succeeded: number
  readonly failedByTag: Readonly<Record<string, number>>
  /** streamed text characters received by attempts that were then thrown away */
  readonly wastedChars: number
  readonly outputTokens: number
  /** streams that continued after a mid-stream failure */
  readonly resumed: number
}

/**
 * The tally before the first call.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { Workload } from "@claude-resilience/demo"
 *
 * const tally = Effect.runSync(Ref.make(Workload.emptyTally))
 * ```
 */
export const emptyTally: Tally = {
  started: 0,
  finished: 0,
  succeeded: 0,
  failedByTag: {},
  wastedChars: 0,
  outputTokens: 0,
  resumed: 0
}

/**
 * The result of one contender's run.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const lossRate = (report: Workload.Report) => report.failed / report.requests
 * ```
 */
export interface Report {
  readonly contender: Contender
  readonly requests: number
  readonly succeeded: number
  readonly failed: number
  readonly failedByTag: Readonly<Record<string, number>>
  /** HTTP attempts that reached the server (undefined when it cannot be seen) */
  readonly attemptsSent: number | undefined
  readonly retries: number | undefined
  readonly breakerRejections: number
  readonly resumedStreams: number
  /** output tokens (FakeClaude's estimate, chars / 4) received and then thrown away */
  readonly wastedOutputTokens: number
  readonly wallMs: number
  /** the profile's outage as this run met it, when the profile has one */
  readonly outage?: OutageReport | undefined
}

/**
 * An outage as one contender's run met it.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const outage: Workload.OutageReport = { startCall: 31, durationMs: 5000, refusedAttempts: 48 }
 * ```
 */
export interface OutageReport {
  /** the 1-based number of the call that began it */
  readonly startCall: number
  readonly durationMs: number
  /** attempts the server answered with the outage's 503 */
  readonly refusedAttempts: number
}

const prompt = (i: number) =>
  `Request ${i}: explain in a few paragraphs how a client should survive rate limits, overload and dropped streams.`

const params = (options: Options, i: number) => ({
  model: options.model,
  max_tokens: options.maxTokens ?? 400,
  messages: [{ role: "user" as const, content: prompt(i) }]
})

/** Deterministic mix: request i streams when its slot falls in the stream share. */
const isStream = (options: Options, i: number) => ((i * 37) % 100) / 100 < (options.streamShare ?? 0.3)

/**
 * What one call needs: run a create call, or a stream that reports its text as it goes.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const alwaysFine: Workload.Caller = {
 *   create: () => Effect.succeed({ outputTokens: 10 }),
 *   stream: () => Effect.succeed({ outputTokens: 10, resumed: 0 })
 * }
 * ```
 */
export interface Caller {
  readonly create: (i: number) => Effect.Effect<{ readonly outputTokens: number }, Failure>
  readonly stream: (
    i: number,
    onText: (chars: number) => void
  ) => Effect.Effect<{ readonly outputTokens: number; readonly resumed: number }, Failure>
}

/**
 * Any typed failure: a `ClaudeError`, or the resumable stream's `ResumeExhaustedError`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Workload } from "@claude-resilience/demo"
 *
 * const tagOf = (failure: Workload.Failure) => failure._tag
 * ```
 */
export interface Failure {
  readonly _tag: string
}

/**
 * The plain SDK at its defaults (2 retries with its own backoff), errors classified with
 * `ClaudeError.fromUnknown` for the report only.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Workload } from "@claude-resilience/demo"
 *
 * const caller = Workload.sdkCaller(
 *   { apiKey: "sk-ant-test-fake-key", baseURL: "http://127.0.0.1:8080" },
 *   { requests: 10, concurrency: 2, model: "claude-sonnet-5-5" }
 * )
 * ```
 */
export const sdkCaller = (
  config: { readonly apiKey: string; readonly baseURL?: string | undefined },
  options: Options
): Caller => {
  const sdk = new Anthropic({
    apiKey: config.apiKey,
    ...(config.baseURL !== undefined ? { baseURL: config.baseURL } : {})
  })
  const classify = (e: unknown, phase: ClaudeError.Phase) =>
    Effect.flatMap(ClaudeError.fromUnknown(e, { phase }), Effect.fail)
  return {
    create: (i) =>
      Effect.tryPromise({
        try: (signal) => sdk.messages.create(params(options, i), { signal }),
        catch: (e) => e
      }).pipe(
        Effect.map((m) => ({ outputTokens: m.usage.output_tokens })),
        Effect.catchAll((e) => classify(e, "request"))
      ),
    stream: (i, onText) =>
      Effect.tryPromise({
        try: async (signal) => {
          const stream = await sdk.messages.create({ ...params(options, i), stream: true }, { signal })
          let outputTokens = 0
          for await (const event of stream) {
            if (event.type === "content_block_delta" && event.delta.type === "text_delta")
              onText(event.delta.text.length)
            if (event.type === "message_delta") outputTokens = event.usage.output_tokens
          }
          return { outputTokens, resumed: 0 }
        },
        catch: (e) => e
      }).pipe(Effect.catchAll((e) => classify(e, "stream")))
  }
}

/**
 * claude-resilience: the `Claude` service (retry → breaker → timeout) for create calls,
 * and `ResumableStream` for streams, which continue after a mid-stream failure.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Claude } from "@claude-resilience/client"
 * import { Workload } from "@claude-resilience/demo"
 *
 * const caller = Effect.map(Claude.Claude, (claude) =>
 *   Workload.toolkitCaller(claude, { requests: 10, concurrency: 2, model: "claude-sonnet-5-5" })
 * )
 * ```
 */
export const toolkitCaller = (
  claude: Claude.Service,
  options: Options,
  schedule?: Schedule.Schedule<unknown, ClaudeError.ClaudeError>
): Caller => ({
  create: (i) =>
    Effect.map(claude.messages.create(params(options, i)), (m) => ({ outputTokens: m.usage.output_tokens })),
  stream: (i, onText) =>
    ResumableStream.events(params(options, i), schedule !== undefined ? { schedule } : {}).pipe(
      Stream.runFold({ outputTokens: 0, resumed: 0 }, (acc, event) => {
        if (ResumableStream.isResumption(event)) return { ...acc, resumed: acc.resumed + 1 }
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") onText(event.delta.text.length)
        return event.type === "message_delta" ? { ...acc, outputTokens: event.usage.output_tokens } : acc
      }),
      Effect.provideService(Claude.Claude, claude)
    )
})

/**
 * Runs the workload with a caller, updating `tally` as calls finish. Every call ends in a
 * success or a typed failure; nothing is lost.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { Workload } from "@claude-resilience/demo"
 *
 * const options = { requests: 10, concurrency: 2, model: "claude-sonnet-5-5" }
 * const caller = Workload.sdkCaller({ apiKey: "sk-ant-test-fake-key", baseURL: "http://127.0.0.1:8080" }, options)
 * const wallMs = Effect.flatMap(Ref.make(Workload.emptyTally), (tally) =>
 *   Effect.map(Workload.run(caller, options, tally), (r) => r.wallMs)
 * )
 * ```
 */
export const run = (
  caller: Caller,
  options: Options,
  tally: Ref.Ref<Tally>
): Effect.Effect<{ readonly wallMs: number; readonly resumedStreams: number }> =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    yield* Effect.forEach(
      Array.from({ length: options.requests }, (_, i) => i),
      (i) => {
        let received = 0
        const onText = (chars: number) => {
          received += chars
        }
        const call: Effect.Effect<{ readonly outputTokens: number; readonly resumed?: number }, Failure> = isStream(
          options,
          i
        )
          ? caller.stream(i, onText)
          : caller.create(i)
        return Ref.update(tally, (t) => ({ ...t, started: t.started + 1 })).pipe(
          Effect.zipRight(Effect.either(call)),
          Effect.flatMap((result) =>
            Ref.update(tally, (t) =>
              result._tag === "Right"
                ? {
                    ...t,
                    finished: t.finished + 1,
                    succeeded: t.succeeded + 1,
                    outputTokens: t.outputTokens + result.right.outputTokens,
                    resumed: t.resumed + ((result.right.resumed ?? 0) > 0 ? 1 : 0)
                  }
                : {
                    ...t,
                    finished: t.finished + 1,
                    wastedChars: t.wastedChars + received,
                    failedByTag: { ...t.failedByTag, [result.left._tag]: (t.failedByTag[result.left._tag] ?? 0) + 1 }
                  }
            )
          )
        )
      },
      { concurrency: options.concurrency, discard: true }
    )
    const end = yield* Clock.currentTimeMillis
    return { wallMs: end - start, resumedStreams: (yield* Ref.get(tally)).resumed }
  })

/**
 * Counts of the toolkit's own metrics, read before and after a run to get its share.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Workload } from "@claude-resilience/demo"
 *
 * const rejections = Effect.map(Workload.toolkitCounters("claude-sonnet-5-5"), (c) => c.rejections)
 * ```
 */
export const toolkitCounters = (model: string) =>
  Effect.all({
    rejections: Effect.map(
      Effect.forEach(["Open", "HalfOpen", "Isolated"], (state) =>
        Metric.value(
          Metric.taggedWithLabels(CircuitBreaker.metrics.rejections, [
            MetricLabel.make("key", model),
            MetricLabel.make("state", state)
          ])
        )
      ),
      (states) => states.reduce((sum, s) => sum + s.count, 0)
    ),
    attempts: Effect.map(Metric.value(Claude.metrics.attempts), (s) => s.count)
  })

/**
 * Builds a {@link Report} from a finished tally.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Workload } from "@claude-resilience/demo"
 *
 * const report = Workload.report(
 *   "sdk",
 *   { requests: 1, concurrency: 1, model: "claude-sonnet-5-5" },
 *   { ...Workload.emptyTally, started: 1, finished: 1, succeeded: 1 },
 *   { wallMs: 300, attemptsSent: 1, breakerRejections: 0, resumedStreams: 0 }
 * )
 * ```
 */
export const report = (
  contender: Contender,
  options: Options,
  tally: Tally,
  extra: {
    readonly wallMs: number
    readonly attemptsSent: number | undefined
    readonly breakerRejections: number
    readonly resumedStreams: number
    readonly outage?: OutageReport | undefined
  }
): Report => {
  const failed = Object.values(tally.failedByTag).reduce((a, b) => a + b, 0)
  return {
    contender,
    requests: options.requests,
    succeeded: tally.succeeded,
    failed,
    failedByTag: tally.failedByTag,
    attemptsSent: extra.attemptsSent,
    retries: extra.attemptsSent === undefined ? undefined : Math.max(0, extra.attemptsSent - options.requests),
    breakerRejections: extra.breakerRejections,
    resumedStreams: extra.resumedStreams,
    wastedOutputTokens: Math.ceil(tally.wastedChars / 4),
    wallMs: extra.wallMs,
    ...(extra.outage !== undefined ? { outage: extra.outage } : {})
  }
}
