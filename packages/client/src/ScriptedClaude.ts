/**
 * An in-memory, scripted `Claude` for fast unit tests of your own code: replies, streams
 * and `ClaudeError`s come from a script, no HTTP. Retries and the circuit breaker still
 * apply (they come from context, like the real layer), so with `TestClock` you can test how
 * your program behaves under a 429 or a 529 in virtual time.
 *
 * @since 0.1.0
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import type { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Claude from "./Claude.js"
import * as internal from "./internal/scripted.js"

/**
 * One scripted answer, consumed by the next call in order.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const steps: ReadonlyArray<ScriptedClaude.Step> = [ScriptedClaude.reply("hi"), ScriptedClaude.stream("hello there")]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Step =
  | { readonly _tag: "Reply"; readonly message: Claude.Message }
  | { readonly _tag: "Fail"; readonly error: ClaudeError.ClaudeError }
  | {
      readonly _tag: "Stream"
      readonly events: ReadonlyArray<Claude.MessageStreamEvent | Liveness>
      readonly failAfter?: ClaudeError.ClaudeError | undefined
    }

/**
 * What a scripted stream may hold besides the SDK's events: a `ping` SSE event (it reaches the
 * stall watchdog, never the consumer), or a pause in the `Clock`'s time (so `TestClock` drives
 * it); {@link stall} pauses forever.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const slow: ReadonlyArray<ScriptedClaude.Liveness> = [ScriptedClaude.pause("20 seconds"), ScriptedClaude.ping]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Liveness = { readonly type: "ping" } | { readonly type: "pause"; readonly millis: number }

/**
 * A `ping` SSE event in a scripted stream.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const events = [ScriptedClaude.pause("10 seconds"), ScriptedClaude.ping]
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const ping: Liveness = { type: "ping" }

/**
 * A pause of `duration` in a scripted stream, in the `Clock`'s time of the layer.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const wait = ScriptedClaude.pause("30 seconds")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const pause = (duration: Duration.DurationInput): Liveness => ({
  type: "pause",
  millis: Duration.toMillis(duration)
})

/**
 * A stalled socket in a scripted stream: open, nothing more sent, until the request is aborted.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const step: ScriptedClaude.Step = { _tag: "Stream", events: [ScriptedClaude.stall] }
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const stall: Liveness = { type: "pause", millis: Number.POSITIVE_INFINITY }

/**
 * A call the scripted client received.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const operations = Effect.map(
 *   Effect.flatMap(ScriptedClaude.ScriptedClaude, (s) => s.calls),
 *   (calls: ReadonlyArray<ScriptedClaude.Call>) => calls.map((c) => c.operation)
 * )
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Call {
  readonly operation: "create" | "stream" | "count_tokens"
  readonly params: unknown
}

/**
 * The script's controls: what was called, and more steps to push.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const more = Effect.flatMap(ScriptedClaude.ScriptedClaude, (s: ScriptedClaude.Service) => s.push(ScriptedClaude.reply("again")))
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
  readonly push: (...steps: ReadonlyArray<Step>) => Effect.Effect<void>
}

/**
 * The tag of the script's controls.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const calls = Effect.flatMap(ScriptedClaude.ScriptedClaude, (script) => script.calls)
 * ```
 *
 * @since 0.1.0
 * @category Tags
 */
export class ScriptedClaude extends Context.Tag("@claude-resilience/client/ScriptedClaude")<
  ScriptedClaude,
  Service
>() {}

/**
 * A complete `Message` with one text block.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const message = ScriptedClaude.message("Hello!", { model: "claude-haiku-4-5" })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const message: (
  text: string,
  options?: { readonly model?: string; readonly stopReason?: Claude.Message["stop_reason"] }
) => Claude.Message = internal.message

/**
 * A step that answers with a text reply.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const step = ScriptedClaude.reply("Hello!")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const reply = (text: string | Claude.Message): Step => ({
  _tag: "Reply",
  message: typeof text === "string" ? message(text) : text
})

/**
 * A step that fails with a `ClaudeError`.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const step = ScriptedClaude.fail(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 }))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fail = (error: ClaudeError.ClaudeError): Step => ({ _tag: "Fail", error })

/**
 * The raw stream events of a text message, split into deltas of `chunkSize` characters.
 *
 * @example
 * ```ts
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const events = ScriptedClaude.events(ScriptedClaude.message("Hello there"), 4)
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const events: (msg: Claude.Message, chunkSize?: number) => ReadonlyArray<Claude.MessageStreamEvent> =
  internal.events

/**
 * A step that streams a text reply, optionally failing after `failAfter.events` events.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { ScriptedClaude } from "@claude-resilience/client"
 *
 * const cut = ScriptedClaude.stream("Hello there, friend", {
 *   failAfter: { events: 4, error: new ClaudeError.ConnectionError({ message: "reset", phase: "stream" }) }
 * })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const stream: (
  text: string | Claude.Message,
  options?: {
    readonly chunkSize?: number
    readonly failAfter?: { readonly events: number; readonly error: ClaudeError.ClaudeError }
  }
) => Step = internal.stream

/**
 * A `Claude` over a script, with `RetryPolicy` and `CircuitBreaker` from context.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
 * import { ScriptedClaude } from "@claude-resilience/client"
 * import { RetryPolicy } from "@claude-resilience/retry"
 * import { Layer, Schedule } from "effect"
 *
 * const TestClaude = ScriptedClaude.layerWithoutDependencies([ScriptedClaude.reply("hi")]).pipe(
 *   Layer.provide(RetryPolicy.layer(Schedule.stop)),
 *   Layer.provide(CircuitBreaker.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerWithoutDependencies = (
  steps: ReadonlyArray<Step>
): Layer.Layer<Claude.Claude | ScriptedClaude, never, RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker> =>
  Layer.effectContext(
    Effect.map(internal.make(steps), ({ controls, service }) =>
      Context.make(Claude.Claude, service).pipe(Context.add(ScriptedClaude, controls))
    )
  )

/**
 * A `Claude` over a script with the default retry policy and circuit breaker. Run tests with
 * `it.effect` so retries wait in virtual time (`TestClock.adjust`).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "@claude-resilience/errors"
 * import { Claude, ScriptedClaude } from "@claude-resilience/client"
 *
 * const TestClaude = ScriptedClaude.layer([
 *   ScriptedClaude.fail(new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })),
 *   ScriptedClaude.reply("recovered")
 * ])
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (steps: ReadonlyArray<Step>): Layer.Layer<Claude.Claude | ScriptedClaude> =>
  layerWithoutDependencies(steps).pipe(Layer.provide(RetryPolicy.layer()), Layer.provide(CircuitBreaker.layer()))
