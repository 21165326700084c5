/**
 * Recover automatically from the API's "prompt is too long: N tokens > M maximum" and from an
 * over-limit `max_tokens`: the request is fitted (with `ContextWindow.fit`) or its `max_tokens`
 * clamped, and sent once more. As a wrapped `Claude` service ({@link layer}, {@link wrap}) or for
 * one call ({@link create}).
 *
 * @since 0.1.0
 */
import type { Claude } from "@claude-resilience/client"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Compactor from "./Compactor.js"
import type { FitError, FitOptions } from "./ContextWindow.js"
import * as internal from "./internal/autoFit.js"

/**
 * One automatic recovery: a fit after "prompt is too long: N tokens > M maximum", or a clamp of
 * `max_tokens` after the API said it was too large.
 *
 * @example
 * ```ts
 * import { AutoFit } from "@claude-resilience/context-window"
 *
 * const describe = (r: AutoFit.Recovery) =>
 *   r._tag === "Fitted" ? `dropped ${r.droppedMessages}` : `max_tokens ${r.from} → ${r.to}`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Recovery =
  | {
      readonly _tag: "Fitted"
      readonly model: string
      /** N and M from the error */
      readonly promptTokens: number
      readonly maximum: number
      readonly inputTokens: number
      readonly droppedMessages: number
      readonly countCalls: number
      /** the name of the compactor used */
      readonly compactor: string
      readonly replacement: Compactor.Replacement | undefined
    }
  | {
      readonly _tag: "Clamped"
      readonly model: string
      readonly from: number
      readonly to: number
      readonly maximum: number
    }

/**
 * Options of auto-fit: the fit options (`ContextWindow.FitOptions`), plus
 *
 * | option | default |
 * |---|---|
 * | `clampMaxTokens` | `true`: an over-limit `max_tokens` is lowered to what the API allows |
 * | `minMaxTokens` | 1024 (or the request's own, if smaller): below this, fit the input instead of clamping |
 * | `onRecovery` | none: an effect run with each {@link Recovery} |
 *
 * @example
 * ```ts
 * import { AutoFit } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const options: AutoFit.Options = { pin: 1, onRecovery: (r) => Effect.log(r._tag) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends FitOptions {
  readonly clampMaxTokens?: boolean | undefined
  readonly minMaxTokens?: number | undefined
  readonly onRecovery?: ((recovery: Recovery) => Effect.Effect<void>) | undefined
}

/**
 * A message with the recoveries that produced it (see {@link recoveriesOf}).
 *
 * @example
 * ```ts
 * import { AutoFit } from "@claude-resilience/context-window"
 *
 * const dropped = (r: AutoFit.Recovered) => r.recoveries.length
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Recovered {
  readonly message: Claude.Message
  readonly recoveries: ReadonlyArray<Recovery>
}

/**
 * The recoveries behind a message returned by a client wrapped with {@link layer} or {@link wrap}
 * (empty when the first attempt succeeded).
 *
 * @example
 * ```ts
 * import type { Claude } from "@claude-resilience/client"
 * import { AutoFit } from "@claude-resilience/context-window"
 *
 * const wasFitted = (message: Claude.Message) => AutoFit.recoveriesOf(message).length > 0
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const recoveriesOf: (message: Claude.Message) => ReadonlyArray<Recovery> = internal.recoveriesOf

/**
 * One `messages.create` with auto-recovery, for a single call: on "prompt is too long: N tokens >
 * M maximum" the request is fitted (N and M spare the first count) and sent once more; an
 * over-limit `max_tokens` is clamped and sent once more. Each recovery is logged, counted and
 * returned in `recoveries`. The compactor is `options.compactor`, else the `Compactor` in context,
 * else drop-oldest. When the fit fails, its error is the call's: `ContextOverflowError`,
 * `MalformedRequestError`, or the `ClaudeError` of a count (a malformed count reply is a
 * `ConnectionError` with reason `"protocol"`).
 *
 * @example
 * ```ts
 * import type { Content } from "@claude-resilience/api"
 * import { AutoFit } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * declare const messages: Array<Content.MessageParam>
 *
 * const program = Effect.gen(function* () {
 *   const { message, recoveries } = yield* AutoFit.create(
 *     { model: "claude-sonnet-4-6", max_tokens: 4096, messages },
 *     { pin: 1 }
 *   )
 *   return { message, fitted: recoveries.length > 0 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const create: (
  params: Claude.MessageCreateParams,
  options?: Options & { readonly call?: Claude.CallOptions | undefined }
) => Effect.Effect<Recovered, FitError, Claude.Claude> = internal.create

/**
 * Wraps a `Claude` service with auto-recovery for `create` and `stream` (a stream is recovered
 * only before its first event, where these 400s happen). When recovery itself fails (nothing fits,
 * the request cannot be read, or a count fails or answers something that is not a count) the caller
 * gets the original error and a log line says why. The compactor is
 * `options.compactor`, else `compactor`, else drop-oldest.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { AutoFit } from "@claude-resilience/context-window"
 * import { Effect } from "effect"
 *
 * const wrapped = Effect.map(Claude.Claude, (claude) => AutoFit.wrap(claude, { pin: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const wrap: (
  base: Claude.Service,
  options?: Options,
  compactor?: Compactor.Service | undefined
) => Claude.Service = internal.wrap

/**
 * A client layer with auto-recovery over the `Claude` below it. The compactor is the `Compactor`
 * in context when the layer is built (else drop-oldest), unless `options.compactor` names one.
 *
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { AutoFit } from "@claude-resilience/context-window"
 * import { Layer, Redacted } from "effect"
 *
 * const ClaudeLive = AutoFit.layer({ pin: 1 }).pipe(
 *   Layer.provide(Claude.layer({ apiKey: Redacted.make("sk-ant-...") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer: (options?: Options) => Layer.Layer<Claude.Claude, never, Claude.Claude> = internal.layer
