/**
 * The server's state in one object: its configuration (the options with their defaults), its clock, and
 * everything that changes while it runs — the scripted fault and reply queues, the chaos profile and
 * its PRNG, the rate-limit buckets, the record of requests, and the batches and files created. The server owns it; the request pipeline
 * and the service read and change it through the functions here and in the modules it is passed to.
 *
 * @internal
 */
import { BatchLimits, Limits } from "@claude-resilience/api"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { ChaosProfile, ModelOutage, Options, Outage } from "../FakeClaude.js"
import type * as Fault from "../Fault.js"
import type * as Reply from "../Reply.js"
import * as Completion from "./completion.js"
import * as Models from "./models.js"
import { RateLimiter } from "./rateLimit.js"
import type { MutableRecord } from "./record.js"
import type { BatchEntry, StoredFile } from "./resource.js"

/** @internal */
export const DEFAULT_API_KEY = "sk-ant-test-fake-key"

/** An outage with its bounds in server milliseconds since start. @internal */
export interface OutageWindow extends Outage {
  readonly fromMs: number
  readonly toMs: number
}

/** The options, resolved. @internal */
export interface Config {
  readonly port: number
  readonly seed: number
  readonly apiKey: string
  /** every accepted key: `apiKey` first (index 0), then the extra ones */
  readonly keys: ReadonlyArray<string>
  readonly models: Models.Models
  /** `Options.models`: the ids `GET /v1/models` lists (default: the `Model` table's) */
  readonly modelIds: ReadonlyArray<string> | undefined
  readonly completionChars: number
  readonly wordsPerDelta: number
  readonly eventDelayMs: number
  readonly continuationRepeatWords: number
  readonly alwaysUseTools: boolean
  readonly maxRecords: number
  /** a larger body is answered with 413 `request_too_large` */
  readonly maxRequestBytes: number
  readonly outages: ReadonlyArray<OutageWindow>
  readonly batches: BatchConfig
  readonly filesDownloadable: boolean
}

/** `Options.batches`, resolved. @internal */
export interface BatchConfig {
  /** server ms from creation to the end of processing */
  readonly processingMs: number
  readonly erroredRate: number
  readonly errorTypes: ReadonlyArray<string>
  readonly expiredRate: number
  readonly cutResultsRate: number
  readonly maxRequests: number
  readonly maxBytes: number
}

/** @internal */
export const config = (options: Options): Config => {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY
  return {
    port: options.port ?? 0,
    seed: options.seed ?? 0,
    apiKey,
    keys: [apiKey, ...(options.extraApiKeys ?? [])],
    models: Models.make(options),
    modelIds: options.models,
    completionChars: options.completionChars ?? Completion.DEFAULT_COMPLETION_CHARS,
    wordsPerDelta: Math.max(1, options.wordsPerDelta ?? 3),
    eventDelayMs: options.eventDelayMs ?? 0,
    continuationRepeatWords: Math.max(0, options.continuationRepeatWords ?? 0),
    alwaysUseTools: options.alwaysUseTools === true,
    maxRecords: Math.max(1, options.maxRecords ?? 10_000),
    maxRequestBytes: options.maxRequestBytes ?? Limits.requestBytes,
    outages: (options.outages ?? []).map((o) => ({
      ...o,
      fromMs: Duration.toMillis(o.from),
      toMs: Duration.toMillis(o.to)
    })),
    batches: {
      processingMs: Duration.toMillis(options.batches?.processingTime ?? 0),
      erroredRate: options.batches?.erroredRate ?? 0,
      errorTypes: options.batches?.errorTypes ?? ["overloaded_error", "api_error"],
      expiredRate: options.batches?.expiredRate ?? 0,
      cutResultsRate: options.batches?.cutResultsRate ?? 0,
      maxRequests: options.batches?.maxRequests ?? BatchLimits.maxRequests,
      maxBytes: options.batches?.maxBytes ?? BatchLimits.maxBytes
    },
    filesDownloadable: options.filesDownloadable === true
  }
}

