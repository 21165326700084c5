/**
 * The tool definitions: each name matches the API's pattern and is used once; each custom tool
 * (no `type`, or `type: "custom"`) has an object `input_schema`. Server tools (`web_search_…`,
 * `bash_…`, …) carry no schema and keep their fixed names.
 */
import { Limits } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Predicate from "effect/Predicate"
import { ADVICE, preflightError, show } from "./fail.js"

const isCustom = (tool: Readonly<Record<string, unknown>>): boolean =>
  tool.type === undefined || tool.type === null || tool.type === "custom"

/** Up to this many tools, names are compared by a scan, which allocates nothing; above, through a map. */
const SCAN = 32

/** The first earlier tool with the same name. */
const firstWithName = (tools: ReadonlyArray<unknown>, name: string, before: number): number => {
  for (let j = 0; j < before; j++) {
    const other = tools[j]
    if (Predicate.isRecord(other) && other.name === name) return j
  }
  return -1
}

export const checkTools = (tools: ReadonlyArray<unknown>): ClaudeError.PreflightError | undefined => {
  const seen = tools.length > SCAN ? new Map<string, number>() : undefined
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i]
    if (!Predicate.isRecord(tool) || typeof tool.name !== "string") {
      return preflightError("tools", `tools[${i}].name`, `tools[${i}] has no name`, ADVICE.toolName)
    }
    const name = tool.name
    if (!Limits.toolName.test(name)) {
      return preflightError(
        "tools",
        `tools[${i}].name`,
        `tool name ${show(name)} does not match ^[a-zA-Z0-9_-]{1,64}$`,
        ADVICE.toolName
      )
    }
    const same = seen === undefined ? firstWithName(tools, name, i) : (seen.get(name) ?? -1)
    seen?.set(name, i)
    if (same >= 0) {
      return preflightError(
        "tools",
        `tools[${i}].name`,
        `tool name ${show(name)} is used by tools[${same}] and tools[${i}]`,
        ADVICE.toolName
      )
    }
    if (!isCustom(tool)) continue
    const schema = tool.input_schema
    if (!Predicate.isRecord(schema)) {
      return preflightError(
        "tools",
        `tools[${i}].input_schema`,
        `tool ${show(name)} has no input_schema object`,
        ADVICE.toolSchema
      )
    }
    if (schema.type !== "object") {
      return preflightError(
        "tools",
        `tools[${i}].input_schema.type`,
        `the input_schema of tool ${show(name)} has type ${show(schema.type)}, not "object"`,
        ADVICE.toolSchema
      )
    }
  }
  return undefined
}
