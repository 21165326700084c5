/**
 * A set of tools, and the one function that answers an assistant turn: every `tool_use` block gets exactly
 * one `tool_result`, in order, whatever its handler did.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import type * as Types from "effect/Types"
import * as internal from "./internal/blocks.js"
import type * as Tool from "./Tool.js"
import * as ToolFailure from "./ToolFailure.js"

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
export const TypeId: unique symbol = Symbol.for("@claude-resilience/tools/Toolkit")

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
 * A `tool_use` block as received (from a `Message` or a conversation).
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
export interface ToolUse {
  readonly type: "tool_use"
  readonly id: string
  readonly name: string
  readonly input: unknown
}

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
  readonly result: Anthropic.Messages.ToolResultBlockParam
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
  readonly message: Anthropic.Messages.MessageParam
  readonly outcomes: ReadonlyArray<Outcome>
}

const Proto = {
  [TypeId]: TypeId,
  pipe() {
    // biome-ignore lint/complexity/noArguments: Effect's Pipeable idiom
    return pipeArguments(this, arguments)
  }
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
export const make = <const Tools extends ReadonlyArray<Tool.Tool<string, unknown>>>(
  ...tools: Tools
): Toolkit<Tool.Context<Tools[number]>> => {
  const names = new Set<string>()
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`Toolkit: duplicate tool name "${tool.name}"`)
    names.add(tool.name)
  }
  const toolkit = Object.create(Proto) as Toolkit<Tool.Context<Tools[number]>>
  return Object.assign(toolkit, {
    tools: tools as unknown as ReadonlyArray<Tool.Tool<string, Tool.Context<Tools[number]>>>,
    definitions: tools.map((tool) => tool.definition)
  })
}

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
export const isToolkit = (u: unknown): u is Toolkit<unknown> => Predicate.hasProperty(u, TypeId)

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
export const toolUses = (message: { readonly content: unknown } | ReadonlyArray<unknown>): ReadonlyArray<ToolUse> =>
  internal.toolUsesOf(Array.isArray(message) ? message : (message as { readonly content: unknown }).content)

/** @internal */
export const failureOutcome = (toolUse: ToolUse, failure: ToolFailure.ToolFailure, options: HandleOptions): Outcome => {
  const format = options.formatError ?? ToolFailure.formatter({ exposeDefects: options.exposeDefects })
  return { toolUse, failure, result: internal.errorResult(toolUse.id, format(failure)) }
}

/**
 * Runs the calls, writing each outcome into `slots` as soon as it is known, so that a caller interrupted
 * half way still knows which calls finished.
 *
 * @internal
 */
export const runInto = <R>(
  toolkit: Toolkit<R>,
  uses: ReadonlyArray<ToolUse>,
  options: HandleOptions,
  slots: Array<Outcome | undefined>
): Effect.Effect<void, never, R> => {
  const defaultTimeout = options.timeout === undefined ? undefined : Duration.decode(options.timeout)
  const runOne = (toolUse: ToolUse, index: number): Effect.Effect<void, never, R> => {
    const tool = toolkit.tools.find((t) => t.name === toolUse.name)
    const fail = (failure: ToolFailure.ToolFailure) =>
      Effect.sync(() => {
        slots[index] = failureOutcome(toolUse, failure, options)
      })
    if (tool === undefined) {
      return fail(
        new ToolFailure.UnknownTool({
          toolName: toolUse.name,
          toolUseId: toolUse.id,
          available: toolkit.tools.map((t) => t.name)
        })
      )
    }
    const timeout = tool.timeout ?? defaultTimeout
    const ids = { toolName: tool.name, toolUseId: toolUse.id }
    const call: Effect.Effect<Tool.Content | undefined, ToolFailure.ToolFailure, R> =
      timeout === undefined
        ? tool.call(toolUse.input, toolUse.id)
        : Effect.timeoutFail(tool.call(toolUse.input, toolUse.id), {
            duration: timeout,
            onTimeout: () => new ToolFailure.TimedOut({ ...ids, timeout })
          })
    return Effect.exit(Effect.interruptible(call)).pipe(
      Effect.flatMap((exit) => {
        if (Exit.isSuccess(exit)) {
          return Effect.sync(() => {
            const result: Anthropic.Messages.ToolResultBlockParam =
              exit.value === undefined
                ? { type: "tool_result", tool_use_id: toolUse.id }
                : { type: "tool_result", tool_use_id: toolUse.id, content: exit.value }
            slots[index] = { toolUse, result, failure: undefined }
          })
        }
        const cause = exit.cause
        const failure = Cause.failureOption(cause)
        if (failure._tag === "Some") return fail(failure.value)
        if (Cause.isInterruptedOnly(cause)) return fail(new ToolFailure.Interrupted(ids))
        return fail(new ToolFailure.Defect({ ...ids, cause }))
      })
    )
  }
  return Effect.forEach(uses, runOne, { concurrency: options.concurrency ?? 1, discard: true })
}

/** Fills the calls that never finished with `Interrupted` results. @internal */
export const collect = (
  uses: ReadonlyArray<ToolUse>,
  slots: ReadonlyArray<Outcome | undefined>,
  options: HandleOptions
): Results => {
  const outcomes = uses.map(
    (toolUse, i) =>
      slots[i] ??
      failureOutcome(toolUse, new ToolFailure.Interrupted({ toolName: toolUse.name, toolUseId: toolUse.id }), options)
  )
  return { message: { role: "user", content: outcomes.map((o) => o.result) }, outcomes }
}

/**
 * Runs every `tool_use` block of an assistant message (or content) and answers with one user message holding
 * exactly one `tool_result` per `tool_use` id, in the blocks' order. Never fails: an unknown tool, an input
 * that does not decode, a typed failure, a defect, a timeout or an interrupted handler each become a result
 * with `is_error: true` and a readable message.
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
} = dual(
  (args) => isToolkit(args[0]),
  <R>(
    self: Toolkit<R>,
    message: { readonly content: unknown } | ReadonlyArray<unknown>,
    options: HandleOptions = {}
  ): Effect.Effect<Results, never, R> =>
    Effect.suspend(() => {
      const uses = toolUses(message)
      const slots: Array<Outcome | undefined> = uses.map(() => undefined)
      return Effect.map(runInto(self, uses, options, slots), () => collect(uses, slots, options))
    })
)
