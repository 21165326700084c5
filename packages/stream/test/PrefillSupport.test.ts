/**
 * PrefillSupport reads the project's one model table (`@claude-resilience/api`'s `Model`); overrides
 * come first, the longest matching one winning; what is learned comes before both.
 */
import { Model } from "@claude-resilience/api"
import { PrefillSupport } from "@claude-resilience/stream"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("PrefillSupport", () => {
  it("agrees with the Model table for every known id and a new dated snapshot of it", () => {
    expect(Model.ids.length).toBeGreaterThan(10)
    for (const id of Model.ids) {
      const expected = Model.unsafeGet(id)?.prefill ? "prefill" : "continuation"
      expect(PrefillSupport.known(id), id).toBe(expected)
      expect(PrefillSupport.known(`${id}-20991231`), `${id}-20991231`).toBe(expected)
    }
  })

  it("overrides: exact ids and prefixes ending in *, the longest match wins", () => {
    const overrides: PrefillSupport.Overrides = {
      "my-proxy*": "continuation",
      "my-proxy-haiku*": "prefill",
      "claude-haiku-4-5": "continuation"
    }
    expect(PrefillSupport.known("my-proxy-sonnet", overrides)).toBe("continuation")
    expect(PrefillSupport.known("my-proxy-haiku-1", overrides)).toBe("prefill")
    expect(PrefillSupport.known("claude-haiku-4-5", overrides)).toBe("continuation")
    expect(PrefillSupport.known("claude-haiku-4-5-20251001", overrides)).toBe("prefill")
  })

  it.effect("what is learned comes before overrides and the table, once per model", () =>
    Effect.gen(function* () {
      const support = yield* PrefillSupport.make({ overrides: { "claude-haiku-4-5*": "prefill" } })
      expect(yield* support.resumeMode("claude-haiku-4-5")).toBe("prefill")
      expect(yield* support.learnRejection("claude-haiku-4-5")).toBe(true)
      expect(yield* support.learnRejection("claude-haiku-4-5")).toBe(false)
      expect(yield* support.resumeMode("claude-haiku-4-5")).toBe("continuation")
      expect(yield* support.resumeMode("claude-haiku-4-5-20251001")).toBe("prefill")
      expect([...(yield* support.learned)]).toEqual([["claude-haiku-4-5", "continuation"]])
    })
  )
})
