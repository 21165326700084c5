/**
 * `@effect/ai`'s `LanguageModel` implemented on the resilient `Claude` service: keep writing
 * `LanguageModel.generateText` / `generateObject` / `streamText` and get typed errors,
 * Retry-After-aware retries, the circuit breaker and resumable streams underneath.
 *
 * @since 0.1.0
 */
import type { Claude } from "@claude-resilience/client"
import type { ResumableStream } from "@claude-resilience/stream"
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Toolkit from "@effect/ai/Toolkit"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import * as config from "./internal/config.js"
import * as internal from "./internal/languageModel.js"
import * as tokens from "./internal/tokens.js"

/**
 * What only this provider knows about the end of an answer, in the `finish` part's metadata under
 * `claudeResilience` (typed by a module augmentation of `@effect/ai/Response`, as
 * `@effect/ai-anthropic` adds its `anthropic` key): the API's own stop reason and stop sequence, and
 * how many times a streamed answer was resumed (0 for `generateText`).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 *
 * const resumed = (details: ClaudeLanguageModel.FinishDetails | undefined) => (details?.resumptions ?? 0) > 0
 * ```
 */
export interface FinishDetails {
  readonly stopReason: string | null
  readonly stopSequence: string | null
  readonly resumptions: number
}

declare module "@effect/ai/Response" {
  /**
   * @since 0.1.0
   * @category Models
   */
  export interface FinishPartMetadata extends ProviderMetadata {
    readonly claudeResilience?: FinishDetails | undefined
  }
}

/**
 * Options of the layer.
 *
 * - `model`: the model id (required), e.g. `"claude-sonnet-4-6"`;
 * - `maxTokens`: `max_tokens` of every request (default 4096, as `@effect/ai-anthropic`);
 * - `config`: any other request settings (`system`, `stop_sequences`, `thinking`, `metadata`, …);
 * - `callOptions`: the `Claude` service's per-call options (`retry`, `timeout`, `circuitKey`,
 *   `headers`) for every request;
 * - `stream`: `ResumableStream` options for `streamText` (`strategy`, `schedule`, `idleTimeout`, …);
 * - `toolFailures`: `"result"` (default) turns a tool handler's typed failure into a failure result
 *   the model sees (`is_error: true` in the next request); `"error"` keeps `@effect/ai`'s behaviour,
 *   where it fails the call.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 *
 * const options: ClaudeLanguageModel.Options = {
 *   model: "claude-sonnet-4-6",
 *   maxTokens: 2048,
 *   config: { stop_sequences: ["END"] },
 *   stream: { strategy: "continuation" }
 * }
 * ```
 */
export interface Options {
  readonly model: string
  readonly maxTokens?: number | undefined
  readonly config?: Omit<Config.Service, "model"> | undefined
  readonly callOptions?: Claude.CallOptions | undefined
  readonly stream?: ResumableStream.Options | undefined
  readonly toolFailures?: "result" | "error" | undefined
}

/**
 * Request settings in context, merged over the layer's `config` at each request: set them for part
 * of a program with {@link withConfigOverride} (as `AnthropicLanguageModel.Config`).
 *
 * @since 0.1.0
 * @category Context
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 * import { Effect } from "effect"
 *
 * const settings = Effect.serviceOption(ClaudeLanguageModel.Config)
 * ```
 */
export const Config: typeof config.Config = config.Config

/**
 * @since 0.1.0
 * @category Context
 */
export type Config = config.Config

/**
 * @since 0.1.0
 * @category Context
 */
export declare namespace Config {
  /**
   * The Messages request fields a call may set (not `messages`, `tools`, `tool_choice`, `stream`,
   * which come from the prompt and the toolkit), and `disableParallelToolCalls`.
   *
   * @since 0.1.0
   * @category Context
   */
  export interface Service
    extends Partial<Omit<Claude.MessageCreateParams, "messages" | "tools" | "tool_choice" | "stream">> {
    readonly disableParallelToolCalls?: boolean | undefined
  }
}

