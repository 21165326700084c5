/**
 * The boundary's checks, one shape at a time: what each malformed body or event becomes, and that
 * the checks are total (any value: a verdict, never a throw).
 */
import { describe, expect, it } from "@effect/vitest"
import { Claude } from "@claude-resilience/client"
import { Effect, FastCheck as fc, Stream } from "effect"
import { EventChecker, messageProblem, parseBody, tokensCountProblem } from "../src/internal/boundary.js"
import {
  ask,
  blockStart,
  blockStop,
  claudeAt,
  message,
  messageDelta,
  messageStart,
  messageStop,
  serve,
  textDelta
} from "./rawServer.js"

const good = [messageStart(), blockStart(), textDelta("Hello"), blockStop(), messageDelta(), messageStop]

/** The first problem the checker finds in `events`, or undefined. */
const firstProblem = (events: ReadonlyArray<unknown>): string | undefined => {
  const checker = new EventChecker()
  for (const e of events) {
    const problem = checker.check(e)
    if (problem !== undefined) return problem
  }
  return undefined
}

describe("bodies", () => {
  it("a well-formed message and token count pass", () => {
    expect(messageProblem(message("hi"))).toBeUndefined()
    expect(tokensCountProblem({ input_tokens: 12 })).toBeUndefined()
  })

  it.each([
    ["{}", {}, "message.id is missing, not a string"],
    ["null", null, "the response body is null, not a message object"],
    ["[]", [], "the response body is an array, not a message object"],
    ["a string", "<html>", "the response body is a string, not a message object"],
    ["no usage", { ...message("x"), usage: undefined }, "message.usage is missing, not a usage object"],
    [
      "negative usage",
      { ...message("x"), usage: { input_tokens: -1000, output_tokens: 1 } },
      "message.usage.input_tokens is -1000, not a non-negative integer"
    ],
    [
      "fractional usage",
      { ...message("x"), usage: { input_tokens: 1, output_tokens: 1.5 } },
      "message.usage.output_tokens is 1.5, not a non-negative integer"
    ],
    [
      "usage as a string",
      { ...message("x"), usage: { input_tokens: "lots", output_tokens: 1 } },
      "message.usage.input_tokens is a string, not a non-negative integer"
    ],
    [
      "bad cache usage",
      { ...message("x"), usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: -2 } },
      "message.usage.cache_read_input_tokens is -2, not a non-negative integer"
    ],
    ["content a string", { ...message("x"), content: "hi" }, "message.content is a string, not an array"],
    ["a null block", { ...message("x"), content: [null] }, "message.content[0] is null, not a content block"],
    [
      "a text block without text",
      { ...message("x"), content: [{ type: "text" }] },
      "message.content[0].text is missing, not a string"
    ],
    [
      "a tool_use without a name",
      { ...message("x"), content: [{ type: "tool_use", id: "t", input: {} }] },
      "message.content[0].name is missing, not a string"
    ],
    [
      "a block without a type",
      { ...message("x"), content: [{ text: "x" }] },
      "message.content[0].type is missing, not a string"
    ],
    ["stop_reason a number", { ...message("x"), stop_reason: 3 }, "message.stop_reason is 3, not a string or null"]
  ])("create: %s", (_, body, problem) => {
    expect(messageProblem(body)).toBe(problem)
  })

  it("unknown block types pass untouched", () => {
    expect(messageProblem({ ...message("x"), content: [{ type: "hologram", frames: 3 }] })).toBeUndefined()
  })

  it.each([
    ["{}", {}, "input_tokens is missing, not a non-negative integer"],
    ['{"input_tokens":"lots"}', { input_tokens: "lots" }, "input_tokens is a string, not a non-negative integer"],
    ["negative", { input_tokens: -1 }, "input_tokens is -1, not a non-negative integer"],
    ["null", null, "the response body is null, not a token count object"]
  ])("count_tokens: %s", (_, body, problem) => {
    expect(tokensCountProblem(body)).toBe(problem)
  })

  it.each([
    ["", "create: the response body is empty"],
    ["<html><title>Gateway</title></html>", "create: the response body is not JSON (it looks like an HTML page)"],
    ['{"id":"msg_1","content":[', "create: the response body is malformed or truncated JSON"],
    ["OK", "create: the response body is not JSON"]
  ])("text that is not JSON: %j", (text, message) => {
    expect(() => parseBody(text, "create")).toThrow(message)
    try {
      parseBody(text, "create")
    } catch (e) {
      expect(e).toMatchObject({ _tag: "ConnectionError", reason: "protocol", phase: "request" })
    }
  })
})

