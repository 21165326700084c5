/** The pure statistics and round order of the `paths` section. Nothing here measures time. */
import { Rounds } from "@claude-resilience/bench"
import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"

describe("Rounds statistics", () => {
  it("spread: median of an odd and an even count, min and max, NaN when empty", () => {
    expect(Rounds.spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 })
    expect(Rounds.spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 })
    expect(Number.isNaN(Rounds.spread([]).median)).toBe(true)
  })

  it("spread: the median lies between min and max and is one of the values for odd counts", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1 }), (values) => {
        const s = Rounds.spread(values)
        expect(s.min).toBe(Math.min(...values))
        expect(s.max).toBe(Math.max(...values))
        expect(s.median).toBeGreaterThanOrEqual(s.min)
        expect(s.median).toBeLessThanOrEqual(s.max)
        if (values.length % 2 === 1) expect(values).toContain(s.median)
      })
    )
  })

  it("ratios are per round, skipping rounds without a positive reference", () => {
    expect(Rounds.ratios([200, 300, 50], [100, 150, 0])).toEqual([2, 2])
    expect(Rounds.ratios([1, 2], [1])).toEqual([1])
  })

  it("differences are per round, as long as both have the round", () => {
    expect(Rounds.differences([3, 4, 9], [2, 5])).toEqual([1, -1])
  })

  it("percentile takes the nearest rank", () => {
    expect(Rounds.percentile([4, 1, 3, 2], 50)).toBe(2)
    expect(Rounds.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9)
    expect(Number.isNaN(Rounds.percentile([], 50))).toBe(true)
  })
})

describe("Rounds.schedule", () => {
  it("rotates the start by one each round", () => {
    expect(Rounds.schedule(["a", "b", "c"], 4)).toEqual([
      ["a", "b", "c"],
      ["b", "c", "a"],
      ["c", "a", "b"],
      ["a", "b", "c"]
    ])
  })

  it("every round runs every variant once; over n rounds each variant takes each position once", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 12 }), (variants) => {
        const rounds = Rounds.schedule(variants, variants.length)
        expect(rounds).toHaveLength(variants.length)
        for (const round of rounds) expect([...round].sort()).toEqual([...variants].sort())
        for (let position = 0; position < variants.length; position++)
          expect(new Set(rounds.map((round) => round[position])).size).toBe(variants.length)
      })
    )
  })
})
