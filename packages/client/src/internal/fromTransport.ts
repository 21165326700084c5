/**
 * A transport's events as a `Stream`: each one checked at the boundary, handed on in chunks (the
 * events of one network read, at most {@link MAX_CHUNK}), watched for stalls, pings removed.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Claude from "../Claude.js"
import { EventChecker, protocolError } from "./boundary.js"
import type { TransportEvent } from "./transport.js"

/**
 * The most events a chunk holds. Some of Effect's stream stages walk a chunk recursively, one
 * stack frame per event (`Stream.runFold`'s sink): a chunk of thousands of events — a long answer
 * read while the consumer was busy — overflows the stack.
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
 * What the caller folds into the stream instead of adding stages of its own (each stage of an
 * Effect `Stream` costs a few steps of the channel executor per chunk and more per stream).
 */
export interface Hooks<E> {
  /** Sees each chunk (checked events, no pings) before it is handed on: bookkeeping in plain code. */
  readonly onChunk?: ((events: ReadonlyArray<Claude.MessageStreamEvent>) => void) | undefined
  /** What a failure of the transport (or the watchdog, or the boundary) becomes. */
  readonly mapError?: ((error: unknown) => Effect.Effect<never, E>) | undefined
  /** Asked when the transport's stream has ended cleanly: an error to fail with, or `undefined`. */
  readonly onEnd?: (() => E | undefined) | undefined
}

/**
 * Runs `f` once the current macrotask and the microtasks it queued are done: `setImmediate` where
 * it exists (Node, Bun), else `setTimeout(f, 0)` (browsers, workers; in Node it would add about a
 * millisecond per read). Events parsed from one network read arrive a few microtasks apart, so a
 * wake-up scheduled here sees them all; a microtask would run between two of them and hand over
 * one event per chunk (`test/FromTransport.test.ts`).
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

/** How the transport's stream ended: cleanly, or with a failure (its own, the boundary's, the watchdog's). */
type End = { readonly _tag: "Done" } | { readonly _tag: "Failed"; readonly error: unknown }

const DONE: End = { _tag: "Done" }

type Event = Claude.MessageStreamEvent

/** The clock of Effect's default services: its `sleep` is a plain timer, which the watchdog then uses directly. */
const liveClock = Effect.runSync(Effect.clock)

/** The longest delay `setTimeout` takes (a longer one fires at once); the timer is re-armed past it. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The stream of a transport's events, in the caller's scope (closing it aborts the request).
 *
 * The transport is read in plain JavaScript: each event is checked at the boundary, stamped
 * with the time (for the watchdog), and — unless it is a ping — put in a buffer. The stream pulls:
 * whatever the buffer holds is one chunk (at most {@link MAX_CHUNK} events); when it is empty the
 * pull waits until the microtasks of the current network read have run, so the events of one read
 * arrive as one chunk. Bookkeeping (`hooks.onChunk`), the error mapping and the end check run in
 * the pull, once per chunk, rather than as stages of their own.
 *
 * The stall watchdog is one fiber per stream, not a timer per event: it sleeps until the earlier
 * deadline — `idle` after the last event, `content` after the last content event — and fails the
 * stream with a `TimeoutError` (phase `"stream"`) if no event moved it meanwhile. Only the
 * server's silence counts, never the time the consumer takes.
 *
 * On close it aborts the request first and never waits for the iterator: an async generator
 * parked on a stalled socket would make `return()` wait forever.
 */
