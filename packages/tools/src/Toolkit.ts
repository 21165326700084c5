/**
 * A set of tools, and the one function that answers an assistant turn: every `tool_use` block gets exactly
 * one `tool_result`, in order, whatever its handler did.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { Content } from "@claude-resilience/api"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import * as internal from "./internal/toolkit.js"
import type * as Tool from "./Tool.js"
import type * as ToolFailure from "./ToolFailure.js"

/**
 * @example
 * ```ts
 * import { Toolkit } from "@claude-resilience/tools"
 *
 * const isBranded = (u: object) => Toolkit.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @example
 * ```ts
 * import { Toolkit } from "@claude-resilience/tools"
 *
 * const isBranded = (u: object) => Toolkit.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Symbols
 */
export type TypeId = typeof TypeId

/**
 * Tools whose handlers need `R`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Toolkit } from "@claude-resilience/tools"
 *
 * const count = (toolkit: Toolkit.Toolkit<never>) => toolkit.tools.length
 * ```
 */
export interface Toolkit<out R> extends Pipeable {
  readonly [TypeId]: TypeId
  readonly tools: ReadonlyArray<Tool.Tool<string, R>>
  /** the tools as sent in a request's `tools` */
  readonly definitions: ReadonlyArray<Anthropic.Messages.Tool>
}

/**
 * A `tool_use` block as received (from a `Message` or a conversation): `@claude-resilience/api`'s
 * `Content.ToolUse`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Toolkit } from "@claude-resilience/tools"
 *
 * const use: Toolkit.ToolUse = { type: "tool_use", id: "toolu_1", name: "add", input: { a: 1, b: 2 } }
 * ```
 */
export type ToolUse = Content.ToolUse

/**
 * Options of {@link handle}.
 *
 * | option | default |
 * |---|---|
 * | `concurrency` | `1`: the calls run one after another, in order |
 * | `timeout` | none: a tool's own `timeout` wins |
 * | `formatError` | `ToolFailure.format` (with `exposeDefects`) |
 * | `exposeDefects` | `false`: a defect's message and stack stay out of the result |
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Toolkit } from "@claude-resilience/tools"
 *
 * const options: Toolkit.HandleOptions = { concurrency: 4, timeout: "30 seconds" }
 * ```
 */
export interface HandleOptions {
  readonly concurrency?: Types.Concurrency | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly formatError?: ToolFailure.Formatter | undefined
  readonly exposeDefects?: boolean | undefined
}

/**
 * What happened to one call: the block that asked, the result sent back, and the failure if any.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Toolkit } from "@claude-resilience/tools"
 *
 * const failed = (outcomes: ReadonlyArray<Toolkit.Outcome>) => outcomes.filter((o) => o.failure !== undefined)
 * ```
 */
export interface Outcome {
  readonly toolUse: ToolUse
  readonly result: Content.ToolResultBlockParam
  readonly failure: ToolFailure.ToolFailure | undefined
}

/**
 * The answer to one assistant turn: one user message with one `tool_result` per `tool_use`, in order.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Toolkit } from "@claude-resilience/tools"
 *
 * const append = (messages: ReadonlyArray<unknown>, results: Toolkit.Results) => [...messages, results.message]
 * ```
 */
export interface Results {
  /** `{ role: "user", content: [tool_result, ...] }` (empty content when the turn called no tool) */
  readonly message: Content.MessageParam
  readonly outcomes: ReadonlyArray<Outcome>
}

/**
 * A toolkit from tools (names must be unique).
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Tool, Toolkit } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const add = Tool.make("add", {
 *   parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
 *   handler: ({ a, b }) => Effect.succeed(a + b)
 * })
 * const toolkit = Toolkit.make(add)
 * ```
 */
export const make: <const Tools extends ReadonlyArray<Tool.Tool<string, unknown>>>(
  ...tools: Tools
) => Toolkit<Tool.Context<Tools[number]>> = internal.make

/**
 * Whether a value is a {@link Toolkit}.
 *
 * @since 0.1.0
 * @category Guards
 * @example
 * ```ts
 * import { Toolkit } from "@claude-resilience/tools"
 *
 * Toolkit.isToolkit(Toolkit.make()) // true
 * ```
 */
export const isToolkit: (u: unknown) => u is Toolkit<unknown> = internal.isToolkit

/**
 * The `tool_use` blocks of a message (or of its content), in order.
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { Toolkit } from "@claude-resilience/tools"
 *
 * const uses = Toolkit.toolUses({ content: [{ type: "text", text: "hi" }] }) // []
 * ```
 */
export const toolUses: (message: { readonly content: unknown } | ReadonlyArray<unknown>) => ReadonlyArray<ToolUse> =
  internal.toolUses

/**
 * Runs every `tool_use` block of an assistant message (or content) and answers with one user message holding
 * exactly one `tool_result` per `tool_use` id, in the blocks' order. Never fails: an unknown tool, an input
 * that does not decode, a typed failure, an output that cannot be sent, a defect, a timeout or an interrupted
 * handler each become a result with `is_error: true` and a readable message; a handler that produced nothing
 * gets the text `(no output)`. Every result has content. The message may have any shape: only its
 * well-formed `tool_use` blocks are read.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Tool, Toolkit } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const add = Tool.make("add", {
 *   parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
 *   handler: ({ a, b }) => Effect.succeed(a + b)
 * })
 * const results = Toolkit.make(add).pipe(
 *   Toolkit.handle({ content: [{ type: "tool_use", id: "toolu_1", name: "add", input: { a: 1, b: 2 } }] })
 * )
 * // Effect<Results>: message.content = [{ type: "tool_result", tool_use_id: "toolu_1", content: "3" }]
 * ```
 */
export const handle: {
  (
    message: { readonly content: unknown } | ReadonlyArray<unknown>,
    options?: HandleOptions
  ): <R>(self: Toolkit<R>) => Effect.Effect<Results, never, R>
  <R>(
    self: Toolkit<R>,
    message: { readonly content: unknown } | ReadonlyArray<unknown>,
    options?: HandleOptions
  ): Effect.Effect<Results, never, R>
} = internal.handle
