import { LimitKey } from "@claude-resilience/rate-limit"
import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
import { inspect } from "node:util"

const secret = "sk-ant-api03-very-secret-key"

describe("LimitKey", () => {
  it("fingerprints the API key, never carrying it", () => {
    const key = LimitKey.make(Redacted.make(secret), "claude-sonnet-4-6")
    assert.match(key.id, /^[0-9a-f]{16}:sonnet-4$/)
    for (const shown of [key.id, JSON.stringify(key), inspect(key, { depth: 5 })]) assert.notInclude(shown, "sk-ant")
  })

  it("is stable for equal keys and differs between keys", () => {
    const a = LimitKey.fingerprint(Redacted.make(secret))
    assert.strictEqual(LimitKey.fingerprint(Redacted.make(secret)), a)
    assert.notStrictEqual(LimitKey.fingerprint(Redacted.make(`${secret}2`)), a)
  })

  it("models of one rate-limit class share a key; unknown models are their own class", () => {
    const apiKey = Redacted.make(secret)
    assert.strictEqual(LimitKey.make(apiKey, "claude-opus-4-6").id, LimitKey.make(apiKey, "claude-opus-4-8").id)
    assert.notStrictEqual(LimitKey.make(apiKey, "claude-opus-4-6").id, LimitKey.make(apiKey, "claude-haiku-4-5").id)
    assert.strictEqual(LimitKey.make(apiKey, "my-proxy-model").rateLimitClass, "my-proxy-model")
    assert.strictEqual(LimitKey.make(apiKey, "claude-haiku-4-5-20251001").rateLimitClass, "haiku-4-5")
  })
})
