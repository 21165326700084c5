/**
 * FakeClaude: a real HTTP + SSE fake of the Claude API on 127.0.0.1 — Messages, Message Batches, Files
 * and Models — with scripted and seeded random faults, outage windows, enforced rate limits and a
 * record of every request.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Fault from "./Fault.js"
import type * as Reply from "./Reply.js"
import * as chaos from "./internal/chaos.js"
import * as completion from "./internal/completion.js"
import * as models from "./internal/models.js"
import * as server from "./internal/server.js"
import * as state from "./internal/state.js"

/**
 * Random faults: per-fault probabilities drawn from a PRNG seeded by `Options.seed`, one decision per
 * request in arrival order (`/v1/messages`, and the Batches, Files and Models endpoints), so a seed
 * reproduces the same fault sequence. A results download of a batch counts as a stream: `cutStream`
 * cuts it after 1..maxAfterEvents lines.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const chaos: FakeClaude.ChaosProfile = { rates: { "529": 0.1, cutStream: 0.05 }, retryAfter: "1" }
 * ```
 */
export interface ChaosProfile {
  /** probability of each fault per request; the sum should be ≤ 1 */
  readonly rates: Readonly<Partial<Record<ChaosFault, number>>>
  /** `retry-after` sent with chaos 429 / 529 / 503 answers (raw value, default none) */
  readonly retryAfter?: string | undefined
  /** stream faults strike after 1..maxAfterEvents events (default 12) */
  readonly maxAfterEvents?: number | undefined
  /** delay of the `latency` fault in real ms (default 300) */
  readonly latencyMs?: number | undefined
  /** silence of the `stall` fault in real ms (default 2000) */
  readonly stallMs?: number | undefined
  /**
   * the models whose requests the profile strikes (exact ids or prefixes ending in `*`; default
   * every request); a request for another model still takes its draws, so a seed reproduces
   */
  readonly models?: ReadonlyArray<string> | undefined
}

/**
 * The faults a chaos profile can draw. Stream-only faults (`cutStream`, `sseOverloaded`, `malformedSse`,
 * `stall`) hit streaming requests only; a non-streaming request that draws one is answered normally.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const fault: FakeClaude.ChaosFault = "sseOverloaded"
 * ```
 */
export type ChaosFault =
  | "429"
  | "500"
  | "502"
  | "503"
  | "504"
  | "529"
  | "html502"
  | "empty503"
  | "truncatedJson"
  | "reset"
  | "latency"
  | "cutStream"
  | "sseOverloaded"
  | "malformedSse"
  | "stall"

/**
 * An outage: every request between `from` and `to` (server time since start, scaled by `clockScale`)
 * fails with `status` and the API's error body; with `models`, only the requests for those models
 * (exact ids or prefixes ending in `*`), so one model can be down while another answers.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const outage: FakeClaude.Outage = { from: "1 minute", to: "2 minutes", status: 503 }
 * const opusDown: FakeClaude.Outage = { from: "0 seconds", to: "30 seconds", status: 529, models: ["claude-opus-4-8"] }
 * ```
 */
export interface Outage extends ModelOutage {
  readonly from: Duration.DurationInput
  readonly to: Duration.DurationInput
  readonly status: number
  readonly models?: ReadonlyArray<string> | undefined
}

/**
 * How a model that is down answers (see `Service.setModelOutage`): `status` (default 529, the API's
 * `overloaded_error`), the error body's `errorType` and `message` (default: the API's for the status),
 * and a `retry-after` header (default none).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const unavailable: FakeClaude.ModelOutage = { status: 503, retryAfter: "5" }
 * ```
 */
export interface ModelOutage {
  readonly status?: number | undefined
  readonly errorType?: string | undefined
  readonly message?: string | undefined
  readonly retryAfter?: string | undefined
}

/**
 * Token-bucket limits per API key, refilled continuously over a (scaled) minute.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const limits: FakeClaude.RateLimits = { requestsPerMinute: 50, inputTokensPerMinute: 30_000 }
 * ```
 */
export interface RateLimits {
  readonly requestsPerMinute?: number | undefined
  readonly inputTokensPerMinute?: number | undefined
  readonly outputTokensPerMinute?: number | undefined
}