export const open = <E = unknown>(
  iterable: AsyncIterable<unknown> & { readonly controller?: AbortController },
  limits: Limits,
  hooks: Hooks<E> = {}
): Effect.Effect<Stream.Stream<Event, E>, never, Scope.Scope> =>
  Effect.flatMap(Effect.clock, (clock) => {
    const start = clock.unsafeCurrentTimeMillis()
    let lastEvent = start
    let lastContent = start
    /** the scope closed: nothing is handed on any more */
    let closed = false
    /** the transport's iterator finished (no abort needed) */
    let finished = false
    let buffer: Array<Event> = []
    let end: End | undefined
    let waiter: ((resume: Effect.Effect<void>) => void) | undefined
    let scheduled = false
    const iterator = iterable[Symbol.asyncIterator]()
    const checker = new EventChecker()

    const wake = () => {
      scheduled = false
      const resume = waiter
      if (resume === undefined || closed) return
      waiter = undefined
      resume(Effect.void)
    }
    const finish = (how: End) => {
      if (end === undefined) end = how
      stopTimer()
      wake()
    }

    const read = async () => {
      try {
        while (true) {
          const result = await iterator.next()
          if (closed) return
          if (result.done === true) {
            finished = true
            return finish(DONE)
          }
          // The boundary: nothing reads an event before it is checked.
          const problem = checker.check(result.value)
          if (problem !== undefined) return finish({ _tag: "Failed", error: protocolError(problem, "stream") })
          const event = result.value as TransportEvent
          const now = clock.unsafeCurrentTimeMillis()
          lastEvent = now
          if (event.type === "ping") continue
          lastContent = now
          buffer.push(event)
          if (waiter === undefined) continue
          if (buffer.length >= MAX_CHUNK) wake()
          else if (!scheduled) {
            scheduled = true
            afterMicrotasks(wake)
          }
        }
      } catch (error) {
        if (!closed) finish({ _tag: "Failed", error })
      }
    }

    const cancelWait = Effect.sync(() => {
      waiter = undefined
    })
    const wait = Effect.async<void>((resume) => {
      waiter = resume
      return cancelWait
    })
    const take = (): Chunk.Chunk<Event> => {
      let events: Array<Event>
      if (buffer.length <= MAX_CHUNK) {
        events = buffer
        buffer = []
      } else {
        events = buffer.splice(0, MAX_CHUNK)
      }
      hooks.onChunk?.(events)
      return Chunk.unsafeFromArray(events)
    }
    const ended = (how: End): Effect.Effect<undefined, E> => {
      if (how._tag === "Failed") {
        return hooks.mapError !== undefined ? hooks.mapError(how.error) : Effect.fail(how.error as E)
      }
      const error = hooks.onEnd?.()
      return error === undefined ? Effect.succeed(undefined) : Effect.fail(error)
    }
    /** The next chunk, or `undefined` at the end: buffered events first, then how the transport ended. */
    const pull: Effect.Effect<Chunk.Chunk<Event> | undefined, E> = Effect.suspend(() =>
      buffer.length > 0 ? Effect.succeed(take()) : end !== undefined ? ended(end) : Effect.zipRight(wait, pull)
    )
    const loop = (): Channel.Channel<Chunk.Chunk<Event>, unknown, E, unknown, void, unknown> =>
      Channel.flatMap(Channel.fromEffect(pull), (chunk) =>
        chunk === undefined ? Channel.void : Channel.flatMap(Channel.write(chunk), loop)
      )

    const idleMs = limits.idle === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.idle)
    const contentMs = limits.content === undefined ? Number.POSITIVE_INFINITY : Duration.toMillis(limits.content)
    const watching = Number.isFinite(idleMs) || Number.isFinite(contentMs)
    /** How long until the earlier deadline, or `undefined` once the stream has stalled (it then fails). */
    const check = (): number | undefined => {
      const now = clock.unsafeCurrentTimeMillis()
      const idleLeft = lastEvent + idleMs - now
      const contentLeft = lastContent + contentMs - now
      if (idleLeft > 0 && contentLeft > 0) return Math.min(idleLeft, contentLeft)
      const byContent = idleLeft > 0
      finish({ _tag: "Failed", error: stalled(byContent, Duration.millis(byContent ? contentMs : idleMs)) })
      return undefined
    }
    // On the live clock one plain timer, re-armed at each deadline (not per event) and cleared at
    // the end; on any other clock (TestClock) a fiber that sleeps on it.
    let timer: ReturnType<typeof setTimeout> | undefined
    const stopTimer = () => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    }
    const onTimer = () => {
      timer = undefined
      if (closed || end !== undefined) return
      const left = check()
      if (left !== undefined) timer = setTimeout(onTimer, Math.min(left, MAX_TIMER_MS))
    }
    const watch: Effect.Effect<void> = Effect.suspend(() => {
      if (closed || end !== undefined) return Effect.void
      const left = check()
      return left === undefined ? Effect.void : Effect.zipRight(clock.sleep(Duration.millis(left)), watch)
    })
    const startWatch: Effect.Effect<unknown, never, Scope.Scope> = !watching
      ? Effect.void
      : clock === liveClock
        ? Effect.sync(() => {
            timer = setTimeout(onTimer, Math.min(idleMs, contentMs, MAX_TIMER_MS))
          })
        : Effect.forkScoped(watch)

    return Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true
        waiter = undefined
        stopTimer()
        // A finished response needs no abort (and an AbortError costs a stack trace).
        if (finished) return
        iterable.controller?.abort()
        iterator.return?.().catch(() => undefined)
      })
    ).pipe(
      Effect.zipRight(startWatch),
      Effect.map(() => {
        void read()
        return Stream.fromChannel(loop())
      })
    )
  })

/**
 * Reads a transport's stream as a `Stream` of its own scope: see {@link open}.
 */
export const fromTransport = (
  iterable: AsyncIterable<unknown> & { readonly controller?: AbortController },
  limits: Limits
): Stream.Stream<Claude.MessageStreamEvent, unknown> => Stream.unwrapScoped(open(iterable, limits))
