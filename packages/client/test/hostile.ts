/**
 * What a hostile (or broken) server may send, as fast-check arbitraries, and what a client must
 * make of it: SSE streams built from well-formed events with known-bad, benign and garbage items
 * mixed in, arbitrary SSE blocks, arbitrary response bodies. Used by the client's and the
 * resumable stream's property tests over real HTTP.
 */
import { FastCheck as fc } from "effect"
import {
  blockStart,
  blockStop,
  frame,
  message,
  messageDelta,
  messageStart,
  messageStop,
  textDelta
} from "./rawServer.js"

/** One SSE block as written on the wire: optional raw lines, an optional `event:` line, a data line. */
export interface Block {
  readonly lines?: string
  readonly event: string | null
  readonly data: string
}

export const render = (blocks: ReadonlyArray<Block>): string =>
  blocks
    .map(
      (b) =>
        `${b.lines ?? ""}${b.event !== null ? `event: ${b.event}\n` : ""}${b.data.length > 0 ? `data: ${b.data}\n` : ""}\n`
    )
    .join("")

const event = (data: { readonly type: string }): Block => ({ event: data.type, data: JSON.stringify(data) })

/** An item of a stream: a well-formed event (with the text it carries), a benign extra, or a known-bad one. */
export type Item =
  | { readonly kind: "good"; readonly block: Block; readonly text?: string; readonly stop?: true }
  | { readonly kind: "benign"; readonly block: Block }
  | {
      readonly kind: "bad"
      readonly block: Block
      readonly expect: "protocol" | "OverloadedError"
      readonly name: string
    }

const bad = (name: string, block: Block, expect: "protocol" | "OverloadedError" = "protocol"): Item => ({
  kind: "bad",
  block,
  expect,
  name
})

/** Items the boundary must refuse wherever they appear in a stream. */
export const badItems: ReadonlyArray<Item> = [
  bad("data: null", { event: "content_block_delta", data: "null" }),
  bad("non-JSON data", { event: "content_block_delta", data: "{not json" }),
  bad("an HTML page as data", { event: "message_delta", data: "<html><body>502</body></html>" }),
  bad("an event without a type", { event: "content_block_delta", data: "{}" }),
  bad("data: []", { event: "message_start", data: "[]" }),
  bad("message_start without message", event({ type: "message_start" })),
  bad("message_delta without usage", event({ type: "message_delta", delta: { stop_reason: "end_turn" } } as never)),
  bad(
    "message_delta with negative usage",
    event({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: -1000 } } as never)
  ),
  bad("content_block_start without content_block", event({ type: "content_block_start", index: 0 } as never)),
  bad("a delta without delta", event({ type: "content_block_delta", index: 0 } as never)),
  bad("a delta before its block starts", event(textDelta("orphan", 7))),
  bad(
    "a text_delta whose text is a number",
    event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: 42 } } as never)
  ),
  bad(
    "an overloaded error event",
    {
      event: "error",
      data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })
    },
    "OverloadedError"
  )
]

/** Items that change nothing a consumer reads (an unknown event type passes through untouched). */
export const benignItems: ReadonlyArray<Item> = [
  { kind: "benign", block: { event: "ping", data: JSON.stringify({ type: "ping" }) } },
  { kind: "benign", block: { event: "ping", data: "" } },
  { kind: "benign", block: { lines: ": keep-alive\n", event: null, data: "" } },
  { kind: "benign", block: { lines: "retry: 100\nid: 7\n", event: null, data: "" } },
  { kind: "benign", block: event({ type: "hologram_delta", frames: 3 } as never) }
]

const textArb = fc.string({ unit: "grapheme", maxLength: 6 })

/** A well-formed stream: message_start, one or two text blocks of deltas, message_delta, message_stop. */
export const wellFormed: fc.Arbitrary<ReadonlyArray<Item>> = fc
  .array(fc.array(textArb, { maxLength: 6 }), { minLength: 1, maxLength: 2 })
  .map((blocks) => [
    { kind: "good", block: event(messageStart()) },
    ...blocks.flatMap(
      (texts, index): ReadonlyArray<Item> => [
        { kind: "good", block: event(blockStart(index)) },
        ...texts.map((text): Item => ({ kind: "good", block: event(textDelta(text, index)), text })),
        { kind: "good", block: event(blockStop(index)) }
      ]
    ),
    { kind: "good", block: event(messageDelta()) },
    { kind: "good", block: event(messageStop), stop: true }
  ])

/**
 * A well-formed stream with bad and benign items inserted anywhere, and maybe cut short (the
 * server closes the response early).
 */
export const mixedStream: fc.Arbitrary<ReadonlyArray<Item>> = fc
  .tuple(
    wellFormed,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...badItems, ...benignItems)), { maxLength: 3 }),
    fc.option(fc.nat(), { nil: undefined })
  )
  .map(([items, inserts, cut]) => {
    const out = [...items]
    for (const [at, item] of inserts) out.splice(at % (out.length + 1), 0, item)
    return cut === undefined ? out : out.slice(0, cut % (out.length + 1))
  })

/** What a client must make of a stream of items. */
export interface Expected {
  /** the text of the well-formed deltas before the first bad item */
  readonly text: string
  /** `"success"`, or the failure: a protocol error, an API error, or a cut before message_stop */
  readonly outcome: "success" | "protocol" | "OverloadedError" | "cut"
  /** whether message_stop came before the first bad item (the message was whole) */
  readonly complete: boolean
}

