/**
 * What stands in for the oldest part of a conversation when `ContextWindow.fit` drops it: nothing
 * ({@link dropOldest}, the default), a summary written by a cheaper model ({@link summarize}), or
 * whatever your own compactor returns. The cut itself is always chosen by the fit, so the
 * conversation stays valid whatever the compactor does.
 *
 * @since 0.1.0
 */
import type { Content } from "@claude-resilience/api"
import type { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Request } from "./ContextWindow.js"
import * as internal from "./internal/compactor.js"

/**
 * Token usage of a call a compactor made.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const usage: Compactor.Usage = { inputTokens: 12_000, outputTokens: 800 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
}

/**
 * What a compactor puts in place of the dropped messages: a text placed in the user turn next to
 * the gap, and what producing it cost.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const note: Compactor.Replacement = { text: "[12 earlier messages were removed]" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Replacement {
  readonly text: string
  /** the model that produced the text, if any */
  readonly model?: string | undefined
  readonly usage?: Usage | undefined
  /** list price in USD, when known */
  readonly costUsd?: number | undefined
}

/**
 * A compactor: `replace` turns the messages a fit dropped into a {@link Replacement} (or nothing),
 * and `reserve` tokens are kept free for that replacement while the fit searches for a cut.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const note: Compactor.Service = {
 *   name: "note",
 *   reserve: 32,
 *   replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages were removed]` })
 * }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly name: string
  readonly reserve: number
  readonly replace: (input: {
    readonly dropped: ReadonlyArray<Content.MessageParam>
    readonly request: Request
  }) => Effect.Effect<Replacement | undefined, ClaudeError.ClaudeError>
}

/**
 * The compactor `ContextWindow.fit` and auto-fit use when their options name none. Absent from
 * context, the oldest messages are dropped ({@link dropOldest}).
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const name = Effect.map(Compactor.Compactor, (compactor) => compactor.name)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class Compactor extends Context.Tag("@claude-resilience/context-window/Compactor")<Compactor, Service>() {}

/**
 * The default compactor: drop the oldest messages after the pinned prefix, replace them by nothing.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * Compactor.dropOldest.name // "drop-oldest"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const dropOldest: Service = internal.dropOldest

/**
 * Options of the summarizing compactor.
 *
 * | option | default |
 * |---|---|
 * | `model` | `"claude-haiku-4-5"` (cheaper than the model being fitted) |
 * | `maxTokens` | 1024: the summary's `max_tokens`, also reserved in the budget |
 * | `system` | a prompt asking for a dense factual summary |
 * | `maxTranscriptChars` | 400,000: a longer dropped prefix is summarized from its newest part |
 * | `callOptions` | none: retry, timeout and circuit come from the client layer |
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const options: Compactor.SummarizeOptions = { model: "claude-haiku-4-5", maxTokens: 512 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface SummarizeOptions {
  readonly model?: string | undefined
  readonly maxTokens?: number | undefined
  readonly system?: string | undefined
  readonly maxTranscriptChars?: number | undefined
  readonly callOptions?: Claude.CallOptions | undefined
}

/**
 * The summarizing compactor: the dropped messages become one summary written by a (cheaper) model,
 * called through the resilient client from context; the summary's usage and cost (list prices from
 * `@claude-resilience/api`'s `Model` table) are reported. The reply is checked before it is read: one
 * whose `content` is not an array of blocks (text blocks with a string `text`) or whose `usage` is not
 * non-negative integers fails the fit with a `ClaudeError.ConnectionError` with reason `"protocol"`,
 * like a failed summary call.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const compactor = Compactor.summarize({ model: "claude-haiku-4-5" })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const summarize: (options?: SummarizeOptions) => Effect.Effect<Service, never, Claude.Claude> =
  internal.summarize

/**
 * The default compactor as a layer.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const CompactorLive = Compactor.layerDropOldest
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerDropOldest: Layer.Layer<Compactor> = Layer.succeed(Compactor, dropOldest)

/**
 * The summarizing compactor as a layer; it needs the `Claude` client.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 *
 * const CompactorLive = Compactor.layerSummarize({ model: "claude-haiku-4-5", maxTokens: 512 })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerSummarize = (options?: SummarizeOptions): Layer.Layer<Compactor, never, Claude.Claude> =>
  Layer.effect(Compactor, summarize(options))

/**
 * A compactor of your own as a layer.
 *
 * @example
 * ```ts
 * import { Compactor } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const CompactorLive = Compactor.layer({
 *   name: "note",
 *   reserve: 32,
 *   replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages were removed]` })
 * })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (compactor: Service): Layer.Layer<Compactor> => Layer.succeed(Compactor, compactor)
