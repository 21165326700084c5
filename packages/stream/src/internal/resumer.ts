/**
 * The resumption state machine: rewrites each attempt's raw events into one seamless stream
 * (stable indices, one `message_start`, summed usage, each character and tool call once) and,
 * on a failure, closes what cannot be continued and starts the next attempt.
 *
 * @internal
 */
import type { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Duration from "effect/Duration"
import type * as ResumableStream from "../ResumableStream.js"
import { Accounting, tokens } from "./accounting.js"
import * as request from "./request.js"
import { Stitch } from "@claude-resilience/api"
import { DeliveredTools } from "./toolCalls.js"

const { DEFAULT_MAX_OVERLAP, stitch } = Stitch

type RawEvent = Claude.MessageStreamEvent
type Params = Claude.MessageStreamParams

interface Block {
  readonly index: number
  readonly type: string
  open: boolean
  text: string
  superseded: boolean
}

type Mapped =
  | { readonly _tag: "Emit"; readonly index: number }
  | { readonly _tag: "Buffer"; readonly start: RawEvent; readonly events: Array<RawEvent>; chars: number }
  | { readonly _tag: "Drop" }
  // a continuation's text block after the last text block was closed: started once it has new text
  | { readonly _tag: "Deferred"; readonly start: RawEvent }

/** @internal */
export interface Settings {
  readonly strategy: ResumableStream.ResumeStrategy
  readonly continuePrompt: string
  readonly maxOverlap?: number | undefined
}

type Out = RawEvent | ResumableStream.Resumed

const TEXT_BLOCK = { type: "text", text: "", citations: null } as const

/**
 * One resumable stream's state. `process` maps a raw event of the current attempt to what the
 * consumer sees; `fail` closes the attempt and starts the next one; `request` is its request.
 *
 * @internal
 */
export class Resumer {
  private readonly blocks: Array<Block> = []
  private readonly accounting: Accounting
  private started = false
  private preferred: ResumableStream.ResumeStrategy
  private params: Params
  /** the request the next attempts are built from: the original, on the model in force */
  private base: Params
  // per attempt
  private map = new Map<number, Mapped>()
  private continuing: Block | undefined = undefined
  private held = ""
  private firstText = true
  // continuation stitching: the head of the continued block, held until the overlap is known
  private stitching:
    | {
        /** the raw index of the continuation's block */
        readonly raw: number
        /** the delivered block its head is compared with */
        readonly source: number
        pending: string
        template: RawEvent | undefined
      }
    | undefined = undefined
  private announced = true
  private readonly tools = new DeliveredTools()

  constructor(
    readonly original: Params,
    readonly settings: Settings
  ) {
    this.preferred = settings.strategy
    this.params = original
    this.base = original
    this.accounting = new Accounting(original.model)
  }

  /** The request of the current attempt. */
  get request(): Params {
    return this.params
  }

  get attemptNumber(): number {
    return this.accounting.attempt
  }

  /** The model the current attempt asks. */
  get model(): string {
    return this.accounting.model
  }

  /**
   * Counts the usage of an attempt's `message_delta` that is not passed on (a refusal the stream
   * falls back from): the attempt was billed for it.
   */
  countUsage(usage: { readonly input_tokens?: number | null; readonly output_tokens?: number | null }): void {
    this.accounting.outputTokens = tokens(usage.output_tokens)
    if (usage.input_tokens != null) this.accounting.inputTokens = tokens(usage.input_tokens)
  }

  /** Whether `message_stop` arrived: a failure after it loses nothing. */
  get isComplete(): boolean {
    return this.accounting.completed
  }

  /** The text delivered and still standing (superseded blocks excluded). */
  get partialText(): string {
    return this.blocks
      .filter((b) => b.type === "text" && !b.superseded)
      .map((b) => b.text)
      .join("")
  }

  /** The failed attempts, oldest first. */
  get history(): ReadonlyArray<ResumableStream.Attempt> {
    return this.accounting.history
  }

  /** The current attempt's accounting, ended by `error`. */
  snapshot(error: ClaudeError.ClaudeError): ResumableStream.Attempt {
    return this.accounting.snapshot(error)
  }

  private allocate(type: string): Block {
    const block: Block = { index: this.blocks.length, type, open: true, text: "", superseded: false }
    this.blocks.push(block)
    return block
  }

  /** Closes the block a continuation was expected to extend when something else comes first. */
  private closeContinuing(out: Array<Out>): void {
    const block = this.continuing
    if (block === undefined) return
    this.continuing = undefined
    if (block.open) {
      block.open = false
      out.push({ type: "content_block_stop", index: block.index })
    }
  }

  /** Drops the head of a continuation that repeats the whitespace trimmed from the prefill. */
  private reconcile(text: string): string {
    if (!this.firstText) return text
    let i = 0
    while (this.held.length > 0 && i < text.length && text.charAt(i) === this.held.charAt(0)) {
      i++
      this.held = this.held.slice(1)
    }
    if (i < text.length) {
      this.held = ""
      this.firstText = false
    }
    return text.slice(i)
  }

  /** The first content of a resumed attempt: tells the consumer what was kept and dropped. */
  private announce(out: Array<Out>): void {
    if (this.announced) return
    this.announced = true
    out.push({
      type: "resumed",
      attempt: this.accounting.attempt,
      strategy: this.accounting.kind as Exclude<ResumableStream.AttemptKind, "initial">,
      kept: this.partialText.length - this.accounting.characters,
      dropped: this.accounting.dropped
    })
  }

  /** Emits the held head of a continuation once the overlap is decided (or must be: `final`). */
  private flushStitch(out: Array<Out>, final: boolean): void {
    const state = this.stitching
    const source = state === undefined ? undefined : this.blocks[state.source]
    if (state === undefined || source === undefined || state.template === undefined) {
      if (final) this.stitching = undefined
      return
    }
    const result = stitch(source.text, state.pending, this.settings.maxOverlap ?? DEFAULT_MAX_OVERLAP, final)
    if (result === undefined) return
    this.stitching = undefined
    this.held = result.held
    this.firstText = result.held.length > 0
    this.accounting.dropped += result.dropped
    // whitespace still held is dropped (and counted) with what follows: announce then
    if (result.held.length === 0) this.announce(out)
    if (result.text.length === 0) return
    const template = state.template
    if (template.type === "content_block_delta" && template.delta.type === "text_delta") {
      this.emitText(out, state.raw, template, result.text)
    }
  }

  /** Emits text of the current attempt's raw block `raw`, starting a deferred block first. */
  private emitText(out: Array<Out>, raw: number, template: RawEvent, text: string): void {
    if (template.type !== "content_block_delta" || template.delta.type !== "text_delta") return
    let mapped = this.map.get(raw)
    if (mapped?._tag === "Deferred") {
      this.closeContinuing(out)
      const block = this.allocate("text")
      if (mapped.start.type === "content_block_start") out.push({ ...mapped.start, index: block.index })
      mapped = { _tag: "Emit", index: block.index }
      this.map.set(raw, mapped)
    }
    if (mapped?._tag !== "Emit") return
    this.announce(out)
    const block = this.blocks[mapped.index]!
    block.text += text
    this.accounting.characters += text.length
    out.push({ ...template, index: block.index, delta: { ...template.delta, text } })
  }

  /**
   * What the consumer sees of one raw event. Never throws: the client's boundary checked the
   * event, and what a malformed one would need here is guarded anyway (it is skipped; text for a
   * block that never started gets its start synthesized).
   */
  process(event: RawEvent): ReadonlyArray<Out> {
    const out: Array<Out> = []
    this.step(event, out)
    return out
  }

  /**
   * What the consumer sees of a chunk of raw events, in one array: per chunk, not an array per
   * event. A text delta that passes as it came (same index, its text whole and not empty, nothing
   * to announce, reconcile or stitch) — nearly every event of an answer — is handed on as the very
   * object the client delivered, not a copy; every other event takes the full path below.
   */
  processAll(events: Iterable<RawEvent>): Array<Out> {
    const out: Array<Out> = []
    for (const event of events) {
      if (
        event !== null &&
        typeof event === "object" &&
        event.type === "content_block_delta" &&
        this.stitching === undefined &&
        this.announced &&
        !this.firstText
      ) {
        const delta = event.delta
        const mapped = this.map.get(event.index)
        if (
          mapped !== undefined &&
          mapped._tag === "Emit" &&
          mapped.index === event.index &&
          delta !== null &&
          typeof delta === "object" &&
          delta.type === "text_delta" &&
          typeof delta.text === "string" &&
          delta.text.length > 0
        ) {
          const block = this.blocks[mapped.index]!
          block.text += delta.text
          this.accounting.characters += delta.text.length
          out.push(event)
          continue
        }
      }
      this.step(event, out)
    }
    return out
  }

  private step(event: RawEvent, out: Array<Out>): void {
    if (event === null || typeof event !== "object") return
    if (this.stitching !== undefined) {
      const sameBlock =
        event.type === "content_block_delta" && event.delta?.type === "text_delta" && event.index === this.stitching.raw
      if (!sameBlock) this.flushStitch(out, true)
    }
    switch (event.type) {
      case "message_start": {
        const usage = event.message?.usage
        this.accounting.inputTokens = tokens(usage?.input_tokens)
        this.accounting.outputTokens = tokens(usage?.output_tokens)
        if (!this.started) {
          this.started = true
          out.push(event)
        }
        break
      }
      case "content_block_start": {
        const blockType: unknown = event.content_block?.type
        const type = typeof blockType === "string" ? blockType : "unknown"
        if (type === "text" && this.continuing !== undefined && this.continuing.open) {
          this.map.set(event.index, { _tag: "Emit", index: this.continuing.index })
          if (this.accounting.kind === "continuation")
            this.stitching = { raw: event.index, source: this.continuing.index, pending: "", template: undefined }
          this.continuing = undefined
          break
        }
        const lastBlock = this.blocks.at(-1)
        if (
          type === "text" &&
          this.accounting.kind === "continuation" &&
          !this.announced &&
          lastBlock !== undefined &&
          lastBlock.type === "text" &&
          !lastBlock.superseded
        ) {
          // the cut came after the text block closed: a repeat of its end may open the continuation
          this.map.set(event.index, { _tag: "Deferred", start: event })
          this.stitching = { raw: event.index, source: lastBlock.index, pending: "", template: undefined }
          break
        }
        if (
          (type === "thinking" || type === "redacted_thinking") &&
          this.accounting.attempt > 1 &&
          this.partialText.length > 0
        ) {
          // the consumer already saw the reasoning that led to the text it has
          this.map.set(event.index, { _tag: "Drop" })
          break
        }
        if (type === "tool_use" || type === "server_tool_use") {
          // held back until complete, so a cut never delivers half a tool call
          this.map.set(event.index, { _tag: "Buffer", start: event, events: [], chars: 0 })
          break
        }
        this.closeContinuing(out)
        this.announce(out)
        const block = this.allocate(type)
        this.map.set(event.index, { _tag: "Emit", index: block.index })
        out.push({ ...event, index: block.index })
        break
      }
      case "content_block_delta": {
        if (event.delta === null || typeof event.delta !== "object") break
        if (event.delta.type === "text_delta" && typeof event.delta.text !== "string") break
        let mapped = this.map.get(event.index)
        if (mapped === undefined && event.delta.type === "text_delta") {
          // Text for a block that never started: the client refuses this as a protocol error; a
          // stream that reaches us anyway gets the start synthesized, so no text is dropped.
          this.step({ type: "content_block_start", index: event.index, content_block: TEXT_BLOCK }, out)
          mapped = this.map.get(event.index)
        }
        if (mapped === undefined || mapped._tag === "Drop") break
        if (mapped._tag === "Deferred") {
          if (event.delta.type !== "text_delta") break
          if (this.stitching !== undefined) {
            this.stitching.pending += event.delta.text
            this.stitching.template = event
            this.flushStitch(out, false)
          } else {
            const text = this.reconcile(event.delta.text)
            this.accounting.dropped += event.delta.text.length - text.length
            if (text.length > 0) this.emitText(out, event.index, event, text)
          }
          break
        }
        if (mapped._tag === "Buffer") {
          mapped.events.push(event)
          if (event.delta.type === "input_json_delta") mapped.chars += String(event.delta.partial_json ?? "").length
          break
        }
        const block = this.blocks[mapped.index]!
        const delta = event.delta
        if (delta.type === "text_delta") {
          if (this.stitching !== undefined && this.stitching.raw === event.index) {
            this.stitching.pending += delta.text
            this.stitching.template = event
            this.flushStitch(out, false)
            break
          }
          const before = delta.text.length
          const text = this.reconcile(delta.text)
          this.accounting.dropped += before - text.length
          if (text.length === 0) break
          this.announce(out)
          block.text += text
          this.accounting.characters += text.length
          out.push({ ...event, index: mapped.index, delta: { ...delta, text } })
          break
        }
        if (delta.type === "thinking_delta") block.text += delta.thinking
        out.push({ ...event, index: mapped.index })
        break
      }
      case "content_block_stop": {
        const mapped = this.map.get(event.index)
        if (mapped === undefined || mapped._tag === "Drop" || mapped._tag === "Deferred") break
        if (mapped._tag === "Buffer") {
          if (this.tools.deliveredBefore(mapped.start, mapped.events, this.accounting.attempt)) {
            // the same call, already delivered whole by an earlier attempt: never twice
            this.map.set(event.index, { _tag: "Drop" })
            break
          }
          this.closeContinuing(out)
          this.announce(out)
          const block = this.allocate(
            mapped.start.type === "content_block_start" ? mapped.start.content_block.type : ""
          )
          block.open = false
          this.map.set(event.index, { _tag: "Emit", index: block.index })
          for (const e of [mapped.start, ...mapped.events]) {
            if (e.type === "content_block_start" || e.type === "content_block_delta")
              out.push({ ...e, index: block.index })
          }
          out.push({ type: "content_block_stop", index: block.index })
          break
        }
        const block = this.blocks[mapped.index]!
        block.open = false
        out.push({ ...event, index: mapped.index })
        break
      }
      case "message_delta": {
        this.closeContinuing(out)
        this.announce(out)
        const usage = event.usage
        this.accounting.outputTokens = tokens(usage?.output_tokens)
        if (usage?.input_tokens != null) this.accounting.inputTokens = tokens(usage.input_tokens)
        out.push({
          ...event,
          usage: {
            ...event.usage,
            input_tokens: this.accounting.totalInputTokens,
            output_tokens: this.accounting.totalOutputTokens
          }
        })
        break
      }
      case "message_stop": {
        this.accounting.completed = true
        out.push(event)
        break
      }
    }
  }

  private reset(kind: ResumableStream.AttemptKind, params: Params, continuing: Block | undefined, held: string): void {
    this.accounting.next(kind, params.model)
    this.params = params
    this.map = new Map()
    this.continuing = continuing
    this.held = held
    this.firstText = true
    this.stitching = undefined
    this.announced = false
  }

  /** Whether this failure is the API refusing our prefill, to be retried at once as a continuation. */
  isPrefillRejection(error: ClaudeError.ClaudeError): boolean {
    return this.accounting.kind === "prefill" && error._tag === "InvalidRequestError" && error.phase === "request"
  }

  /**
   * Ends the current attempt with `error` and starts the next. Returns the events that close
   * what cannot be continued, and the notice (with the `delay` the caller chose). With `to`, the
   * next attempts ask another model (a fallback step): its own resumption mode (`refusesPrefill`
   * is that model's), `max_tokens` within its cap; after a refusal (`restart`) what was delivered
   * is superseded rather than continued.
   */
  fail(
    error: ClaudeError.ClaudeError,
    delay: Duration.Duration,
    refusesPrefill = false,
    to?: { readonly model: string; readonly maxTokens: number; readonly restart: boolean }
  ): { readonly events: ReadonlyArray<RawEvent>; readonly notice: ResumableStream.Resumption } {
    let fallback: ResumableStream.Fallback | undefined
    if (to !== undefined) {
      this.base = { ...this.base, model: to.model, max_tokens: to.maxTokens }
      this.preferred = this.settings.strategy
    } else if (this.isPrefillRejection(error)) {
      this.preferred = "continuation"
      fallback = "prefill_rejected"
    }
    const previous = this.accounting.close(error)
    const out: Array<RawEvent> = []
    const superseded: Array<number> = []
    const supersede = (block: Block) => {
      if (block.open) out.push({ type: "content_block_stop", index: block.index })
      block.open = false
      block.superseded = true
      superseded.push(block.index)
    }

    let discarded = 0
    for (const mapped of this.map.values()) {
      if (mapped._tag === "Buffer") {
        discarded += mapped.chars
        fallback ??= "tool_use_cut"
      }
    }
    for (const block of this.blocks) {
      if (block.open && (block.type === "thinking" || block.type === "redacted_thinking")) {
        supersede(block)
        fallback ??= "thinking"
      }
    }

    const text = this.partialText
    const next = request.next({
      original: this.base,
      preferred: to?.restart === true ? "restart" : this.preferred,
      continuePrompt: this.settings.continuePrompt,
      text,
      standing: this.blocks.some((b) => !b.superseded),
      thinking: this.blocks.some((b) => b.type === "thinking"),
      refusesPrefill
    })
    fallback ??= next.fallback
    let continuing: Block | undefined
    if (next.kind === "restart") {
      for (const block of this.blocks) if (!block.superseded) supersede(block)
    } else {
      const last = this.blocks.at(-1)
      continuing = last?.open && last.type === "text" && !last.superseded ? last : undefined
    }
    this.reset(next.kind, next.params, continuing, next.held)
    return {
      events: out,
      notice: {
        type: "resumption",
        attempt: this.accounting.attempt,
        model: this.accounting.model,
        strategy: next.kind,
        fallback,
        reason: error,
        characters: text.length,
        delay,
        previous,
        superseded,
        discarded
      }
    }
  }
}