/**
 * How the Message Batches endpoints behave. Item outcomes are drawn when a batch is created, from a
 * PRNG seeded by `Options.seed` and the batch's number, so a seed reproduces them; an item whose
 * params the Messages endpoint would refuse (an unknown model, a missing field) ends `errored` with
 * that 400, as the API does.
 *
 * | option | default |
 * |---|---|
 * | `processingTime` | 0: a batch has ended by the first poll; server time, so `clockScale` shortens it |
 * | `erroredRate` | 0: share of items that end `errored` with one of `errorTypes` |
 * | `errorTypes` | `["overloaded_error", "api_error"]` (retryable), drawn per item |
 * | `expiredRate` | 0: share of items that end `expired` |
 * | `cutResultsRate` | 0: share of results downloads cut (socket destroyed) after a random number of lines |
 * | `maxRequests`, `maxBytes` | the API's (`BatchLimits`): a larger batch gets the API's 400 / 413 |
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const batches: FakeClaude.BatchOptions = { processingTime: "1 hour", erroredRate: 0.05, expiredRate: 0.02 }
 * const layer = FakeClaude.layer({ seed: 3, clockScale: 3600, batches }) // a batch ends after 1 s
 * ```
 */
export interface BatchOptions {
  readonly processingTime?: Duration.DurationInput | undefined
  readonly erroredRate?: number | undefined
  readonly errorTypes?: ReadonlyArray<string> | undefined
  readonly expiredRate?: number | undefined
  readonly cutResultsRate?: number | undefined
  readonly maxRequests?: number | undefined
  readonly maxBytes?: number | undefined
}

/**
 * Server options; every field has a default.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const options: FakeClaude.Options = { seed: 1, clockScale: 60, rateLimits: { requestsPerMinute: 5 } }
 * ```
 */
export interface Options {
  /** port on 127.0.0.1 (default 0: an ephemeral port) */
  readonly port?: number | undefined
  /** the API key the server accepts (default "sk-ant-test-fake-key") */
  readonly apiKey?: string | undefined
  /** more accepted keys, each with its own rate-limit buckets */
  readonly extraApiKeys?: ReadonlyArray<string> | undefined
  /** seed of completions, ids and chaos (default 0) */
  readonly seed?: number | undefined
  /** random faults (default none) */
  readonly chaos?: ChaosProfile | undefined
  /** outage windows relative to server start */
  readonly outages?: ReadonlyArray<Outage> | undefined
  /** enforced limits (default none: no limits, no rate-limit headers) */
  readonly rateLimits?: RateLimits | undefined
  /** server time runs this many times faster than real time (default 1) */
  readonly clockScale?: number | undefined
  /**
   * context window in estimated tokens, for every model (default: each model's window from
   * `@claude-resilience/api`'s `Model` table, 200_000 for an id it does not know)
   */
  readonly contextWindow?: number | undefined
  /**
   * accepted model ids, exactly (default: every id the `Model` table knows but retired ones —
   * {@link defaultModels} — and new dated snapshots of them, by the table's lookup rule)
   */
  readonly models?: ReadonlyArray<string> | undefined
  /** length of a completion's full text in characters (default 900) */
  readonly completionChars?: number | undefined
  /** words per `text_delta` (default 3) */
  readonly wordsPerDelta?: number | undefined
  /** real ms between SSE events (default 0) */
  readonly eventDelayMs?: number | undefined
  /** records kept (oldest dropped first; default 10_000), so a long-running server stays bounded */
  readonly maxRecords?: number | undefined
  /**
   * the largest request body in bytes; a larger one is answered with 413 `request_too_large`
   * before authentication, as the API's proxy does (default `Limits.requestBytes`, 32 MiB)
   */
  readonly maxRequestBytes?: number | undefined
  /** answer every request carrying `tools` with a tool_use block (default: only when the user asks, see docs) */
  readonly alwaysUseTools?: boolean | undefined
  /**
   * models (exact ids or prefixes ending in `*`, e.g. `"claude-opus-4-6*"`) that answer a request
   * ending in an assistant turn with the API's 400: "This model does not support assistant message
   * prefill. The conversation must end with a user message." (default: the models whose
   * `Model.resumeMode` is `"continuation"` — 4.6 and later; `[]`: every model takes a prefill)
   */
  readonly rejectPrefill?: ReadonlyArray<string> | undefined
  /** the Message Batches endpoints: processing time, item outcomes, cut results downloads */
  readonly batches?: BatchOptions | undefined
  /**
   * whether an uploaded file can be downloaded (default `false`, as the API: only files a tool
   * created are downloadable; a download gets the API's 400 `file_not_downloadable`)
   */
  readonly filesDownloadable?: boolean | undefined
  /**
   * a continuation turn ("continue ...") first repeats the last `k` words of the partial text,
   * with their exact spacing, then goes on, as models often do (default 0: no repeat)
   */
  readonly continuationRepeatWords?: number | undefined
}

