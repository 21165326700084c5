/**
 * Properties over real HTTP: the real SDK inside the `Claude` layer against a raw `node:http`
 * server that answers with arbitrary bodies and arbitrary SSE. Every call ends in a success or a
 * typed `ClaudeError` (never a defect, never a raw JavaScript error text), within a bound that
 * fails the test, and no text is silently dropped.
 */
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Layer, Option, Runtime, Schedule, Stream } from "effect"
import {
  anyBlock,
  anyBody,
  anyContentType,
  anyStatus,
  type Block,
  candidates,
  expected,
  type Item,
  mixedStream,
  RAW_JS,
  render
} from "./hostile.js"
import { ask, claudeAt, type Handler, message, serve } from "./rawServer.js"

/** A run that takes longer than this is a hang: the client's own limits are far above it. */
const HANG = "3 seconds"
const layerOptions = { attemptTimeout: "30 seconds", neverOpen: true } as const

class Hang {
  readonly _tag = "Hang"
}

/** The failure of an exit, checked to be a typed ClaudeError (no defect, no interruption, no raw JS text). */
const typedFailure = (exit: Exit.Exit<unknown, unknown>): ClaudeError.ClaudeError | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  expect(Cause.isDie(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  expect(Option.isSome(failure), Cause.pretty(exit.cause)).toBe(true)
  const error = Option.getOrThrow(failure)
  expect(error instanceof Hang, "the call hung").toBe(false)
  expect(ClaudeError.isClaudeError(error), String(error)).toBe(true)
  const typed = error as ClaudeError.ClaudeError
  expect(typed.message).not.toMatch(RAW_JS)
  return typed
}

const sse =
  (body: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" })
    res.end(body)
  }

const textOf = (events: ReadonlyArray<Claude.MessageStreamEvent>) =>
  events
    .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []))
    .join("")

describe("a protocol error follows the retry policy", () => {
  it.scopedLive(
    "a malformed 200 is retried like any transient fault (retryable, a server failure to the breaker)",
    () =>
      Effect.gen(function* () {
        let requests = 0
        const server = yield* serve({
          handler: (_req, res) => {
            requests += 1
            res.writeHead(200, { "content-type": "application/json" })
            res.end(requests === 1 ? "{}" : JSON.stringify(message("second time lucky")))
          }
        })
        const reply = yield* Effect.flatMap(Claude.Claude, (claude) => claude.messages.create(ask)).pipe(
          Effect.provide(claudeAt(server.url, { retry: Schedule.recurs(1) }))
        )
        expect(reply.content).toEqual([{ type: "text", text: "second time lucky" }])
        expect(requests).toBe(2)
        // and the decision the policies use: retryable, a server failure (the breaker counts it)
        const error = new ClaudeError.ConnectionError({ message: "create: message.id is missing", reason: "protocol" })
        expect(ClaudeError.isRetryable(error)).toBe(true)
        expect(ClaudeError.isServerFailure(error)).toBe(true)
      })
  )
})

describe("a hostile server, over real HTTP", () => {
  it.scopedLive("create and count_tokens: any status, content type and body → success or a typed failure", () =>
    Effect.gen(function* () {
      const current: { handler: Handler } = { handler: (_req, res) => res.end() }
      const server = yield* serve(current)
      // one client for every run, as an application has: a bad reply must leave it usable
      const runtime = yield* Layer.toRuntime(claudeAt(server.url, layerOptions))
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(anyStatus, anyContentType, anyBody, async (status, contentType, body) => {
            current.handler = (_req, res) => {
              res.writeHead(status, contentType === undefined ? {} : { "content-type": contentType })
              res.end(body.text)
            }
            const call = Effect.flatMap(Claude.Claude, (claude) =>
              Effect.all([Effect.exit(claude.messages.create(ask)), Effect.exit(claude.messages.countTokens(ask))])
            ).pipe(Effect.timeoutFail({ duration: HANG, onTimeout: () => new Hang() }))
            const [created, counted] = await Runtime.runPromise(runtime)(call)
            const createFailure = typedFailure(created)
            typedFailure(counted)
            if (status < 300 && body.kind === "message") {
              // a well-formed message arrives as it was sent
              expect(createFailure, String(createFailure)).toBeUndefined()
              expect(Exit.isSuccess(created) && created.value).toEqual(JSON.parse(body.text))
            }
            if (Exit.isSuccess(created)) expect(status).toBeLessThan(300)
            if (status < 300 && body.kind === "bad") {
              expect(createFailure?._tag === "ConnectionError" && createFailure.reason).toBe("protocol")
            }
          }),
          { numRuns: 50 }
        )
      )
    })
  )

  it.scopedLive(
    "streams of well-formed events with bad, benign and garbage items mixed in: the text up to the first bad item, then a typed failure",
    () =>
      Effect.gen(function* () {
        const current: { handler: Handler } = { handler: (_req, res) => res.end() }
        const server = yield* serve(current)
        // one client for every run, as an application has: a bad reply must leave it usable
        const runtime = yield* Layer.toRuntime(claudeAt(server.url, layerOptions))
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(mixedStream, async (items: ReadonlyArray<Item>) => {
              current.handler = sse(render(items.map((i) => i.block)))
              const received: Array<Claude.MessageStreamEvent> = []
              const call = Effect.flatMap(Claude.Claude, (claude) =>
                Stream.runForEach(claude.messages.stream(ask), (e) => Effect.sync(() => received.push(e)))
              ).pipe(Effect.timeoutFail({ duration: HANG, onTimeout: () => new Hang() }), Effect.exit)
              const exit = await Runtime.runPromise(runtime)(call)
              const failure = typedFailure(exit)
              const want = expected(items)
              expect(textOf(received)).toBe(want.text)
              switch (want.outcome) {
                case "success":
                  expect(failure, String(failure)).toBeUndefined()
                  break
                case "protocol":
                  expect(failure?._tag === "ConnectionError" && failure.reason, String(failure)).toBe("protocol")
                  expect(failure?._tag === "ConnectionError" && failure.phase).toBe("stream")
                  break
                case "OverloadedError":
                  expect(failure?._tag, String(failure)).toBe("OverloadedError")
                  break
                case "cut":
                  expect(failure?._tag === "ConnectionError" && failure.reason, String(failure)).toBe("reset")
                  break
              }
            }),
            { numRuns: 60 }
          )
        )
      })
  )

  it.scopedLive(
    "arbitrary SSE blocks: a typed ending, and the consumer sees a prefix of the events sent — all of them on success",
    () =>
      Effect.gen(function* () {
        const current: { handler: Handler } = { handler: (_req, res) => res.end() }
        const server = yield* serve(current)
        // one client for every run, as an application has: a bad reply must leave it usable
        const runtime = yield* Layer.toRuntime(claudeAt(server.url, layerOptions))
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.array(anyBlock, { maxLength: 12 }), async (blocks: ReadonlyArray<Block>) => {
              current.handler = sse(render(blocks))
              const received: Array<unknown> = []
              const call = Effect.flatMap(Claude.Claude, (claude) =>
                Stream.runForEach(claude.messages.stream(ask), (e) => Effect.sync(() => received.push(e)))
              ).pipe(Effect.timeoutFail({ duration: HANG, onTimeout: () => new Hang() }), Effect.exit)
              const exit = await Runtime.runPromise(runtime)(call)
              typedFailure(exit)
              const sent = candidates(blocks).events
              expect(received).toEqual(Exit.isSuccess(exit) ? sent : sent.slice(0, received.length))
            }),
            { numRuns: 80 }
          )
        )
      })
  )
})