/**
 * Builds the `LanguageModel` service over the `Claude` service in context.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 *
 * const service = ClaudeLanguageModel.make({ model: "claude-sonnet-4-6" })
 * ```
 */
export const make: (options: Options) => Effect.Effect<LanguageModel.Service, never, Claude.Claude> = internal.make

/**
 * A layer providing `@effect/ai`'s `LanguageModel` over the `Claude` service (provide any `Claude`
 * layer: `Claude.layerConfig()`, one pointed at FakeClaude, `ScriptedClaude`).
 *
 * @since 0.1.0
 * @category Layers
 * @example
 * ```ts
 * import { Claude } from "@claude-resilience/client"
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 * import { Layer } from "effect"
 *
 * const LanguageModelLive = ClaudeLanguageModel.layer({ model: "claude-sonnet-4-6" }).pipe(
 *   Layer.provide(Claude.layerConfig())
 * )
 * ```
 */
export const layer = (options: Options): Layer.Layer<LanguageModel.LanguageModel, never, Claude.Claude> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * The layer as an `@effect/ai` `Model` (provider name `"claude-resilience"`), the unit
 * `ExecutionPlan` steps and `Effect.withExecutionPlan` work with.
 *
 * @since 0.1.0
 * @category Layers
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 * import { ExecutionPlan } from "effect"
 *
 * const plan = ExecutionPlan.make(
 *   { provide: ClaudeLanguageModel.model("claude-sonnet-4-6") },
 *   { provide: ClaudeLanguageModel.model("claude-haiku-4-5") }
 * )
 * ```
 */
export const model = (
  model: string,
  options?: Omit<Options, "model">
): AiModel.Model<"claude-resilience", LanguageModel.LanguageModel, Claude.Claude> =>
  AiModel.make("claude-resilience", layer({ ...options, model }))

/**
 * Runs `self` with request settings merged over those already in context (`stop_sequences`,
 * `max_tokens`, even `model` …), as `AnthropicLanguageModel.withConfigOverride` does.
 *
 * @since 0.1.0
 * @category Configuration
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 * import { Effect } from "effect"
 *
 * declare const summarise: Effect.Effect<string>
 *
 * const precise = summarise.pipe(ClaudeLanguageModel.withConfigOverride({ max_tokens: 512, stop_sequences: ["END"] }))
 * ```
 */
export const withConfigOverride: {
  (overrides: Config.Service): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: Config.Service): Effect.Effect<A, E, R>
} = config.withConfigOverride

/**
 * {@link withConfigOverride} for a stream (`streamText`): the settings apply when it runs.
 *
 * @since 0.1.0
 * @category Configuration
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 * import { Stream } from "effect"
 *
 * declare const parts: Stream.Stream<string>
 *
 * const fast = parts.pipe(ClaudeLanguageModel.withConfigOverrideStream({ model: "claude-haiku-4-5" }))
 * ```
 */
export const withConfigOverrideStream: {
  (overrides: Config.Service): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, overrides: Config.Service): Stream.Stream<A, E, R>
} = config.withConfigOverrideStream

/**
 * The exact input tokens of a prompt (and a toolkit's definitions) for a model, from the API's
 * `count_tokens` endpoint through the resilient client. `@effect/ai`'s `Tokenizer` wants token ids,
 * which the endpoint does not give, so this is a function rather than a `Tokenizer` layer.
 *
 * @since 0.1.0
 * @category Tokens
 * @example
 * ```ts
 * import { ClaudeLanguageModel } from "@claude-resilience/effect-ai"
 *
 * const count = ClaudeLanguageModel.countTokens("How long is this prompt?", { model: "claude-sonnet-4-6" })
 * ```
 */
export const countTokens: (
  prompt: Prompt.RawInput,
  options: { readonly model: string; readonly toolkit?: Toolkit.Any | undefined }
) => Effect.Effect<number, AiError.AiError, Claude.Claude> = tokens.countTokens