export const expected = (items: ReadonlyArray<Item>): Expected => {
  let text = ""
  let complete = false
  for (const item of items) {
    if (item.kind === "bad") return { text, outcome: item.expect, complete }
    if (item.kind === "good") {
      text += item.text ?? ""
      if (item.stop) complete = true
    }
  }
  return { text, outcome: complete ? "success" : "cut", complete }
}

// ---------------------------------------------------------------------------------------------
// Arbitrary SSE blocks
// ---------------------------------------------------------------------------------------------

const KNOWN = [
  "message_start",
  "message_delta",
  "message_stop",
  "content_block_start",
  "content_block_delta",
  "content_block_stop"
]

const goodEvents = [
  messageStart(),
  blockStart(0),
  textDelta("a", 0),
  textDelta("b", 0),
  blockStop(0),
  messageDelta(),
  messageStop
]

/** A good event with one field deleted or replaced by an arbitrary JSON value. */
const mutated = fc.tuple(fc.constantFrom(...goodEvents), fc.jsonValue(), fc.boolean()).map(([e, value, remove]) => {
  const copy: Record<string, unknown> = structuredClone(e) as Record<string, unknown>
  const keys = Object.keys(copy)
  const key = keys[Math.abs(JSON.stringify(value).length) % keys.length]!
  if (remove) delete copy[key]
  else copy[key] = value
  return JSON.stringify(copy)
})

const oneLine = fc.string().filter((s) => !/[\r\n]/.test(s))

/** Any SSE block: any event name (known, ping, error, unknown, none), any data. */
export const anyBlock: fc.Arbitrary<Block> = fc.record({
  lines: fc.option(fc.constantFrom(": comment\n", "retry: 5\n", "id: 1\n", "garbage-without-colon\n", ":\n"), {
    nil: undefined
  }),
  event: fc.option(fc.constantFrom(...KNOWN, "ping", "error", "hologram", "message"), { nil: null }),
  data: fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
    fc.constantFrom(...goodEvents).map((e) => JSON.stringify(e)),
    mutated,
    oneLine,
    fc.constant("")
  )
}) as fc.Arbitrary<Block>

/**
 * The events a consumer may see from `blocks`, in order, as the SSE reader hands them to the
 * boundary (pings, comments and empty events skipped); `end` says whether the reader itself stops
 * (an error event, data that is not JSON). The consumer must see a prefix of these, and all of
 * them when the stream succeeds: an event is delivered, or the stream fails at it or before.
 */
export const candidates = (blocks: ReadonlyArray<Block>): { readonly events: ReadonlyArray<unknown> } => {
  const events: Array<unknown> = []
  for (const b of blocks) {
    if (b.event === "error") break
    if (b.data.length === 0) continue
    let value: unknown
    try {
      value = JSON.parse(b.data)
    } catch {
      if (b.event === "ping") continue
      break
    }
    const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined
    if (b.event === "ping" && !(typeof type === "string" && KNOWN.includes(type))) continue
    if (type === "error") break
    if (type === "ping") continue
    events.push(value)
  }
  return { events }
}

// ---------------------------------------------------------------------------------------------
// Response bodies
// ---------------------------------------------------------------------------------------------

const validMessage = fc
  .tuple(textArb, fc.nat({ max: 100_000 }), fc.nat({ max: 100_000 }))
  .map(([text, input, output]) => ({ ...message(text), usage: { input_tokens: input, output_tokens: output } }))

/** A body as the server writes it, and whether it is a well-formed message, a bad one, or either. */
export interface Body {
  readonly text: string
  readonly kind: "message" | "bad" | "unknown"
}

export const anyBody: fc.Arbitrary<Body> = fc.oneof(
  validMessage.map((m): Body => ({ text: JSON.stringify(m), kind: "message" })),
  fc.jsonValue().map((v): Body => ({ text: JSON.stringify(v) ?? "null", kind: "unknown" })),
  fc
    .constantFrom("{}", "null", "[]", "", "OK", "<html><title>502 Bad Gateway</title></html>")
    .map((text): Body => ({ text, kind: "bad" })),
  fc
    .tuple(validMessage, fc.constantFrom("usage", "content", "id"), fc.jsonValue())
    .map(([m, key, value]): Body => ({ text: JSON.stringify({ ...m, [key]: value }), kind: "unknown" })),
  fc
    .tuple(validMessage, fc.integer({ min: -1_000_000, max: -1 }))
    .map(
      ([m, n]): Body => ({ text: JSON.stringify({ ...m, usage: { input_tokens: n, output_tokens: 1 } }), kind: "bad" })
    ),
  validMessage
    .map((m) => JSON.stringify(m))
    .chain((t) => fc.nat({ max: t.length - 1 }).map((n): Body => ({ text: t.slice(0, n), kind: "bad" }))),
  fc.string().map((text): Body => ({ text, kind: "bad" }))
)

export const anyStatus = fc.oneof(
  { weight: 3, arbitrary: fc.constant(200) },
  fc.constantFrom(201, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529),
  fc.integer({ min: 400, max: 599 })
)

export const anyContentType = fc.constantFrom("application/json", "text/html", "text/plain; charset=utf-8", undefined)

/** Texts a JavaScript runtime puts in its errors: none may reach a ClaudeError's message. */
export const RAW_JS =
  /SyntaxError|TypeError|RangeError|Unexpected (token|end)|is not a function|Cannot read|JSON at position|undefined is not/

export { frame }
