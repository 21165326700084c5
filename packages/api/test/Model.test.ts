import { Model } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"

describe("Model", () => {
  it("finds a model by alias, snapshot and a new dated snapshot", () => {
    expect(Option.map(Model.get("claude-sonnet-4-5"), (m) => m.id)).toEqual(Option.some("claude-sonnet-4-5"))
    expect(Option.map(Model.get("claude-sonnet-4-5-20250929"), (m) => m.id)).toEqual(Option.some("claude-sonnet-4-5"))
    expect(Option.map(Model.get("claude-sonnet-4-6-20260101"), (m) => m.id)).toEqual(Option.some("claude-sonnet-4-6"))
    expect(Option.map(Model.get("claude-opus-4-20250514"), (m) => m.id)).toEqual(Option.some("claude-opus-4-0"))
    expect(Model.isKnown("claude-sonnet-4-55")).toBe(false)
    expect(Model.isKnown("gpt-4")).toBe(false)
  })

  it("says which models take a prefill, known or not", () => {
    expect(Model.resumeMode("claude-opus-4-6")).toBe("continuation")
    expect(Model.resumeMode("claude-sonnet-4-6-20260101")).toBe("continuation")
    expect(Model.resumeMode("claude-opus-4-8")).toBe("continuation")
    expect(Model.resumeMode("claude-fable-5")).toBe("continuation")
    expect(Model.resumeMode("claude-haiku-4-5")).toBe("prefill")
    expect(Model.resumeMode("claude-sonnet-4-20250514")).toBe("prefill")
    expect(Model.resumeMode("claude-3-7-sonnet-latest")).toBe("prefill")
    expect(Model.resumeMode("claude-4-9-sonnet")).toBe("continuation")
  })

  it("prices usage and reads windows", () => {
    expect(Model.cost("claude-haiku-4-5", { inputTokens: 2_000_000, outputTokens: 1_000_000 })).toBe(7)
    expect(Model.cost("unknown", { inputTokens: 1, outputTokens: 1 })).toBeUndefined()
    expect(Model.contextWindow("claude-sonnet-4-5", { longContext: true })).toBe(1_000_000)
    expect(Model.contextWindow("claude-haiku-4-5", { longContext: true })).toBe(200_000)
    expect(Model.contextWindow("mystery")).toBe(Model.defaultContextWindow)
  })

  it("suggests the nearest known ids", () => {
    expect(Model.suggest("claude-sonet-4-5")[0]).toBe("claude-sonnet-4-5")
    expect(Model.suggest("claude-haiku-4-5-2025100")[0]).toBe("claude-haiku-4-5-20251001")
  })

  it.prop("suggests no id of an excluded status", [fc.string({ maxLength: 30 })], ([id]) => {
    const suggested = Model.suggest(id, 5, { exclude: ["retired"] })
    expect(suggested).toHaveLength(5)
    for (const known of suggested)
      expect(Option.map(Model.get(known), (m) => m.status)).not.toEqual(Option.some("retired"))
  })

  it("every id resolves to the entry that lists it, and every entry has a source", () => {
    for (const model of Model.all) {
      expect(model.source.url).toMatch(/^https:\/\//)
      expect(model.maxOutputTokens).toBeGreaterThan(0)
      for (const id of model.ids) expect(Option.getOrUndefined(Model.get(id))).toBe(model)
    }
  })

  it("lookup is total and a hit always names a prefix of the id", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(...Model.ids).chain((id) => fc.string().map((s) => id + s))
        ),
        (id) => {
          const found = Model.unsafeGet(id)
          if (found !== undefined)
            expect(found.ids.some((known) => id === known || id.startsWith(`${known}-`))).toBe(true)
        }
      )
    )
  })
})
