/**
 * Stitch: the join of a continued answer to the partial one, repeats and whitespace exact.
 */
import { Stitch } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

/** A continuation as a model (and FakeClaude) writes one: the last `k` words of `prefix` again, then the rest. */
const continuationOf = (full: string, prefix: string, k: number): string => {
  let start = prefix.trimEnd().length
  for (let n = 0; n < k && start > 0; n++) {
    while (start > 0 && /\s/.test(prefix.charAt(start - 1))) start--
    while (start > 0 && !/\s/.test(prefix.charAt(start - 1))) start--
  }
  return prefix.slice(start) + full.slice(prefix.length)
}

/** Distinct words (`w0 w1 …`) with varied whitespace between them, so no repeat is ambiguous. */
const text = fc
  .array(fc.constantFrom(" ", " ", " ", "  ", "\n", "\n\n", ", "), { minLength: 2, maxLength: 60 })
  .map((gaps) => `${gaps.map((gap, i) => `w${i}${gap}`).join("")}w${gaps.length}.`)

describe("Stitch", () => {
  it("drops a repeat of the last words and keeps the whitespace exact", () => {
    expect(Stitch.stitch("one two three ", "two three four", 100, false)).toEqual({
      text: "four",
      dropped: 10,
      held: ""
    })
    expect(Stitch.stitch("one two three", " four", 100, true)).toEqual({ text: " four", dropped: 0, held: "" })
    expect(Stitch.stitch("one two three ", " four", 100, true)).toEqual({ text: "four", dropped: 1, held: "" })
    expect(Stitch.stitch("Hel", "lo world", 100, true)).toEqual({ text: "lo world", dropped: 0, held: "" })
    // the head stops inside the whitespace already emitted: the rest of it is held
    expect(Stitch.stitch("one two.\n\n", "two.", 100, true)).toEqual({ text: "", dropped: 4, held: "\n\n" })
    // a repeat must start at a word: "e" is not the end of "the" repeated
    expect(Stitch.stitch("the", "e cat", 100, true)).toEqual({ text: "e cat", dropped: 0, held: "" })
    // undecided while the head could still grow into a longer repeat
    expect(Stitch.stitch("one two three", "two thr", 100, false)).toBeUndefined()
    // beyond the bound the repeat is not looked for
    expect(Stitch.stitch("one two three", "two three four", 5, true)).toEqual({
      text: "two three four",
      dropped: 0,
      held: ""
    })
  })

  it("overlap and join", () => {
    expect(Stitch.overlap("one two three", "two three four", 100, true)).toBe(9)
    expect(Stitch.overlap("one two three", "four", 100, true)).toBe(0)
    expect(Stitch.join("The cat sat on", "sat on the mat.")).toBe("The cat sat on the mat.")
    expect(Stitch.join("The cat sat on ", "the mat.")).toBe("The cat sat on the mat.")
    expect(Stitch.DEFAULT_MAX_OVERLAP).toBe(200)
  })

  it.prop(
    "a continuation that repeats 1..5 words joins back into the full text, wherever the cut falls",
    { full: text, cut: fc.double({ min: 0.01, max: 0.99, noNaN: true }), k: fc.integer({ min: 1, max: 5 }) },
    ({ full, cut, k }) => {
      const prefix = full.slice(0, Math.max(1, Math.floor(full.length * cut)))
      expect(Stitch.join(prefix, continuationOf(full, prefix, k))).toBe(full)
    }
  )

  it.prop(
    "a continuation that repeats nothing is appended as it is when the cut is not inside a run of whitespace",
    { full: text, cut: fc.double({ min: 0.01, max: 0.99, noNaN: true }) },
    ({ full, cut }) => {
      let at = Math.max(1, Math.floor(full.length * cut))
      while (at < full.length && /\s/.test(full.charAt(at - 1)) && /\s/.test(full.charAt(at))) at++
      const prefix = full.slice(0, at)
      expect(Stitch.join(prefix, full.slice(at))).toBe(full)
    }
  )
})
