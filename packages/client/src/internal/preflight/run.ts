/**
 * The preflight of one request: the checks in order of cost — model, `max_tokens`, tools, blocks
 * (`cache_control`, images), size — each switchable. Pure and synchronous: the request back
 * (the same object when nothing changes, a shallow copy when `max_tokens` was clamped) or the
 * first failure; notices (a clamp, an unknown or retired id let through) go to the sink.
 */
import { Limits, Model } from "@claude-resilience/api"
import { ClaudeError } from "@claude-resilience/errors"
import type * as Preflight from "../../Preflight.js"
import type { Config } from "./config.js"
import { checkContent } from "./content.js"
import { requestTooLarge } from "./fail.js"
import { checkMaxTokens, checkModel, type Sink } from "./model.js"
import { oversize } from "./size.js"
import { checkTools } from "./tools.js"

/** Bytes the SDK adds to the body of a stream: `,"stream":true`. */
export const STREAM_BYTES = 14

export const run = <P extends Preflight.Request>(
  params: P,
  config: Config,
  sink: Sink,
  extraBytes: number = 0
): P | Preflight.Failure => {
  const id = params.model
  const model = typeof id === "string" ? Model.unsafeGet(id) : undefined
  if (typeof id === "string") {
    const failed = checkModel(id, model, config, sink)
    if (failed !== undefined) return failed
  }
  const clamped = checkMaxTokens(params.max_tokens, id, model, config, sink)
  if (typeof clamped === "object") return clamped
  const tools = params.tools
  if (config.tools && Array.isArray(tools)) {
    const failed = checkTools(tools)
    if (failed !== undefined) return failed
  }
  if (Array.isArray(params.messages)) {
    const maxImages = Limits.imagesPerRequest(model !== undefined ? model.contextWindow : Model.defaultContextWindow)
    const failed = checkContent(params, config, maxImages)
    if (failed !== undefined) return failed
  }
  const result: P = clamped === undefined ? params : { ...params, max_tokens: clamped }
  if (config.requestSize !== false) {
    const bytes = oversize(result, config.requestSize, extraBytes)
    if (bytes !== undefined) return requestTooLarge(bytes, config.requestSize)
  }
  return result
}

export const isFailure = <P>(result: P | Preflight.Failure): result is Preflight.Failure =>
  ClaudeError.isClaudeError(result)
