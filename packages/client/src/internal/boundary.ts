/**
 * The boundary: every response body the client reads (a message, a token count) and every SSE
 * event is checked here before any code reads it. What is wrong becomes a `ConnectionError`
 * with reason `"protocol"` whose message names the problem — retryable like any transient fault,
 * and mid-stream resumable — never a `TypeError` later.
 *
 * The checks are written by hand: they return `undefined` for a good value and allocate nothing
 * on that path (see `bench/Boundary.bench.ts` for their cost against an `effect/Schema` decoder).
 * Unknown event, block and delta types pass untouched (forward compatible); known ones must be
 * well formed, and the events of a stream must come in an order a consumer can follow.
 * Messages describe values by kind (`null`, `a string`, a number) and never echo a server's text.
 */
import { ClaudeError } from "@claude-resilience/errors"

type Phase = ClaudeError.Phase

/** A protocol failure: the response arrived but cannot be read as the API defines it. */
export const protocolError = (message: string, phase: Phase): ClaudeError.ConnectionError =>
  new ClaudeError.ConnectionError({ message, reason: "protocol", phase })

type Obj = Readonly<Record<string, unknown>>

const isObject = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

/** A token count: a non-negative integer that adds up safely. */
export const isCount = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

/** What a value is, for a message: numbers as they are, anything else by kind (no server text). */
const kind = (u: unknown): string => {
  if (u === undefined) return "missing"
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  switch (typeof u) {
    case "number":
    case "boolean":
      return String(u)
    case "string":
      return "a string"
    case "object":
      return "an object"
    default:
      return `a ${typeof u}`
  }
}

const notCount = (path: string, u: unknown) => `${path} is ${kind(u)}, not a non-negative integer`

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

const HTML = /^\s*</

/** The value of a response body, or a failure naming what the text was instead of JSON. */
export const parseBody = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    const trimmed = text.trim()
    const found =
      trimmed.length === 0
        ? "is empty"
        : HTML.test(trimmed)
          ? "is not JSON (it looks like an HTML page)"
          : /^[{["]/.test(trimmed)
            ? "is malformed or truncated JSON"
            : "is not JSON"
    throw protocolError(`${what}: the response body ${found}`, "request")
  }
}

const usageProblem = (usage: unknown, path: string, full: boolean): string | undefined => {
  if (!isObject(usage)) return `${path} is ${kind(usage)}, not a usage object`
  if (full ? !isCount(usage.input_tokens) : !(usage.input_tokens == null || isCount(usage.input_tokens))) {
    return notCount(`${path}.input_tokens`, usage.input_tokens)
  }
  if (!isCount(usage.output_tokens)) return notCount(`${path}.output_tokens`, usage.output_tokens)
  const creation = usage.cache_creation_input_tokens
  if (!(creation == null || isCount(creation))) return notCount(`${path}.cache_creation_input_tokens`, creation)
  const read = usage.cache_read_input_tokens
  if (!(read == null || isCount(read))) return notCount(`${path}.cache_read_input_tokens`, read)
  return undefined
}

const optionalString = (u: unknown): boolean => u == null || typeof u === "string"

/** The fields a content block of a known type must have. */
const blockProblem = (block: unknown, path: string): string | undefined => {
  if (!isObject(block)) return `${path} is ${kind(block)}, not a content block`
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? undefined : `${path}.text is ${kind(block.text)}, not a string`
    case "thinking":
      return typeof block.thinking === "string"
        ? undefined
        : `${path}.thinking is ${kind(block.thinking)}, not a string`
    case "tool_use":
    case "server_tool_use":
      if (typeof block.id !== "string") return `${path}.id is ${kind(block.id)}, not a string`
      if (typeof block.name !== "string") return `${path}.name is ${kind(block.name)}, not a string`
      return undefined
    default:
      return typeof block.type === "string" ? undefined : `${path}.type is ${kind(block.type)}, not a string`
  }
}

/** A Messages API reply: `undefined` when well formed, else what is wrong. */
export const messageProblem = (u: unknown): string | undefined => {
  if (!isObject(u)) return `the response body is ${kind(u)}, not a message object`
  if (typeof u.id !== "string") return `message.id is ${kind(u.id)}, not a string`
  const content = u.content
  if (!Array.isArray(content)) return `message.content is ${kind(content)}, not an array`
  for (let i = 0; i < content.length; i++) {
    const problem = blockProblem(content[i], `message.content[${i}]`)
    if (problem !== undefined) return problem
  }
  if (!optionalString(u.stop_reason)) return `message.stop_reason is ${kind(u.stop_reason)}, not a string or null`
  return usageProblem(u.usage, "message.usage", true)
}

/** A `count_tokens` reply: `undefined` when well formed, else what is wrong. */
export const tokensCountProblem = (u: unknown): string | undefined => {
  if (!isObject(u)) return `the response body is ${kind(u)}, not a token count object`
  return isCount(u.input_tokens) ? undefined : notCount("input_tokens", u.input_tokens)
}

// ---------------------------------------------------------------------------------------------
// SSE events
// ---------------------------------------------------------------------------------------------

const isIndex = isCount

