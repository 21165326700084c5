/**
 * The path of a value in a request, as a failure names it: `messages[3].content[0].source.data`.
 * A block's position travels as numbers and becomes a string only when a failure needs it.
 */

/** `i` for a tool's position (`tools[k]`). */
export const TOOLS = -1
/** `i` for a system block's position (`system[k]`). */
export const SYSTEM = -2
/** `i` for the request itself (a top-level field). */
export const TOP = -3

/**
 * `messages[i].content[k]`, then `.content[j]` (in a tool_result) or `.source.content[j]` (in a
 * document) when `j >= 0`; `tools[k]`, `system[k]`, or `""` for the request itself.
 */
export const pathOf = (i: number, k: number, j: number, inDocument: boolean): string => {
  if (i === TOOLS) return `tools[${k}]`
  if (i === SYSTEM) return `system[${k}]`
  if (i === TOP) return ""
  return j < 0
    ? `messages[${i}].content[${k}]`
    : `messages[${i}].content[${k}]${inDocument ? ".source" : ""}.content[${j}]`
}

/** A field of the value at `path`. */
export const fieldOf = (path: string, name: string): string => (path === "" ? name : `${path}.${name}`)
