import { Conversation } from "@claude-resilience/tools"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, FastCheck } from "effect"

type Message = Conversation.Message

const use = (id: string) => ({ type: "tool_use" as const, id, name: "echo", input: {} })
const result = (id: string) => ({ type: "tool_result" as const, tool_use_id: id, content: "ok" })

/** The repaired conversation; fails the test when repair fails. */
const repaired = (messages: unknown): ReadonlyArray<Message> => {
  const outcome = Conversation.repair(messages)
  assert.isTrue(Either.isRight(outcome), Either.isLeft(outcome) ? outcome.left.message : "")
  return Either.getOrThrow(outcome)
}

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
    const fixed = repaired([
      { role: "user", content: "Hi" },
      { role: "assistant", content: [use("a"), use("b")] },
      { role: "user", content: [result("a"), { type: "text", text: "and?" }] },
      { role: "assistant", content: [use("c")] },
      { role: "assistant", content: "Done " }
    ])
    assert.deepStrictEqual(fixed[2]?.content, [
      result("a"),
      {
        type: "tool_result",
        tool_use_id: "b",
        content: 'Error: tool "echo" did not return a result (the call was interrupted or lost).',
        is_error: true
      },
      { type: "text", text: "and?" }
    ])
    assert.strictEqual(fixed[4]?.role, "user")
    assert.strictEqual(fixed[5]?.content, "Done")
    assert.deepStrictEqual(Conversation.validate(fixed), [])

    const dropped = repaired([
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
    assert.strictEqual(repaired(valid), valid)
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
    const problems = Conversation.validate(repaired(messages))
    assert.deepStrictEqual(problems, [])
  })
})