/** The block types a delta type may extend; a delta type not listed extends any block. */
const DELTA_BLOCKS: Readonly<Record<string, (blockType: string) => boolean>> = {
  text_delta: (t) => t === "text",
  citations_delta: (t) => t === "text",
  input_json_delta: (t) => t.endsWith("tool_use"),
  thinking_delta: (t) => t === "thinking",
  signature_delta: (t) => t === "thinking"
}

const DELTA_FIELDS: Readonly<Record<string, string>> = {
  text_delta: "text",
  input_json_delta: "partial_json",
  thinking_delta: "thinking",
  signature_delta: "signature"
}

/**
 * The events of one stream, checked one by one: each event's shape, and their order — one
 * `message_start` first; a block's deltas and stop only between its start and its stop, and of a
 * kind that block can take; nothing after `message_stop`. Events of an unknown type pass anywhere.
 * `check` returns `undefined` for a good event, else what is wrong; it never throws.
 */
export class EventChecker {
  private started = false
  private stopped = false
  /** the type of each block started so far, while it is open */
  private readonly open = new Map<number, string>()
  /** blocks started (open or closed), so a second start of one index is caught */
  private readonly seen = new Set<number>()

  check(u: unknown): string | undefined {
    if (!isObject(u)) return `an SSE event's data is ${kind(u)}, not an object`
    const type = u.type
    if (typeof type !== "string") return `an SSE event's type is ${kind(type)}, not a string`
    switch (type) {
      case "ping":
        return undefined
      case "message_start":
        return this.messageStart(u)
      case "content_block_start":
        return this.blockStart(u)
      case "content_block_delta":
        return this.blockDelta(u)
      case "content_block_stop":
        return this.blockStop(u)
      case "message_delta":
        return this.messageDelta(u)
      case "message_stop":
        if (!this.started) return "message_stop before message_start"
        if (this.stopped) return "a second message_stop"
        this.stopped = true
        return undefined
      default:
        return undefined
    }
  }

  private order(type: string): string | undefined {
    if (!this.started) return `${type} before message_start`
    if (this.stopped) return `${type} after message_stop`
    return undefined
  }

  private messageStart(u: Obj): string | undefined {
    if (this.started) return "a second message_start"
    const message = u.message
    if (!isObject(message)) return `message_start.message is ${kind(message)}, not an object`
    if (typeof message.id !== "string") return `message_start.message.id is ${kind(message.id)}, not a string`
    const problem = usageProblem(message.usage, "message_start.message.usage", true)
    if (problem !== undefined) return problem
    this.started = true
    return undefined
  }

  private blockStart(u: Obj): string | undefined {
    const order = this.order("content_block_start")
    if (order !== undefined) return order
    const index = u.index
    if (!isIndex(index)) return notCount("content_block_start.index", index)
    const problem = blockProblem(u.content_block, "content_block_start.content_block")
    if (problem !== undefined) return problem
    if (this.seen.has(index)) return `content_block_start for index ${index}, which was already started`
    this.seen.add(index)
    this.open.set(index, (u.content_block as Obj).type as string)
    return undefined
  }

  private blockDelta(u: Obj): string | undefined {
    const order = this.order("content_block_delta")
    if (order !== undefined) return order
    const index = u.index
    if (!isIndex(index)) return notCount("content_block_delta.index", index)
    const delta = u.delta
    if (!isObject(delta)) return `content_block_delta.delta is ${kind(delta)}, not an object`
    const deltaType = delta.type
    if (typeof deltaType !== "string") return `content_block_delta.delta.type is ${kind(deltaType)}, not a string`
    const blockType = this.open.get(index)
    if (blockType === undefined) {
      return this.seen.has(index)
        ? `content_block_delta for index ${index} after its content_block_stop`
        : `content_block_delta for index ${index} before its content_block_start`
    }
    if (Object.hasOwn(DELTA_FIELDS, deltaType)) {
      const field = DELTA_FIELDS[deltaType]!
      if (typeof delta[field] !== "string") return `${deltaType}.${field} is ${kind(delta[field])}, not a string`
    } else if (deltaType === "citations_delta" && !isObject(delta.citation)) {
      return `citations_delta.citation is ${kind(delta.citation)}, not an object`
    }
    if (Object.hasOwn(DELTA_BLOCKS, deltaType) && !DELTA_BLOCKS[deltaType]!(blockType)) {
      return `a ${deltaType} for index ${index}, a block of another kind`
    }
    return undefined
  }

  private blockStop(u: Obj): string | undefined {
    const order = this.order("content_block_stop")
    if (order !== undefined) return order
    const index = u.index
    if (!isIndex(index)) return notCount("content_block_stop.index", index)
    if (!this.open.delete(index)) {
      return this.seen.has(index)
        ? `a second content_block_stop for index ${index}`
        : `content_block_stop for index ${index} before its content_block_start`
    }
    return undefined
  }

  private messageDelta(u: Obj): string | undefined {
    const order = this.order("message_delta")
    if (order !== undefined) return order
    const delta = u.delta
    if (!isObject(delta)) return `message_delta.delta is ${kind(delta)}, not an object`
    if (!optionalString(delta.stop_reason)) {
      return `message_delta.delta.stop_reason is ${kind(delta.stop_reason)}, not a string or null`
    }
    return usageProblem(u.usage, "message_delta.usage", false)
  }
}
