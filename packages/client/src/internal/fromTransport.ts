/**
 * A transport's events as a `Stream`: each one checked at the boundary, pushed in chunks (one
 * per network read, at most {@link MAX_CHUNK} events), watched for stalls, pings removed.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"
import { EventChecker, protocolError } from "./boundary.js"
import type { TransportEvent } from "./transport.js"

/**
 * The most events a chunk holds. Some of Effect's stream stages walk a chunk recursively, one
 * stack frame per event (`Stream.runFold`'s sink): a chunk of thousands of events — a long answer
 * read while the consumer was busy, merged in the mailbox — overflows the stack.
 */
export const MAX_CHUNK = 1024

/** The limits of the stall watchdog; `undefined` turns one off. */
export interface Limits {
  /** The longest silence between two events of any kind, pings included. */
  readonly idle: Duration.Duration | undefined
  /** The longest time without a content event (pings do not count). */
  readonly content: Duration.Duration | undefined
}

/**
 * Runs `f` once the current macrotask and the microtasks it queued are done: `setImmediate` where
 * it exists (Node, Bun), else `setTimeout(f, 0)` (browsers, workers; in Node it would add about a
 * millisecond per read). Events parsed from one network read arrive a few microtasks apart, so a
 * flush scheduled here sees them all; a microtask would run between two of them and hand over one
 * event per chunk (`test/FromTransport.test.ts`).
 */
const afterMicrotasks: (f: () => void) => void =
  typeof globalThis.setImmediate === "function"
    ? (f) => void globalThis.setImmediate(f)
    : (f) => void globalThis.setTimeout(f, 0)

const stalled = (byContent: boolean, timeout: Duration.Duration) =>
  new ClaudeError.TimeoutError({
    message: byContent
      ? `stream stalled: pings but no content for ${Duration.format(timeout)}`
      : `stream stalled: no event (not even a ping) for ${Duration.format(timeout)}`,
    timeout,
    phase: "stream"
  })

const isContent = (e: TransportEvent): e is Claude.MessageStreamEvent => e.type !== "ping"

/**
 * Hands chunks on with pings removed and none longer than {@link MAX_CHUNK}: the mailbox merges
 * whatever arrived while the consumer was busy into one chunk, so the cap is applied after it.
 * One stage per chunk, as `Stream.mapChunks` is.
 */
const boundChunks = <E>(): Channel.Channel<
  Chunk.Chunk<Claude.MessageStreamEvent>,
  Chunk.Chunk<TransportEvent>,
  E,
  E,
  unknown,
  unknown
> => {
  const reader: Channel.Channel<
    Chunk.Chunk<Claude.MessageStreamEvent>,
    Chunk.Chunk<TransportEvent>,
    E,
    E,
    unknown,
    unknown
  > = Channel.readWith({
    onInput: (input: Chunk.Chunk<TransportEvent>) => {
      let chunk = input as Chunk.Chunk<Claude.MessageStreamEvent>
      // Pings are rare: keep the chunk as it is unless one is in it.
      for (const e of input) {
        if (e.type === "ping") {
          chunk = Chunk.filter(input, isContent)
          break
        }
      }
      const out =
        chunk.length <= MAX_CHUNK ? Channel.write(chunk) : Channel.writeChunk(Chunk.chunksOf(chunk, MAX_CHUNK))
      return Channel.flatMap(out, () => reader)
    },
    onFailure: Channel.fail,
    onDone: Channel.succeed
  })
  return reader
}

/**
 * Reads a transport's stream in plain JavaScript and pushes its events into a mailbox, so the
 * Effect side takes whatever has arrived as a chunk instead of one fiber step per event.
 *
 * The stall watchdog lives here, below the consumer: the reader stamps the time of every
 * event (pings included) and of every content event, and one fiber sleeps until the earlier
 * deadline — `idle` after the last event, `content` after the last content event — and fails
 * the stream with a `TimeoutError` (phase `"stream"`) if nothing moved it. Only the server's
 * silence counts, never the time the consumer takes, and an event costs a clock read, not a
 * timer. Pings are removed afterwards.
 *
 * On close it aborts the request first and never waits for the iterator: an async generator
 * parked on a stalled socket would make `return()` wait forever.
 */
export const fromTransport = (
  iterable: AsyncIterable<unknown> & { readonly controller?: AbortController },
  limits: Limits
): Stream.Stream<Claude.MessageStreamEvent, unknown> =>
  Stream.asyncPush<TransportEvent, unknown>(
    (emit) =>
      Effect.gen(function* () {
        const clock = yield* Effect.clock
        const start = clock.unsafeCurrentTimeMillis()
        const state = { closed: false, done: false, lastEvent: start, lastContent: start }
        const iterator = iterable[Symbol.asyncIterator]()
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            state.closed = true
            // A finished response needs no abort (and an AbortError costs a stack trace).
            if (state.done) return
            iterable.controller?.abort()
            iterator.return?.().catch(() => undefined)
          })
        )
        // Events parsed from one network read arrive a microtask apart: gather them and hand
        // them over as one chunk once the microtasks have run, so the stream's stages run once
        // per read instead of once per event.
        let buffer: Array<TransportEvent> = []
        let scheduled = false
        const flush = () => {
          scheduled = false
          if (state.closed || buffer.length === 0) return
          const chunk = Chunk.unsafeFromArray(buffer)
          buffer = []
          emit.chunk(chunk)
        }
        const checker = new EventChecker()
        const read = async () => {
          try {
            while (true) {
              const result = await iterator.next()
              if (state.closed) return
              if (result.done === true) {
                state.done = true
                flush()
                return void emit.end()
              }
              // The boundary: nothing reads an event before it is checked.
              const problem = checker.check(result.value)
              if (problem !== undefined) {
                flush()
                return void emit.fail(protocolError(problem, "stream"))
              }
              const event = result.value as TransportEvent
              const now = clock.unsafeCurrentTimeMillis()
              state.lastEvent = now
              if (event.type !== "ping") state.lastContent = now
              buffer.push(event)
              if (buffer.length >= MAX_CHUNK) flush()
              else if (!scheduled) {
                scheduled = true
                afterMicrotasks(flush)
              }
            }
          } catch (e) {
            if (state.closed) return
            flush()
            emit.fail(e)
          }
        }
        void read()
        const idleMs = limits.idle === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.idle)
        const contentMs = limits.content === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.content)
        if (!Number.isFinite(idleMs) && !Number.isFinite(contentMs)) return
        const watch: Effect.Effect<void> = Effect.suspend(() => {
          if (state.closed) return Effect.void
          const now = clock.unsafeCurrentTimeMillis()
          const idleLeft = state.lastEvent + idleMs - now
          const contentLeft = state.lastContent + contentMs - now
          if (idleLeft <= 0 || contentLeft <= 0) {
            const byContent = idleLeft > 0
            return Effect.sync(() => {
              if (!state.closed) emit.fail(stalled(byContent, Duration.millis(byContent ? contentMs : idleMs)))
            })
          }
          return Effect.zipRight(Effect.sleep(Duration.millis(Math.min(idleLeft, contentLeft))), watch)
        })
        yield* Effect.forkScoped(watch)
      }),
    { bufferSize: "unbounded" }
  ).pipe((events) => Stream.fromChannel(Channel.pipeTo(Stream.toChannel(events), boundChunks<unknown>())))
