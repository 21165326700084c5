/**
 * One walk over the blocks of a request — tools, system, messages, and the blocks nested in a
 * `tool_result` or a `document` — for the two checks that look at blocks: `cache_control` (at most
 * 4 breakpoints, a valid value, never on a thinking block) and images (see `image.ts`). It reads
 * and counts; a path string is built only for a failure (or for the one location a later failure
 * may name).
 */
import { Content, Limits } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Predicate from "effect/Predicate"
import type { Config } from "./config.js"
import { ADVICE, preflightError } from "./fail.js"
import { checkImage, type Images, imagesVerdict } from "./image.js"
import { fieldOf, pathOf, SYSTEM, TOOLS, TOP } from "./path.js"

/** What the walk counts, and the locations a failure after it names. */
interface Tally extends Images {
  breakpoints: number
  /** where the first breakpoint over the limit is */
  overflow: string | undefined
}

const isTtl = (u: unknown): boolean => u === undefined || u === "5m" || u === "1h"

/** A `cache_control`: counted when set, refused on a thinking block or when malformed. */
const cacheControl = (
  value: unknown,
  type: unknown,
  tally: Tally,
  i: number,
  k: number,
  j: number,
  inDocument: boolean
): ClaudeError.PreflightError | undefined => {
  if (value === undefined || value === null) return undefined
  if (type === "thinking" || type === "redacted_thinking") {
    return preflightError(
      "cache_control",
      fieldOf(pathOf(i, k, j, inDocument), "cache_control"),
      `a ${type} block cannot carry cache_control`,
      ADVICE.cacheControlPlacement
    )
  }
  if (!Predicate.isRecord(value) || value.type !== "ephemeral" || !isTtl(value.ttl)) {
    return preflightError(
      "cache_control",
      fieldOf(pathOf(i, k, j, inDocument), "cache_control"),
      'cache_control must be { type: "ephemeral" } with an optional ttl of "5m" or "1h"',
      ADVICE.cacheControlValue
    )
  }
  tally.breakpoints += 1
  if (tally.breakpoints === Limits.cacheBreakpoints + 1) {
    tally.overflow = fieldOf(pathOf(i, k, j, inDocument), "cache_control")
  }
  return undefined
}

/** One block of a message, or of a tool_result or document inside one (`j >= 0`). */
const visit = (
  block: unknown,
  i: number,
  k: number,
  j: number,
  inDocument: boolean,
  config: Config,
  tally: Tally
): ClaudeError.PreflightError | undefined => {
  if (!Predicate.isRecord(block)) return undefined
  if (config.cacheControl) {
    const failed = cacheControl(block.cache_control, block.type, tally, i, k, j, inDocument)
    if (failed !== undefined) return failed
  }
  if (block.type === "image") {
    return config.images ? checkImage(block, tally, i, k, j, inDocument) : undefined
  }
  if (j >= 0) return undefined
  // one level of nesting: a tool_result's content, a document's content source
  const nested = Content.nestedBlocksOf(block)
  if (nested === undefined) return undefined
  const inDoc = block.type === "document"
  for (let n = 0; n < nested.length; n++) {
    const failed = visit(nested[n], i, k, n, inDoc, config, tally)
    if (failed !== undefined) return failed
  }
  return undefined
}

/** The fields of a request the walk reads. */
export interface Shape {
  readonly messages: ReadonlyArray<unknown>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<unknown> | undefined
  readonly cache_control?: unknown
}

/** The `cache_control` and image checks over every block, in the API's order: tools, system, messages. */
export const checkContent = (
  params: Shape,
  config: Config,
  maxImages: number
): ClaudeError.PreflightError | undefined => {
  if (!config.cacheControl && !config.images) return undefined
  const tally: Tally = {
    breakpoints: 0,
    overflow: undefined,
    images: 0,
    maxImages,
    tooMany: undefined,
    large: undefined,
    largeSide: 0
  }
  const tools = params.tools
  if (config.cacheControl && tools !== undefined) {
    for (let t = 0; t < tools.length; t++) {
      const tool = tools[t]
      if (!Predicate.isRecord(tool)) continue
      const failed = cacheControl(tool.cache_control, tool.type, tally, TOOLS, t, -1, false)
      if (failed !== undefined) return failed
    }
  }
  const system = params.system
  if (config.cacheControl && Array.isArray(system)) {
    for (let k = 0; k < system.length; k++) {
      const block = system[k]
      if (!Predicate.isRecord(block)) continue
      const failed = cacheControl(block.cache_control, block.type, tally, SYSTEM, k, -1, false)
      if (failed !== undefined) return failed
    }
  }
  const messages = params.messages
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]
    if (!Predicate.isRecord(message)) continue
    const content = message.content
    if (!Array.isArray(content)) continue
    for (let k = 0; k < content.length; k++) {
      const failed = visit(content[k], i, k, -1, false, config, tally)
      if (failed !== undefined) return failed
    }
  }
  if (config.cacheControl) {
    const failed = cacheControl(params.cache_control, undefined, tally, TOP, 0, -1, false)
    if (failed !== undefined) return failed
    if (tally.breakpoints > Limits.cacheBreakpoints) {
      return preflightError(
        "cache_control",
        tally.overflow ?? "cache_control",
        `${tally.breakpoints} blocks carry cache_control, above the API's limit of ${Limits.cacheBreakpoints}`,
        ADVICE.cacheBreakpoints
      )
    }
  }
  return config.images ? imagesVerdict(tally) : undefined
}
