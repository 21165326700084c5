import { Conversation } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"

type Message = Conversation.Message

const use = (id: string) => ({ type: "tool_use" as const, id, name: "echo", input: {} })
const result = (id: string) => ({ type: "tool_result" as const, tool_use_id: id, content: "ok" })

describe("Conversation.validate", () => {
  it("reports each kind of problem with its position", () => {
    const tags = (messages: ReadonlyArray<Message>) => Conversation.validate(messages).map((p) => p._tag)
    assert.deepStrictEqual(tags([{ role: "user", content: "Hi" }]), [])
    assert.deepStrictEqual(
      Conversation.validate([
        { role: "user", content: "Hi" },
        { role: "assistant", content: [use("a"), use("b")] },
        { role: "user", content: [result("a")] }
      ]),
      [new Conversation.MissingToolResult({ messageIndex: 1, toolUseIds: ["b"] })]
    )
    assert.deepStrictEqual(
      Conversation.validate([
        { role: "user", content: "Hi" },
        { role: "assistant", content: [use("a")] },
        { role: "user", content: [result("a"), result("a"), result("zz")] }
      ]),
      [
        new Conversation.DuplicateToolResult({ messageIndex: 2, blockIndex: 1, toolUseId: "a" }),
        new Conversation.UnknownToolResult({ messageIndex: 2, blockIndex: 2, toolUseId: "zz" })
      ]
    )
    assert.deepStrictEqual(
      tags([
        { role: "user", content: "Hi" },
        { role: "assistant", content: [use("a")] },
        { role: "user", content: [result("a")] },
        { role: "assistant", content: [use("a")] },
        { role: "user", content: [result("a")] }
      ]),
      ["DuplicateToolUse"]
    )
    assert.deepStrictEqual(tags([{ role: "assistant", content: "Hi" }]), ["RoleOrder"])
    assert.deepStrictEqual(
      tags([
        { role: "user", content: "Hi" },
        { role: "user", content: "" }
      ]),
      ["RoleOrder", "EmptyContent"]
    )
    assert.deepStrictEqual(
      tags([
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Sure, " }
      ]),
      ["TrailingWhitespace"]
    )
  })

  it.effect("check fails with InvalidConversation", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Conversation.check([{ role: "assistant", content: "Hi" }]))
      assert.strictEqual(error._tag, "InvalidConversation")
      assert.include(error.message, "messages.0: expected role user, found assistant")
    })
  )
})

describe("Conversation.repair", () => {
  it("answers orphans (in the next user message, first, or in a new one), drops unknown results, trims a prefill", () => {
    const repaired = Conversation.repair([
      { role: "user", content: "Hi" },
      { role: "assistant", content: [use("a"), use("b")] },
      { role: "user", content: [result("a"), { type: "text", text: "and?" }] },
      { role: "assistant", content: [use("c")] },
      { role: "assistant", content: "Done " }
    ])
    assert.deepStrictEqual(repaired[2]?.content, [
      result("a"),
      {
        type: "tool_result",
        tool_use_id: "b",
        content: 'Error: tool "echo" did not return a result (the call was interrupted or lost).',
        is_error: true
      },
      { type: "text", text: "and?" }
    ])
    assert.strictEqual(repaired[4]?.role, "user")
    assert.strictEqual(repaired[5]?.content, "Done")
    assert.deepStrictEqual(Conversation.validate(repaired), [])

    const dropped = Conversation.repair([
      { role: "user", content: [result("zz")] },
      { role: "assistant", content: "ok" }
    ])
    assert.deepStrictEqual(dropped[0]?.content, [{ type: "text", text: "(tool results removed)" }])
  })

  it("leaves a valid conversation unchanged", () => {
    const valid: ReadonlyArray<Message> = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: [use("a")] },
      { role: "user", content: [result("a")] }
    ]
    assert.deepStrictEqual(Conversation.repair(valid), valid)
  })

  // random user/assistant alternations with tool uses answered, lost, duplicated or misattributed
  const conversation = FastCheck.array(
    FastCheck.record({
      uses: FastCheck.array(FastCheck.constantFrom("a", "b", "c", "d"), { maxLength: 3 }),
      results: FastCheck.array(FastCheck.constantFrom("a", "b", "c", "d", "x"), { maxLength: 4 }),
      text: FastCheck.boolean()
    }),
    { minLength: 1, maxLength: 6 }
  ).map((turns) => {
    const messages: Array<Message> = []
    turns.forEach((turn, i) => {
      const results = turn.results.map((id) => result(`${id}${i - 1}`))
      messages.push({
        role: "user",
        content: [...results, ...(turn.text || results.length === 0 ? [{ type: "text" as const, text: "q" }] : [])]
      })
      const uses = [...new Set(turn.uses)].map((id) => use(`${id}${i}`))
      messages.push({ role: "assistant", content: uses.length > 0 ? uses : "a" })
    })
    return messages
  })

  it.prop("repair removes every pairing problem", [conversation], ([messages]) => {
    const problems = Conversation.validate(Conversation.repair(messages))
    assert.deepStrictEqual(problems, [])
  })
})
