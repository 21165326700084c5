/**
 * Why a tool call did not produce a normal result. Every one of these still becomes a `tool_result` with
 * `is_error: true`, so the conversation stays valid and the model can react; this module describes them
 * and turns them into the text the model reads.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"

/**
 * The model called a tool the toolkit does not have.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.UnknownTool({ toolName: "fly", toolUseId: "toolu_1", available: ["add"] })
 * ```
 */
export class UnknownTool extends Data.TaggedClass("UnknownTool")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly available: ReadonlyArray<string>
}> {}

/**
 * The input did not decode with the tool's Schema; `message` is the Schema's (`TreeFormatter`) message.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.InvalidInput({ toolName: "add", toolUseId: "toolu_1", message: "is missing" })
 * ```
 */
export class InvalidInput extends Data.TaggedClass("InvalidInput")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly message: string
}> {}

/**
 * The handler failed with a typed error (its `E`).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.Failed({ toolName: "add", toolUseId: "toolu_1", error: "overflow" })
 * ```
 */
export class Failed extends Data.TaggedClass("Failed")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly error: unknown
}> {}

/**
 * The handler succeeded, but its output cannot be sent as a `tool_result`: a function, a symbol, a BigInt, a
 * circular structure, a value `JSON.stringify` rejects or turns into nothing, content blocks of the wrong
 * shape, or an output its `success` Schema does not encode. `message` says which (in words of this package,
 * which never quote the value; for a `success` Schema, with the Schema's message).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.InvalidOutput({ toolName: "add", toolUseId: "toolu_1", message: "it is a function" })
 * ```
 */
export class InvalidOutput extends Data.TaggedClass("InvalidOutput")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly message: string
}> {}

/**
 * The handler died (a thrown exception, `Effect.die`): a bug, whose details stay out of the result unless
 * `exposeDefects` is set.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 * import { Cause } from "effect"
 *
 * const failure = new ToolFailure.Defect({ toolName: "add", toolUseId: "toolu_1", cause: Cause.die("boom") })
 * ```
 */
export class Defect extends Data.TaggedClass("Defect")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly cause: Cause.Cause<unknown>
}> {}

/**
 * The handler ran longer than its timeout and was interrupted.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 * import { Duration } from "effect"
 *
 * const failure = new ToolFailure.TimedOut({ toolName: "add", toolUseId: "toolu_1", timeout: Duration.seconds(5) })
 * ```
 */
export class TimedOut extends Data.TaggedClass("TimedOut")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly timeout: Duration.Duration
}> {}

/**
 * The handler was interrupted (it interrupted itself, or the run was interrupted before it finished).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.Interrupted({ toolName: "add", toolUseId: "toolu_1" })
 * ```
 */
export class Interrupted extends Data.TaggedClass("Interrupted")<{
  readonly toolName: string
  readonly toolUseId: string
}> {}

/**
 * The tool was not run because the tool loop reached its turn limit.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const failure = new ToolFailure.NotRun({ toolName: "add", toolUseId: "toolu_1", reason: "turn limit reached" })
 * ```
 */
export class NotRun extends Data.TaggedClass("NotRun")<{
  readonly toolName: string
  readonly toolUseId: string
  readonly reason: string
}> {}

/**
 * Every way a tool call can end without a normal result.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const tag = (failure: ToolFailure.ToolFailure) => failure._tag
 * ```
 */
export type ToolFailure = UnknownTool | InvalidInput | Failed | InvalidOutput | Defect | TimedOut | Interrupted | NotRun

/**
 * Turns a failure into the text of its `tool_result`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ToolFailure } from "@claude-resilience/tools"
 *
 * const terse: ToolFailure.Formatter = (failure) => `Error (${failure._tag})`
 * ```
 */
export type Formatter = (failure: ToolFailure) => string

/**
 * Options of {@link format}.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ToolFailure } from "@claude-resilience/tools"
 *
 * const options: ToolFailure.FormatOptions = { exposeDefects: true }
 * ```
 */
export interface FormatOptions {
  /** include a defect's message and stack trace (default `false`: they may hold paths or secrets) */
  readonly exposeDefects?: boolean | undefined
}

const typedMessage = (error: unknown): string => {
  if (typeof error === "string") return error
  const tag = Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined
  const message =
    Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message.length > 0
      ? error.message
      : undefined
  const name = tag ?? (error instanceof Error ? error.name : undefined)
  if (name !== undefined && message !== undefined) return `${name}: ${message}`
  return message ?? name ?? "the tool failed"
}

/**
 * The default text of an error result: short, actionable, no stack traces and no error fields beyond a
 * typed failure's tag and `message` (so a secret held in an error does not reach the model).
 *
 * | failure | text |
 * |---|---|
 * | UnknownTool | `Error: unknown tool "x". Available tools: a, b.` |
 * | InvalidInput | `Error: invalid input for tool "x": <the Schema's message>` |
 * | Failed | `Error: <_tag or name>: <message>` (a string error as is) |
 * | InvalidOutput | `Error: tool "x" returned a result that cannot be sent: <why>.` |
 * | Defect | `Error: tool "x" failed unexpectedly.` (+ `Cause.pretty` with `exposeDefects`) |
 * | TimedOut | `Error: tool "x" timed out after 5s.` |
 * | Interrupted | `Error: tool "x" was interrupted before it finished.` |
 * | NotRun | `Error: tool "x" was not run: <reason>.` |
 *
 * @since 0.1.0
 * @category Formatting
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const text = ToolFailure.format(new ToolFailure.Interrupted({ toolName: "add", toolUseId: "toolu_1" }))
 * // "Error: tool \"add\" was interrupted before it finished."
 * ```
 */
export const format = (failure: ToolFailure, options: FormatOptions = {}): string => {
  switch (failure._tag) {
    case "UnknownTool":
      return `Error: unknown tool "${failure.toolName}". Available tools: ${failure.available.join(", ") || "none"}.`
    case "InvalidInput":
      return `Error: invalid input for tool "${failure.toolName}": ${failure.message}`
    case "Failed":
      return `Error: ${typedMessage(failure.error)}`
    case "InvalidOutput":
      return `Error: tool "${failure.toolName}" returned a result that cannot be sent: ${failure.message}.`
    case "Defect":
      return options.exposeDefects === true
        ? `Error: tool "${failure.toolName}" failed unexpectedly: ${Cause.pretty(failure.cause)}`
        : `Error: tool "${failure.toolName}" failed unexpectedly.`
    case "TimedOut":
      return `Error: tool "${failure.toolName}" timed out after ${Duration.format(failure.timeout)}.`
    case "Interrupted":
      return `Error: tool "${failure.toolName}" was interrupted before it finished.`
    case "NotRun":
      return `Error: tool "${failure.toolName}" was not run: ${failure.reason}.`
  }
}

/**
 * A formatter from {@link format}'s options.
 *
 * @since 0.1.0
 * @category Formatting
 * @example
 * ```ts
 * import { ToolFailure } from "@claude-resilience/tools"
 *
 * const verbose = ToolFailure.formatter({ exposeDefects: true })
 * ```
 */
export const formatter =
  (options: FormatOptions = {}): Formatter =>
  (failure) =>
    format(failure, options)