/**
 * What happened to a request: the HTTP status sent, or how the exchange ended without one.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const cut: FakeClaude.Outcome = "cut"
 * ```
 */
export type Outcome = number | "pending" | "reset" | "cut" | "sse-error" | "malformed-sse" | "client-closed"

/**
 * One request as the server saw it. Secrets (`x-api-key`, `authorization`) are never recorded.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const withoutFault = (rs: ReadonlyArray<FakeClaude.RecordedRequest>) => rs.filter((r) => r.fault === undefined)
 * ```
 */
export interface RecordedRequest {
  /** the `request-id` sent back */
  readonly id: string
  /** real ms since server start when the request arrived */
  readonly time: number
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** parsed JSON body (raw text when not JSON) */
  readonly body: unknown
  readonly stream: boolean
  /** index of the accepted key (0 = `apiKey`), undefined when the key was missing or wrong */
  readonly keyIndex: number | undefined
  /** label of the fault applied (see `Fault.label`, plus "outage:N" and "rate-limit:<limit>") */
  readonly fault: string | undefined
  readonly faultSource: "scripted" | "chaos" | "outage" | "rate-limit" | undefined
  readonly outcome: Outcome
  /** response bytes written (headers excluded) */
  readonly bytesSent: number
  /** SSE events written */
  readonly events: number
  readonly inputTokens: number | undefined
  readonly outputTokens: number | undefined
  /** real ms until the response ended, undefined while pending */
  readonly durationMs: number | undefined
}

/**
 * Counters over the recorded requests.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const overloaded = (stats: FakeClaude.Stats) => stats.byOutcome["529"] ?? 0
 * ```
 */
export interface Stats {
  readonly total: number
  /** keyed by `String(outcome)`: "200", "529", "reset", "cut", "client-closed" ... */
  readonly byOutcome: Readonly<Record<string, number>>
  /** keyed by fault label */
  readonly byFault: Readonly<Record<string, number>>
  readonly byPath: Readonly<Record<string, number>>
  readonly pending: number
  readonly bytesSent: number
}

/**
 * The running server.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const baseURL = (fake: FakeClaude.Service) => fake.url
 * ```
 */
export interface Service {
  /** "http://127.0.0.1:PORT", the SDK's `baseURL` */
  readonly url: string
  readonly port: number
  /** the key the server accepts */
  readonly apiKey: string
  readonly seed: number
  /** queue scripted faults, consumed in order by the requests they match */
  readonly enqueue: (...faults: ReadonlyArray<Fault.Fault>) => Effect.Effect<void>
  /** scripted faults not consumed yet */
  readonly pendingFaults: Effect.Effect<ReadonlyArray<Fault.Fault>>
  /** queue scripted answers (e.g. `Reply.toolUse`), consumed in order by the requests they match */
  readonly reply: (...replies: ReadonlyArray<Reply.Reply>) => Effect.Effect<void>
  /** scripted answers not consumed yet */
  readonly pendingReplies: Effect.Effect<ReadonlyArray<Reply.Reply>>
  /** replace the chaos profile (undefined: no random faults); the PRNG keeps its position */
  readonly setChaos: (profile: ChaosProfile | undefined) => Effect.Effect<void>
  /**
   * take a model down (every request for it fails, `true`: with a 529 `overloaded_error`) or bring it
   * back (`false`); `model` is an exact id or a prefix ending in `*`. Kept across `reset`, like chaos.
   */
  readonly setModelOutage: (model: string, outage: ModelOutage | boolean) => Effect.Effect<void>
  /** the models taken down with `setModelOutage`, and how they answer */
  readonly modelOutages: Effect.Effect<ReadonlyMap<string, ModelOutage>>
  /** every request so far, oldest first */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly stats: Effect.Effect<Stats>
  /** clear the fault and reply queues, records, rate-limit buckets, batches and files, and reseed the chaos PRNG */
  readonly reset: Effect.Effect<void>
}

/**
 * The FakeClaude service tag.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const url = Effect.map(FakeClaude.FakeClaude, (fake) => fake.url)
 * ```
 */
export class FakeClaude extends Context.Tag("@claude-resilience/testing/FakeClaude")<FakeClaude, Service>() {}

/**
 * The key accepted when `Options.apiKey` is not given.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * console.log(FakeClaude.defaultApiKey) // "sk-ant-test-fake-key"
 * ```
 */
export const defaultApiKey: string = state.DEFAULT_API_KEY

