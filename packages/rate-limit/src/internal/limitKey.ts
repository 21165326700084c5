import { Model } from "@claude-resilience/api"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import type { LimitKey } from "../LimitKey.js"

const DOMAIN = "claude-resilience/limit-key/v1\u0000"

/** @internal */
export const fingerprint = (apiKey: Redacted.Redacted<string>): string =>
  createHash("sha256").update(DOMAIN).update(Redacted.value(apiKey)).digest("hex").slice(0, 16)

/** @internal */
export const rateLimitClass = (model: string): string => Model.unsafeGet(model)?.rateLimitClass ?? model

// Hashing costs a few microseconds: remember the fingerprint per Redacted value (never the key
// itself), and the keys built from it per model, a bounded number of them.
const fingerprints = new WeakMap<Redacted.Redacted<string>, Map<string, LimitKey>>()
const MAX_MODELS_PER_KEY = 256

/** @internal */
export const make = (apiKey: Redacted.Redacted<string>, model: string): LimitKey => {
  let byModel = fingerprints.get(apiKey)
  if (byModel === undefined) {
    byModel = new Map()
    fingerprints.set(apiKey, byModel)
  }
  let key = byModel.get(model)
  if (key === undefined) {
    const first = byModel.values().next()
    const print = first.done === true ? fingerprint(apiKey) : first.value.fingerprint
    if (byModel.size >= MAX_MODELS_PER_KEY) byModel.clear()
    key = unsafeMake(print, rateLimitClass(model))
    byModel.set(model, key)
  }
  return key
}

/** @internal */
export const unsafeMake = (print: string, limitClass: string): LimitKey => ({
  id: `${print}:${limitClass}`,
  fingerprint: print,
  rateLimitClass: limitClass
})
