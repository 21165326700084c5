/**
 * The cost of the boundary: the hand-written checks the client runs on every reply and every SSE
 * event, against `effect/Schema` decoders of the same shapes (the alternative it was measured
 * against), and the redaction a call adds. Run: `npx vitest bench --project client --run bench/Boundary.bench.ts`.
 */
import { Redaction } from "@claude-resilience/errors"
import { Either, Redacted, Schema } from "effect"
import { bench, describe } from "vitest"
import { EventChecker, messageProblem } from "../src/internal/boundary.js"

const Count = Schema.Int.pipe(Schema.nonNegative())
const Usage = Schema.Struct({
  input_tokens: Count,
  output_tokens: Count,
  cache_creation_input_tokens: Schema.optional(Schema.NullOr(Count)),
  cache_read_input_tokens: Schema.optional(Schema.NullOr(Count))
})
const Block = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text"), text: Schema.String }),
  Schema.Struct({ type: Schema.Literal("tool_use"), id: Schema.String, name: Schema.String, input: Schema.Unknown }),
  Schema.Struct({ type: Schema.Literal("thinking"), thinking: Schema.String })
)
const Message = Schema.Struct({
  id: Schema.String,
  content: Schema.Array(Block),
  stop_reason: Schema.NullOr(Schema.String),
  usage: Usage
})
const Delta = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text_delta"), text: Schema.String }),
  Schema.Struct({ type: Schema.Literal("input_json_delta"), partial_json: Schema.String }),
  Schema.Struct({ type: Schema.Literal("thinking_delta"), thinking: Schema.String })
)
const Event = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("message_start"),
    message: Schema.Struct({ id: Schema.String, usage: Usage })
  }),
  Schema.Struct({ type: Schema.Literal("content_block_start"), index: Count, content_block: Block }),
  Schema.Struct({ type: Schema.Literal("content_block_delta"), index: Count, delta: Delta }),
  Schema.Struct({ type: Schema.Literal("content_block_stop"), index: Count }),
  Schema.Struct({
    type: Schema.Literal("message_delta"),
    delta: Schema.Struct({ stop_reason: Schema.NullOr(Schema.String) }),
    usage: Schema.Struct({ output_tokens: Count })
  }),
  Schema.Struct({ type: Schema.Literal("message_stop") })
)
const decodeMessage = Schema.decodeUnknownEither(Message)
const decodeEvent = Schema.decodeUnknownEither(Event)

const message = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5",
  content: [
    { type: "text", text: "Here is the plan." },
    { type: "tool_use", id: "toolu_01", name: "search", input: { q: "resilience" } }
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: { input_tokens: 1200, output_tokens: 80, cache_creation_input_tokens: null, cache_read_input_tokens: 0 }
}

// One stream's worth of events: the per-event cost is this over 1,000.
const EVENTS = 1_000
const start = {
  type: "message_start",
  message: { ...message, content: [], usage: { input_tokens: 1200, output_tokens: 1 } }
}
const blockStart = { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }
const delta = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "word " } }
const stream = [
  start,
  blockStart,
  ...Array.from({ length: EVENTS - 5 }, () => delta),
  { type: "content_block_stop", index: 0 },
  { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 995 } },
  { type: "message_stop" }
]

let sink = 0

describe("a create reply (per reply)", () => {
  bench("hand-written check (the boundary)", () => {
    if (messageProblem(message) === undefined) sink++
  })
  bench("effect/Schema decoder", () => {
    if (Either.isRight(decodeMessage(message))) sink++
  })
})

describe(`an SSE stream of ${EVENTS} events (per stream; divide by ${EVENTS} for one event)`, () => {
  bench("hand-written check (the boundary): shape and order", () => {
    const checker = new EventChecker()
    for (const e of stream) if (checker.check(e) === undefined) sink++
  })
  bench("effect/Schema decoder: shape only", () => {
    for (const e of stream) if (Either.isRight(decodeEvent(e))) sink++
  })
})

// Once per successful call, the reply's id and stop reason are redacted before they reach a span
// and the log line (the key given as a secret, plus the generic patterns).
const secrets = [Redacted.make(`sk-ant-api03-${"x".repeat(86)}AA`)]
Redaction.redact("warm the pattern cache", secrets)

describe("redaction of a reply's id and stop reason (per call)", () => {
  bench("Redaction.redact × 2", () => {
    sink += Redaction.redact("msg_01XFDUDYJgAACzvnptvVoYEL", secrets).length
    sink += Redaction.redact("end_turn", secrets).length
  })
})

export { sink }
