/**
 * What a tool sends back: a handler's output as JSON text, and the check that whatever a tool's `call`
 * produced can be the content of a `tool_result` (text, or content blocks that survive JSON). A value
 * that cannot becomes a reason, which the toolkit turns into an `InvalidOutput` error result.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as Tool from "../Tool.js"
import * as shape from "./shape.js"

/** The content of a successful call that produced nothing (`Effect.void`, `undefined`). @internal */
export const noOutput = "(no output)"

/** Why `JSON.stringify` threw, in our words: its own message may quote the value. */
const stringifyFailure = (error: unknown): string => {
  let message = ""
  try {
    message = error instanceof Error ? String(error.message) : ""
  } catch {
    // an error whose message cannot be read says nothing more
  }
  if (/circular/i.test(message)) return "it contains a circular reference"
  if (/bigint/i.test(message)) return "it contains a BigInt"
  return "it cannot be serialised to JSON"
}

/** A value as JSON text, or why it cannot be. @internal */
export const json = (value: unknown): Either.Either<string, string> => {
  switch (typeof value) {
    case "function":
      return Either.left("it is a function")
    case "symbol":
      return Either.left("it is a symbol")
    case "bigint":
      return Either.left("it is a BigInt")
  }
  try {
    const text: string | undefined = JSON.stringify(value)
    return text === undefined ? Either.left("it serialises to nothing") : Either.right(text)
  } catch (error) {
    return Either.left(stringifyFailure(error))
  }
}

/** What was given to `Tool.content`: text or an array (whose blocks {@link content} checks). @internal */
export const boxed = (value: unknown): Either.Either<Tool.Content, string> =>
  typeof value === "string" || Array.isArray(value)
    ? Either.right(value as Tool.Content)
    : Either.left(`Tool.content was given ${shape.kindOf(value)}, expected content blocks`)

/**
 * The content of a `tool_result` from what a tool's `call` produced: `undefined` becomes
 * {@link noOutput}, a string stays, an array must hold content blocks of the right shape that JSON
 * can carry; anything else is a reason.
 *
 * @internal
 */
export const content = (value: unknown): Either.Either<Tool.Content, string> => {
  if (value === undefined) return Either.right(noOutput)
  if (typeof value === "string") return Either.right(value)
  if (!Array.isArray(value)) {
    return Either.left(`expected text or content blocks, found ${shape.kindOf(value)}`)
  }
  for (let k = 0; k < value.length; k++) {
    const problem = shape.blockProblem(value[k])
    if (problem !== undefined) return Either.left(`${shape.join(`content.${k}`, problem.field)}: ${problem.reason}`)
  }
  return Either.map(json(value), () => value as Tool.Content)
}
