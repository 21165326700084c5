import { Content } from "@claude-resilience/api"
import { FastCheck as fc } from "effect"
import { describe, expect, it } from "@effect/vitest"

describe("Content", () => {
  const use = { type: "tool_use", id: "t1", name: "add", input: { a: 1 } }
  const server = { type: "server_tool_use", id: "s1", name: "web_search", input: {} }
  const result = { type: "tool_result", tool_use_id: "t1", content: "3" }

  it("reads blocks, tool ids and text", () => {
    expect(Content.blocksOf("text")).toEqual([])
    expect(Content.toolUsesOf([use, server])).toEqual([use])
    expect(Content.toolUseIds([use, server])).toEqual(["t1", "s1"])
    expect(Content.toolResultIds([result, use])).toEqual(["t1"])
    expect(Content.textOf([{ type: "text", text: "a" }, use, { type: "text", text: "b" }])).toBe("ab")
    expect(Content.contentOf({ role: "user", content: "x" })).toBe("x")
  })

  it("builds error results and assistant messages", () => {
    expect(Content.errorResult("t1", "boom")).toEqual({
      type: "tool_result",
      tool_use_id: "t1",
      content: "boom",
      is_error: true
    })
    expect(Content.assistantMessage({ content: [{ type: "text", text: "hi", citations: null }] })).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "hi" }]
    })
  })

  it("never throws on values of any shape", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        Content.blocksOf(value)
        Content.contentOf(value)
        Content.toolUsesOf(value)
        Content.toolUseIds(value)
        Content.toolResultIds(value)
        expect(typeof Content.textOf(value)).toBe("string")
      })
    )
  })
})
