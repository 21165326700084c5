/**
 * Running a turn's tool calls: every `tool_use` gets exactly one outcome, written into its slot as
 * soon as it is known, so an interrupted caller still knows which calls finished.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import type * as Tool from "../Tool.js"
import type { HandleOptions, Outcome, Results, Toolkit, ToolUse, TypeId as TypeIdType } from "../Toolkit.js"
import * as ToolFailure from "../ToolFailure.js"
import * as output from "./output.js"

/** @internal */
export const TypeId: TypeIdType = Symbol.for("@claude-resilience/tools/Toolkit") as TypeIdType

const Proto = {
  [TypeId]: TypeId,
  pipe() {
    // biome-ignore lint/complexity/noArguments: Effect's Pipeable idiom
    return pipeArguments(this, arguments)
  }
}

/** @internal */
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

/** @internal */
export const isToolkit = (u: unknown): u is Toolkit<unknown> => Predicate.hasProperty(u, TypeId)

/** @internal */
export const toolUses = (message: { readonly content: unknown } | ReadonlyArray<unknown>): ReadonlyArray<ToolUse> =>
  Content.toolUsesOf(Array.isArray(message) ? message : Content.contentOf(message))

/**
 * The text of an error result: the caller's formatter, else (or when it throws or returns no text) the
 * default one, else a fixed text, so that every call gets its result.
 */
const errorText = (failure: ToolFailure.ToolFailure, options: HandleOptions): string => {
  const formats = [
    options.formatError,
    ToolFailure.formatter({ exposeDefects: options.exposeDefects }),
    ToolFailure.formatter()
  ]
  for (const format of formats) {
    if (format === undefined) continue
    try {
      const text: unknown = format(failure)
      if (typeof text === "string" && text.length > 0) return text
    } catch {
      // a formatter that throws (or an error whose fields cannot be read) falls back to the next one
    }
  }
  return `Error: tool "${failure.toolName}" failed.`
}

/** The error result of a call that failed. @internal */
export const failureOutcome = (
  toolUse: ToolUse,
  failure: ToolFailure.ToolFailure,
  options: HandleOptions
): Outcome => ({
  toolUse,
  failure,
  result: Content.errorResult(toolUse.id, errorText(failure, options))
})

/** Runs the calls, writing each outcome into `slots` as soon as it is known. @internal */
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
    const call: Effect.Effect<unknown, ToolFailure.ToolFailure, R> =
      timeout === undefined
        ? tool.call(toolUse.input, toolUse.id)
        : Effect.timeoutFail(tool.call(toolUse.input, toolUse.id), {
            duration: timeout,
            onTimeout: () => new ToolFailure.TimedOut({ ...ids, timeout })
          })
    return Effect.exit(Effect.interruptible(call)).pipe(
      Effect.flatMap((exit) => {
        if (Exit.isSuccess(exit)) {
          // whatever the tool produced: undefined becomes "(no output)", a value that is not content an error
          return Either.match(output.content(exit.value), {
            onLeft: (message) => fail(new ToolFailure.InvalidOutput({ ...ids, message })),
            onRight: (content) =>
              Effect.sync(() => {
                slots[index] = {
                  toolUse,
                  result: { type: "tool_result", tool_use_id: toolUse.id, content },
                  failure: undefined
                }
              })
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

/** The answer to the turn, the calls that never finished filled with `Interrupted` results. @internal */
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

/** @internal */
export const handle = dual(
  (args: IArguments) => isToolkit(args[0]),
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