/**
 * The model ids `@claude-resilience/api`'s `Model` table knows (`Model.ids`) but those of retired
 * models (the API answers those with 404): accepted when `Options.models` is not given, together
 * with new dated snapshots of them.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * FakeClaude.defaultModels.includes("claude-sonnet-4-6") // true
 * ```
 */
export const defaultModels: ReadonlyArray<string> = models.DEFAULT_MODELS

/**
 * Named chaos profiles: `none` (no faults), `transient` (a few percent of retryable faults), `drill`
 * (every transient fault the API shows in production at 3–6 % each: 429 with retry-after, 529, 500,
 * HTML 502, resets, stream cuts, SSE overload — the chaos drill's and the benchmarks' mix), `harsh`
 * (about a third of requests fail in some way).
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const layer = FakeClaude.layer({ seed: 7, chaos: FakeClaude.profiles.transient })
 * ```
 */
export const profiles: {
  readonly none: ChaosProfile
  readonly transient: ChaosProfile
  readonly drill: ChaosProfile
  readonly harsh: ChaosProfile
} = chaos.PROFILES

/**
 * Start the server: listens on 127.0.0.1, closes (dropping open connections) when the scope ends.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const fake = yield* FakeClaude.make({ seed: 1 })
 *     return fake.url
 *   })
 * )
 * ```
 */
export const make: (options?: Options) => Effect.Effect<Service, never, Scope.Scope> = server.make

/**
 * A scoped layer running the server for the layer's lifetime.
 *
 * @since 0.1.0
 * @category Layers
 * @example
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk"
 * import { Effect } from "effect"
 * import { FakeClaude, Fault } from "@claude-resilience/testing"
 *
 * const program = Effect.gen(function* () {
 *   const fake = yield* FakeClaude.FakeClaude
 *   yield* fake.enqueue(Fault.status(529))
 *   const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 1 })
 *   return yield* Effect.promise(() =>
 *     client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "Hi" }] })
 *   )
 * }).pipe(Effect.provide(FakeClaude.layer({ seed: 1 })))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<FakeClaude> => Layer.scoped(FakeClaude, make(options))

/**
 * A FakeClaude together with a layer built from the running server (its `url` and `apiKey`),
 * e.g. your Claude client pointed at it. Both are provided, so a test can reach the client and
 * the server's records.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { FakeClaude } from "@claude-resilience/testing"
 * import { Redacted } from "effect"
 *
 * const TestLayer = FakeClaude.layerWith({ chaos: FakeClaude.profiles.transient }, (fake) =>
 *   Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url })
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWith = <ROut, E, RIn>(
  options: Options,
  f: (fake: Service) => Layer.Layer<ROut, E, RIn>
): Layer.Layer<ROut | FakeClaude, E, Exclude<RIn, FakeClaude>> =>
  Layer.unwrapEffect(Effect.map(FakeClaude, f)).pipe(Layer.provideMerge(layer(options)))

/**
 * The deterministic full completion text for a request: derived from the last user message (ignoring a
 * trailing assistant prefill, and for `[user X, assistant partial, user "…continue…"]` from X) and the
 * seed. A prefilled or continued request is answered with the rest of this text after the prefix.
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const text = FakeClaude.completionText({ messages: [{ role: "user", content: "Hello" }] }, 1)
 * ```
 */
export const completionText: (request: completion.CompletionRequest, seed: number, chars?: number) => string =
  completion.completionText

/**
 * The deterministic token estimate used for `count_tokens`, `usage.input_tokens`, rate limits and the
 * context-window check: 3 per request + 4 per message + ceil(characters / 4) per text block (system
 * included) + 1500 per image or document + ceil(JSON length / 4) for any other block and for `tools`.
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * FakeClaude.estimateTokens({ messages: [{ role: "user", content: "12345678" }] }) // 3 + 4 + 2 = 9
 * ```
 */
export const estimateTokens: (request: completion.CompletionRequest) => number = completion.estimateTokens

/**
 * Output-token estimate of a text: ceil(characters / 4).
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * FakeClaude.estimateTextTokens("abcdefgh") // 2
 * ```
 */
export const estimateTextTokens: (text: string) => number = completion.estimateTextTokens

/**
 * The shape `completionText` and `estimateTokens` accept (structurally compatible with the SDK's params).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { FakeClaude } from "@claude-resilience/testing"
 *
 * const request: FakeClaude.CompletionRequest = { messages: [{ role: "user", content: "Hi" }] }
 * ```
 */
export type CompletionRequest = completion.CompletionRequest