describe("Conversation: input of any shape", () => {
  it("reports what is not a message, not content or not a block as Malformed, with its path", () => {
    const problems = (messages: unknown) => Conversation.validate(messages).map(Conversation.describe)
    assert.deepStrictEqual(problems(null), ["messages: expected an array of messages, found null"])
    assert.deepStrictEqual(problems([{ role: "user", content: "Hi" }, null]), [
      "messages.1: expected a message (an object), found null"
    ])
    assert.deepStrictEqual(problems([{ role: 7, content: "Hi" }]), [
      'messages.0.role: expected "user" or "assistant", found the number 7'
    ])
    assert.deepStrictEqual(problems([{ role: "user", content: 42 }]), [
      "messages.0.content: expected a string or an array of content blocks, found the number 42"
    ])
    assert.deepStrictEqual(
      problems([
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [null, { type: "text" }, { type: "tool_use", id: "t1", name: "echo", input: "x" }, { text: "?" }]
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: 1 }] }] }
      ]),
      [
        "messages.1.content.0: expected a content block (an object), found null",
        "messages.1.content.1.text: expected a string, found nothing",
        "messages.1.content.2.input: expected an object, found a string",
        "messages.1.content.3.type: expected a string, found nothing",
        "messages.2.content.0.content.0.text: expected a string, found the number 1"
      ]
    )
    // a message after one without a readable role is not held to a role order
    assert.deepStrictEqual(
      Conversation.validate([{ role: "user", content: "Hi" }, { content: "?" }, { role: "user", content: "Hi" }]).map(
        (p) => p._tag
      ),
      ["Malformed"]
    )
  })

  it("repair keeps what it cannot repair for the InvalidConversation it returns, and drops a result without an id", () => {
    const failed = Conversation.repair([{ role: "user", content: "Hi" }, null])
    assert.isTrue(Either.isLeft(failed))
    if (Either.isLeft(failed)) {
      assert.strictEqual(
        failed.left.message,
        "invalid conversation: messages.1: expected a message (an object), found null"
      )
    }
    assert.isTrue(Either.isLeft(Conversation.repair("not a conversation")))
    const fixed = repaired([
      { role: "user", content: "Hi" },
      { role: "assistant", content: [use("a")] },
      { role: "user", content: [{ type: "tool_result", content: "lost id" }, result("a")] }
    ])
    assert.deepStrictEqual(fixed[2]?.content, [result("a")])
    // an orphan message that is no text gets the default text
    const orphaned = Either.getOrThrow(
      Conversation.repair(
        [
          { role: "user", content: "Hi" },
          { role: "assistant", content: [use("a")] }
        ],
        { orphanMessage: () => undefined as unknown as string }
      )
    )
    assert.deepStrictEqual(orphaned[2]?.content, [
      {
        type: "tool_result",
        tool_use_id: "a",
        content: 'Error: tool "echo" did not return a result (the call was interrupted or lost).',
        is_error: true
      }
    ])
  })

  // well-formed messages and blocks mixed with values of any shape
  const block = FastCheck.oneof(
    FastCheck.record({ type: FastCheck.constant("text"), text: FastCheck.string() }),
    FastCheck.record({
      type: FastCheck.constant("tool_use"),
      id: FastCheck.constantFrom("a", "b", "c"),
      name: FastCheck.constant("echo"),
      input: FastCheck.constant({})
    }),
    FastCheck.record({
      type: FastCheck.constant("tool_result"),
      tool_use_id: FastCheck.constantFrom("a", "b", "c", "x"),
      content: FastCheck.oneof(FastCheck.string(), FastCheck.anything())
    }),
    FastCheck.record({
      type: FastCheck.constantFrom("text", "tool_use", "tool_result", "image"),
      id: FastCheck.anything()
    }),
    FastCheck.anything()
  )
  const wellFormed = FastCheck.record({
    role: FastCheck.constantFrom("user", "assistant"),
    content: FastCheck.oneof(FastCheck.string(), FastCheck.array(block, { maxLength: 4 }))
  })
  const message = FastCheck.oneof(
    { weight: 4, arbitrary: wellFormed },
    { weight: 1, arbitrary: FastCheck.anything() },
    { weight: 1, arbitrary: FastCheck.jsonValue() },
    {
      weight: 1,
      arbitrary: FastCheck.record({ role: FastCheck.anything(), content: FastCheck.anything() }, { requiredKeys: [] })
    }
  )
  const messages = FastCheck.oneof(
    { weight: 6, arbitrary: FastCheck.array(message, { maxLength: 8 }) },
    { weight: 1, arbitrary: FastCheck.anything() }
  )

  it.prop(
    "validate never throws; whatever is not a message is reported; every problem can be described and carried",
    [messages],
    ([input]) => {
      const problems = Conversation.validate(input)
      const notMessages =
        !Array.isArray(input) || input.some((m) => typeof m !== "object" || m === null || Array.isArray(m))
      if (notMessages) assert.isTrue(problems.some((p) => p._tag === "Malformed"))
      assert.strictEqual(Conversation.isValid(input), problems.length === 0)
      for (const problem of problems) assert.isString(Conversation.describe(problem))
      if (problems.length > 0) assert.isString(new Conversation.InvalidConversation({ problems }).message)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "repair never throws: a conversation that passes validate, or InvalidConversation with problems",
    [messages],
    ([input]) => {
      const outcome = Conversation.repair(input)
      if (Either.isRight(outcome)) assert.deepStrictEqual(Conversation.validate(outcome.right), [])
      else assert.isAbove(outcome.left.problems.length, 0)
      if (Conversation.isValid(input)) assert.isTrue(Either.isRight(outcome) && outcome.right === input)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.effect.prop(
    "check ends in success or InvalidConversation, never a defect",
    [messages],
    ([input]) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(Conversation.check(input))
        if (Exit.isFailure(exit)) {
          assert.isFalse(Cause.isDie(exit.cause))
          assert.strictEqual(Cause.squash(exit.cause) instanceof Conversation.InvalidConversation, true)
        }
      }),
    { fastCheck: { numRuns: 50 } }
  )
})
