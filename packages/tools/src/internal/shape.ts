/**
 * Reading values of unknown shape: what kind of value something is, and what is wrong with a
 * content block, said in a few words. A conversation may come from a store or a user, a reply from
 * an API-compatible server or a fake: nothing here trusts a type.
 *
 * A reason names the field and the kind of value found, never the value itself (a string may be a
 * secret a server echoed back).
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"

/** What kind of value `u` is (`Content.kindOf`). @internal */
export const kindOf = Content.kindOf

/** A problem at `field` (relative to the value checked; empty for the value itself). @internal */
export interface FieldProblem {
  readonly field: string
  readonly reason: string
}

const expected = (field: string, what: string, found: unknown): FieldProblem => ({
  field,
  reason: `expected ${what}, found ${kindOf(found)}`
})

const isString = (u: unknown): u is string => typeof u === "string"
const isNonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length > 0

const requireString = (block: Record<string, unknown>, field: string, nonEmpty = false): FieldProblem | undefined => {
  const value = block[field]
  if (nonEmpty ? isNonEmptyString(value) : isString(value)) return undefined
  return expected(field, nonEmpty ? "a non-empty string" : "a string", value)
}

/** Whether `u` is a non-negative safe integer: a token count. @internal */
export const isCount = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

/**
 * What is wrong with a content block, or `undefined`. Every block needs a string `type`; the
 * fields this package (and `Content.toParam`) read are checked for the block types that have them.
 * Unknown types pass: the API judges them.
 *
 * @internal
 */
export const blockProblem = (block: unknown): FieldProblem | undefined => {
  if (!Predicate.isRecord(block)) return expected("", "a content block (an object)", block)
  const type = block.type
  if (typeof type !== "string") return expected("type", "a string", type)
  switch (type) {
    case "text":
      return requireString(block, "text")
    case "tool_use":
      return (
        requireString(block, "id", true) ??
        requireString(block, "name", true) ??
        (Predicate.isRecord(block.input) ? undefined : expected("input", "an object", block.input))
      )
    case "tool_result": {
      const problem = requireString(block, "tool_use_id", true)
      if (problem !== undefined) return problem
      if (block.is_error !== undefined && typeof block.is_error !== "boolean") {
        return expected("is_error", "a boolean", block.is_error)
      }
      const content = block.content
      if (content === undefined || typeof content === "string") return undefined
      if (!Array.isArray(content)) return expected("content", "a string or an array of content blocks", content)
      for (let k = 0; k < content.length; k++) {
        const inner = blockProblem(content[k])
        if (inner !== undefined) return { field: join(`content.${k}`, inner.field), reason: inner.reason }
      }
      return undefined
    }
    case "thinking":
      return requireString(block, "thinking") ?? requireString(block, "signature")
    case "redacted_thinking":
      return requireString(block, "data")
    default:
      return undefined
  }
}

/** `a.b`, or `a` when `b` is empty. @internal */
export const join = (path: string, field: string): string =>
  field.length === 0 ? path : path.length === 0 ? field : `${path}.${field}`
