/**
 * The models the toolkit knows: context window, output cap, prefill support, rate-limit class and
 * list prices, each entry with its source. Every package (and FakeClaude) reads model facts from
 * here, so there is one table and one lookup rule.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as internal from "./internal/models.js"

/**
 * List prices in US dollars per million tokens.
 *
 * @example
 * ```ts
 * import type { Model } from "@claude-resilience/api"
 *
 * const pricing: Model.Pricing = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Pricing {
  /** input tokens (standard context) */
  readonly input: number
  /** output tokens */
  readonly output: number
  /** 5-minute cache writes, when the source lists them */
  readonly cacheWrite?: number | undefined
  /** cache hits, when the source lists them */
  readonly cacheRead?: number | undefined
}

/**
 * Where a model's figures come from: a page, the date it was read, and whether the figures were
 * checked there (`verified`) or carried over from memory or a third party (`false`).
 *
 * @example
 * ```ts
 * import type { Model } from "@claude-resilience/api"
 *
 * const source: Model.Source = { url: "https://platform.claude.com/docs/en/about-claude/models/overview", checked: "2026-12-02", verified: true }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Source {
  readonly url: string
  readonly checked: string
  readonly verified: boolean
}

/**
 * Lifecycle of a model id: `active`, `legacy` (still served, superseded), `deprecated` (a retirement
 * date is announced) or `retired` (the API answers 404).
 *
 * @example
 * ```ts
 * import type { Model } from "@claude-resilience/api"
 *
 * const usable = (status: Model.Status) => status !== "retired"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Status = "active" | "legacy" | "deprecated" | "retired"

/**
 * How a stream cut mid-answer is resumed on this model: `prefill` (the partial text as a trailing
 * assistant message) or `continuation` (a user turn asking to continue; models that reject prefill).
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * const mode: Model.ResumeMode = Model.resumeMode("claude-sonnet-4-5")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ResumeMode = "prefill" | "continuation"

/**
 * What the toolkit knows of one model.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 * import { Option } from "effect"
 *
 * const window = Option.map(Model.get("claude-sonnet-4-5-20250929"), (m: Model.Model) => m.contextWindow)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Model {
  /** the canonical id (an alias such as `claude-sonnet-4-5`) */
  readonly id: string
  /** every id the API accepts for this model: the alias, dated snapshots, `-latest` forms */
  readonly ids: ReadonlyArray<string>
  /** the standard context window, in tokens */
  readonly contextWindow: number
  /** the window with the (now retired) long-context beta, for the models that offered one */
  readonly longContextWindow?: number | undefined
  /** the largest `max_tokens` the Messages API accepts */
  readonly maxOutputTokens: number
  /** whether a trailing assistant message (prefill) is accepted */
  readonly prefill: boolean
  /** models of one class share the organisation's rate limits */
  readonly rateLimitClass: string
  readonly pricing: Pricing
  readonly status: Status
  readonly source: Source
}

/**
 * Every known model, newest first.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * const active = Model.all.filter((m) => m.status === "active").map((m) => m.id)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const all: ReadonlyArray<Model> = internal.MODELS

/**
 * Every model id the table knows (aliases and snapshots).
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.ids.includes("claude-haiku-4-5-20251001") // true
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const ids: ReadonlyArray<string> = internal.IDS

/**
 * The beta header value that turned on the 1M-token window of Sonnet 4 and 4.5. The beta was retired
 * on 2026-04-30 (the header has no effect now; 4.6 and later models have a native 1M window); kept
 * for code that still sends it.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * const headers = { "anthropic-beta": Model.longContextBeta }
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const longContextBeta: string = internal.LONG_CONTEXT_BETA

/**
 * The context window assumed for an id the table does not know.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.defaultContextWindow // 200000
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const defaultContextWindow: number = internal.DEFAULT_CONTEXT_WINDOW

/**
 * Looks a model up by any id the API accepts. The rule, the same everywhere: an exact id first,
 * else the longest known id followed by `-` (so a new dated snapshot such as
 * `claude-sonnet-4-6-20260101` finds `claude-sonnet-4-6`).
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 * import { Option } from "effect"
 *
 * Option.isSome(Model.get("claude-opus-4-1-20250805")) // true
 * Option.isNone(Model.get("gpt-4")) // true
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const get = (id: string): Option.Option<Model> => Option.fromNullable(internal.lookup(id))

/**
 * {@link get} without the `Option`, for hot paths: the entry or `undefined`.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.unsafeGet("claude-haiku-4-5")?.maxOutputTokens
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const unsafeGet: (id: string) => Model | undefined = internal.lookup

/**
 * Whether {@link get} finds an entry for the id.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.isKnown("claude-sonnet-4-5") // true
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isKnown = (id: string): boolean => internal.lookup(id) !== undefined

/**
 * The resumption mode for a model: the table's answer for a known id; for an unknown id, read from
 * its generation (`claude-<family>-<major>-<minor>`: 4.6 and later reject prefill).
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.resumeMode("claude-opus-4-6") // "continuation"
 * Model.resumeMode("claude-sonnet-4-5") // "prefill"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const resumeMode = (id: string): ResumeMode => (internal.acceptsPrefill(id) ? "prefill" : "continuation")

/**
 * The context window of a model: its long-context window when `longContext` is asked for and the
 * model offers one, its standard window otherwise, {@link defaultContextWindow} for an unknown id.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.contextWindow("claude-sonnet-4-5", { longContext: true }) // 1000000
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const contextWindow = (id: string, options?: { readonly longContext?: boolean | undefined }): number => {
  const model = internal.lookup(id)
  if (model === undefined) return internal.DEFAULT_CONTEXT_WINDOW
  return options?.longContext === true && model.longContextWindow !== undefined
    ? model.longContextWindow
    : model.contextWindow
}

/**
 * The list price of some usage in US dollars, `undefined` for an unknown model. Cache reads and
 * writes are priced when given and the table lists their price.
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.cost("claude-haiku-4-5", { inputTokens: 2_000_000, outputTokens: 1_000_000 }) // 7
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const cost = (
  id: string,
  usage: {
    readonly inputTokens: number
    readonly outputTokens: number
    readonly cacheReadTokens?: number | undefined
    readonly cacheWriteTokens?: number | undefined
  }
): number | undefined => {
  const model = internal.lookup(id)
  return model === undefined ? undefined : internal.cost(model.pricing, usage)
}

/**
 * The known ids nearest to an unknown one (edit distance, closest first), for an error message
 * that says "did you mean …". `exclude` leaves out the ids of models in those states (e.g.
 * `["retired"]`: only ids the API still serves).
 *
 * @example
 * ```ts
 * import { Model } from "@claude-resilience/api"
 *
 * Model.suggest("claude-sonet-4-5") // ["claude-sonnet-4-5", …]
 * Model.suggest("claude-sonnet-4-5", 2, { exclude: ["retired"] }) // ["claude-sonnet-4-6", "claude-sonnet-5-5"]
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const suggest = (
  id: string,
  max: number = 3,
  options?: { readonly exclude?: ReadonlyArray<Status> | undefined }
): ReadonlyArray<string> => internal.suggest(id, max, options?.exclude)