describe("SSE events", () => {
  it("a well-formed stream passes, pings and unknown types anywhere", () => {
    expect(firstProblem(good)).toBeUndefined()
    const withExtras = [{ type: "ping" }, ...good.slice(0, 3), { type: "hologram_delta", x: 1 }, ...good.slice(3)]
    expect(firstProblem(withExtras)).toBeUndefined()
  })

  it.each([
    ["data: null", [null], "an SSE event's data is null, not an object"],
    ["an array", [[]], "an SSE event's data is an array, not an object"],
    ["no type", [{}], "an SSE event's type is missing, not a string"],
    ["message_start without message", [{ type: "message_start" }], "message_start.message is missing, not an object"],
    [
      "message_start without usage",
      [{ type: "message_start", message: { id: "m" } }],
      "message_start.message.usage is missing, not a usage object"
    ],
    [
      "negative usage in message_start",
      [messageStart({ input_tokens: -5, output_tokens: 1 })],
      "message_start.message.usage.input_tokens is -5, not a non-negative integer"
    ],
    [
      "content_block_start without content_block",
      [messageStart(), { type: "content_block_start", index: 0 }],
      "content_block_start.content_block is missing, not a content block"
    ],
    [
      "a delta without delta",
      [messageStart(), blockStart(), { type: "content_block_delta", index: 0 }],
      "content_block_delta.delta is missing, not an object"
    ],
    [
      "a text_delta without text",
      [messageStart(), blockStart(), { type: "content_block_delta", index: 0, delta: { type: "text_delta" } }],
      "text_delta.text is missing, not a string"
    ],
    [
      "message_delta without usage",
      [messageStart(), { type: "message_delta", delta: { stop_reason: "end_turn" } }],
      "message_delta.usage is missing, not a usage object"
    ],
    [
      "message_delta with negative output",
      [messageStart(), { type: "message_delta", delta: {}, usage: { output_tokens: -1000 } }],
      "message_delta.usage.output_tokens is -1000, not a non-negative integer"
    ],
    ["a delta before message_start", [textDelta("x")], "content_block_delta before message_start"],
    [
      "content_block_delta before its content_block_start",
      [messageStart(), textDelta("lost?")],
      "content_block_delta for index 0 before its content_block_start"
    ],
    [
      "a delta after its block stopped",
      [messageStart(), blockStart(), blockStop(), textDelta("late")],
      "content_block_delta for index 0 after its content_block_stop"
    ],
    [
      "a block started twice",
      [messageStart(), blockStart(), blockStart()],
      "content_block_start for index 0, which was already started"
    ],
    [
      "a text delta into a tool_use block",
      [
        messageStart(),
        { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "t", name: "n", input: {} } },
        textDelta("x")
      ],
      "a text_delta for index 0, a block of another kind"
    ],
    ["a second message_start", [messageStart(), messageStart()], "a second message_start"],
    ["an event after message_stop", [...good, textDelta("x")], "content_block_delta after message_stop"],
    [
      "a negative index",
      [messageStart(), blockStart(-1)],
      "content_block_start.index is -1, not a non-negative integer"
    ]
  ])("%s", (_, events, problem) => {
    expect(firstProblem(events)).toBe(problem)
  })

  it.prop(
    "check is total: any JSON value, any order, gives a verdict and never throws",
    [
      fc.array(
        fc.oneof(
          fc.jsonValue(),
          fc.constantFrom(...good),
          fc.record({
            type: fc.constantFrom("message_start", "content_block_start", "content_block_delta", "message_delta"),
            index: fc.oneof(fc.integer({ min: -1, max: 2 }), fc.jsonValue()),
            message: fc.jsonValue(),
            content_block: fc.jsonValue(),
            delta: fc.jsonValue(),
            usage: fc.jsonValue()
          })
        ),
        { maxLength: 12 }
      )
    ],
    ([events]) => {
      const checker = new EventChecker()
      for (const e of events) {
        const problem = checker.check(e)
        expect(problem === undefined || typeof problem === "string").toBe(true)
      }
    }
  )

  it.prop(
    "well-formed streams of any length and block layout pass",
    [fc.array(fc.array(fc.string(), { maxLength: 4 }), { maxLength: 4 })],
    ([blocks]) => {
      const events = [
        messageStart(),
        ...blocks.flatMap((texts, i) => [blockStart(i), ...texts.map((t) => textDelta(t, i)), blockStop(i)]),
        messageDelta(),
        messageStop
      ]
      expect(firstProblem(events)).toBeUndefined()
    }
  )
})

describe("a streaming request answered with something else", () => {
  it.scopedLive("a 200 HTML page is a protocol error that says so, not a cut stream", () =>
    Effect.gen(function* () {
      const server = yield* serve({
        handler: (_req, res) => {
          res.writeHead(200, { "content-type": "text/html" })
          res.end("<html><body><h1>Welcome to our proxy</h1></body></html>")
        }
      })
      const error = yield* Effect.flatMap(Claude.Claude, (claude) =>
        Effect.flip(Stream.runDrain(claude.messages.stream(ask)))
      ).pipe(Effect.provide(claudeAt(server.url)))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "protocol", phase: "stream" })
      expect(error.message).toBe("the response to a streaming request is not an event stream (it holds no SSE event)")
    })
  )
})