/** The server's clock: real time for sockets and records, scaled time for outages and rate limits. @internal */
export interface Time {
  /** real ms since start */
  readonly elapsed: () => number
  /** server ms since start: real ms × `clockScale` */
  readonly now: () => number
  /** server time as epoch ms (the wall clock at start + server ms since start): timestamps in answers */
  readonly epoch: () => number
  /** real ms; nothing for 0 */
  readonly sleep: (millis: number) => Effect.Effect<void>
}

/** @internal */
export interface State {
  readonly config: Config
  readonly time: Time
  /** token buckets per key, reset by `reset` */
  readonly limiter: RateLimiter
  /** scripted faults, each consumed by the first request it matches */
  faults: ReadonlyArray<Fault.Fault>
  /** scripted replies, each consumed by the first request it matches that is answered normally */
  replies: ReadonlyArray<Reply.Reply>
  /** the random-fault profile (none: undefined) */
  chaos: ChaosProfile | undefined
  /** models taken down at run time (`setModelOutage`), by id or prefix pattern */
  readonly modelOutages: Map<string, ModelOutage>
  /** the chaos PRNG, seeded by `seed`, reseeded by `reset` */
  rng: Random.Random
  /** oldest first, at most `maxRecords` */
  records: Array<MutableRecord>
  /** requests so far: the n of each request's `request-id` and message ids */
  counter: number
  /** message batches by id, in creation order */
  batches: Map<string, BatchEntry>
  /** uploaded files by id, in upload order */
  files: Map<string, StoredFile>
  /** batches, files and batch items created so far: the n of their ids */
  created: number
}

/** @internal */
export const make = (options: Options): Effect.Effect<State> =>
  Effect.map(Effect.clock, (clock) => {
    const resolved = config(options)
    const scale = options.clockScale ?? 1
    const start = clock.unsafeCurrentTimeMillis()
    const elapsed = () => clock.unsafeCurrentTimeMillis() - start
    const now = () => elapsed() * scale
    return {
      config: resolved,
      time: {
        elapsed,
        now,
        epoch: () => start + now(),
        sleep: (millis) => (millis > 0 ? clock.sleep(Duration.millis(millis)) : Effect.void)
      },
      limiter: new RateLimiter(options.rateLimits ?? {}, now, () => clock.unsafeCurrentTimeMillis(), scale),
      faults: [],
      replies: [],
      chaos: options.chaos,
      modelOutages: new Map(),
      rng: Random.make(resolved.seed),
      records: [],
      counter: 0,
      batches: new Map(),
      files: new Map(),
      created: 0
    }
  })

/**
 * Clears the queues, records, rate-limit buckets, batches and files and reseeds the chaos PRNG (the
 * profile stays). @internal
 */
export const reset = (state: State): void => {
  state.faults = []
  state.replies = []
  state.records = []
  state.batches = new Map()
  state.files = new Map()
  state.limiter.reset()
  state.rng = Random.make(state.config.seed)
}

const matches =
  (request: Fault.RequestInfo) =>
  (scripted: { readonly match?: ((request: Fault.RequestInfo) => boolean) | undefined }): boolean =>
    scripted.match === undefined || scripted.match(request)

const without = <A>(queue: ReadonlyArray<A>, at: number): ReadonlyArray<A> => [
  ...queue.slice(0, at),
  ...queue.slice(at + 1)
]

/** Removes and returns the first scripted fault the request matches. @internal */
export const takeFault = (state: State, request: Fault.RequestInfo): Fault.Fault | undefined => {
  const at = state.faults.findIndex(matches(request))
  if (at < 0) return undefined
  const fault = state.faults[at]
  state.faults = without(state.faults, at)
  return fault
}

/** The first scripted reply the request matches, left queued until {@link consumeReply}. @internal */
export const peekReply = (state: State, request: Fault.RequestInfo): Reply.Reply | undefined =>
  state.replies.find(matches(request))

/** Removes a reply returned by {@link peekReply} (its first occurrence). @internal */
export const consumeReply = (state: State, reply: Reply.Reply): void => {
  const at = state.replies.indexOf(reply)
  if (at >= 0) state.replies = without(state.replies, at)
}
