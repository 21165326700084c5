/**
 * The resumable stream over real HTTP against a raw server that sends well-formed events with bad,
 * benign and garbage items mixed in (the client's arbitraries): a failure is typed, never a
 * defect or a hang, and no text is silently dropped — the text delivered is the well-formed text
 * up to the failure, then the next attempt's.
 */
import { ClaudeError } from "@claude-resilience/errors"
import { ResumableStream } from "@claude-resilience/stream"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Layer, Option, Runtime, Schedule, Stream } from "effect"
import { anyBlock, type Block, expected, type Item, mixedStream, RAW_JS, render } from "../../client/test/hostile.js"
import { claudeAt, frame, type Handler, serve, wholeStream } from "../../client/test/rawServer.js"
import { ask, textOf } from "./helpers.js"

const HANG = "5 seconds"
/** What every attempt after the first answers: a clean stream. */
const REST = ["RE", "ST"]

class Hang {
  readonly _tag = "Hang"
}

/** A typed failure of the resumable stream: a ClaudeError, or resumption given up on one. */
const typedFailure = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return undefined
  expect(Cause.isDie(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  expect(Option.isSome(failure), Cause.pretty(exit.cause)).toBe(true)
  const error = Option.getOrThrow(failure) as ResumableStream.ResumeError | Hang
  expect(error instanceof Hang, "the stream hung").toBe(false)
  const typed = error as ResumableStream.ResumeError
  const cause = typed._tag === "ResumeExhaustedError" ? typed.cause : typed
  expect(ClaudeError.isClaudeError(cause), String(error)).toBe(true)
  expect(typed.message).not.toMatch(RAW_JS)
  return typed
}

/** The first request gets `first`; every later one (a resumption) a clean stream of REST. */
const firstThenClean = (first: string): { handler: Handler; requests: number } => {
  const state = {
    requests: 0,
    handler: ((_req, res) => {
      state.requests += 1
      res.writeHead(200, { "content-type": "text/event-stream" })
      res.end(state.requests === 1 ? first : wholeStream(REST).map(frame).join(""))
    }) as Handler
  }
  return state
}

describe("ResumableStream against a hostile server", () => {
  it.scopedLive(
    "bad items mid-stream: without resumption, the text delivered is the well-formed text up to the failure; with it, that text then the next attempt's",
    () =>
      Effect.gen(function* () {
        const current: { handler: Handler } = { handler: (_req, res) => res.end() }
        const server = yield* serve(current)
        const runtime = yield* Layer.toRuntime(claudeAt(server.url, { neverOpen: true }))
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(mixedStream, fc.boolean(), async (items: ReadonlyArray<Item>, resume) => {
              const state = firstThenClean(render(items.map((i) => i.block)))
              current.handler = state.handler
              const received: Array<ResumableStream.Event> = []
              const run = Stream.runForEach(
                ResumableStream.events(ask(), { schedule: resume ? Schedule.recurs(2) : Schedule.stop }),
                (e) => Effect.sync(() => received.push(e))
              ).pipe(Effect.timeoutFail({ duration: HANG, onTimeout: () => new Hang() }), Effect.exit)
              const exit = await Runtime.runPromise(runtime)(run)
              const failure = typedFailure(exit)
              const want = expected(items)
              const whole = want.outcome === "success" || want.complete
              if (whole) {
                // the message was whole before anything went wrong: nothing to resume
                expect(failure, String(failure)).toBeUndefined()
                expect(textOf(received)).toBe(want.text)
              } else if (resume) {
                expect(failure, String(failure)).toBeUndefined()
                expect(textOf(received)).toBe(want.text + REST.join(""))
                expect(received.at(-1)?.type).toBe("message_stop")
              } else {
                expect(failure?._tag, String(failure)).toBe("ResumeExhaustedError")
                expect(textOf(received)).toBe(want.text)
                expect(failure?._tag === "ResumeExhaustedError" && failure.partialText).toBe(want.text)
              }
              // token counts summed over attempts stay non-negative integers
              for (const e of received) {
                if (e.type === "message_delta") {
                  expect(Number.isSafeInteger(e.usage.output_tokens) && e.usage.output_tokens >= 0).toBe(true)
                }
              }
            }),
            { numRuns: 60 }
          )
        )
      })
  )

  it.scopedLive(
    "arbitrary SSE blocks in the first attempt: a typed ending or a whole message, never a defect or a hang",
    () =>
      Effect.gen(function* () {
        const current: { handler: Handler } = { handler: (_req, res) => res.end() }
        const server = yield* serve(current)
        const runtime = yield* Layer.toRuntime(claudeAt(server.url, { neverOpen: true }))
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.array(anyBlock, { maxLength: 12 }), async (blocks: ReadonlyArray<Block>) => {
              current.handler = firstThenClean(render(blocks)).handler
              const run = ResumableStream.finalMessage(ask(), { schedule: Schedule.recurs(2) }).pipe(
                Effect.timeoutFail({ duration: HANG, onTimeout: () => new Hang() }),
                Effect.exit
              )
              const exit = await Runtime.runPromise(runtime)(run)
              typedFailure(exit)
              if (Exit.isSuccess(exit)) {
                const usage = exit.value.message.usage
                expect(Number.isSafeInteger(usage.input_tokens) && usage.input_tokens >= 0).toBe(true)
                expect(Number.isSafeInteger(usage.output_tokens) && usage.output_tokens >= 0).toBe(true)
              }
            }),
            { numRuns: 60 }
          )
        )
      })
  )
})
