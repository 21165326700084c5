/**
 * The preflight's options resolved to one flat record, once per layer and (only when a call
 * passes its own) once per call: the call's options override the layer's field by field.
 */
import { Limits } from "@claude-resilience/api"
import type * as Preflight from "../../Preflight.js"

/** The layer's `Preflight.Defaults` but the API key's check, which runs once at layer construction. */
export type Config = Omit<Preflight.Defaults, "apiKey">

export const DEFAULTS: Config = {
  maxTokens: "clamp",
  unknownModel: "warn",
  retiredModel: "fail",
  images: true,
  cacheControl: true,
  tools: true,
  requestSize: Limits.requestBytes
}

const OFF: Config = {
  maxTokens: false,
  unknownModel: false,
  retiredModel: false,
  images: false,
  cacheControl: false,
  tools: false,
  requestSize: false
}

/** `base` with the fields `options` sets; `false` turns every check off (`undefined`). */
export const merge = (base: Config | undefined, options: Preflight.Options | false | undefined): Config | undefined => {
  if (options === false) return undefined
  if (options === undefined) return base
  const from = base ?? OFF
  return {
    maxTokens: options.maxTokens !== undefined ? options.maxTokens : from.maxTokens,
    unknownModel: options.unknownModel !== undefined ? options.unknownModel : from.unknownModel,
    retiredModel: options.retiredModel !== undefined ? options.retiredModel : from.retiredModel,
    images: options.images ?? from.images,
    cacheControl: options.cacheControl ?? from.cacheControl,
    tools: options.tools ?? from.tools,
    requestSize:
      options.requestSize === undefined
        ? from.requestSize
        : options.requestSize === true
          ? Limits.requestBytes
          : options.requestSize
  }
}

/** The layer's options over the defaults. */
export const resolve = (options: Preflight.Options | false | undefined): Config | undefined =>
  options === undefined ? DEFAULTS : merge(DEFAULTS, options)
