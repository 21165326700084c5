import { Tokens } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

describe("Tokens", () => {
  it("counts text, overheads, media, other blocks and tools", () => {
    expect(Tokens.estimateText("abcdefgh")).toBe(2)
    expect(Tokens.estimateText("abcdefghi")).toBe(3)
    expect(Tokens.estimateLength(9)).toBe(3)
    expect(Tokens.estimateLength(-1)).toBe(0)
    expect(Tokens.estimateLength(Number.NaN)).toBe(0)
    expect(Tokens.estimate({ messages: [{ role: "user", content: "12345678" }] })).toBe(3 + 4 + 2)
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "x".repeat(10_000) } }
    const use = { type: "tool_use", id: "t1", name: "add", input: { a: 1 } }
    const tools = [{ name: "add", input_schema: { type: "object" } }]
    expect(
      Tokens.estimate({
        system: [{ type: "text", text: "Be brief" }],
        messages: [
          { role: "user", content: [{ type: "text", text: "1234" }, image] },
          { role: "assistant", content: [use] }
        ],
        tools
      })
    ).toBe(
      3 +
        2 +
        (4 + 1 + 1_500) +
        (4 + Math.ceil(JSON.stringify(use).length / 4)) +
        Math.ceil(JSON.stringify(tools).length / 4)
    )
  })

  it("is total: any content gives a finite, non-negative count", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (system, content) => {
        const n = Tokens.estimate({ system, messages: [{ role: "user", content }] })
        return Number.isInteger(n) && n >= 7
      })
    )
  })
})
