/**
 * A long answer read while the consumer is busy: the mailbox behind the stream merges whatever
 * arrived meanwhile, and Effect's `Stream.runFold` walks a chunk one stack frame per event. Chunks
 * of tens of thousands of events overflowed the stack ("Maximum call stack size exceeded", a
 * defect); chunks are now cut at `MAX_CHUNK` events.
 */
import { Claude } from "@claude-resilience/client"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Stream } from "effect"
import { MAX_CHUNK } from "../src/internal/fromTransport.js"
import {
  ask,
  blockStart,
  blockStop,
  claudeAt,
  frame,
  messageDelta,
  messageStart,
  messageStop,
  serve,
  textDelta
} from "./rawServer.js"

const DELTAS = 50_000

describe("a long stream and a busy consumer", () => {
  it.scopedLive(
    "50k deltas read while the consumer is busy with the first chunk: runFold sees every event, chunks stay bounded",
    () =>
      Effect.gen(function* () {
        const server = yield* serve({
          handler: (_req, res) => {
            // the whole answer at once: it is read while the consumer is busy with the first chunk
            res.writeHead(200, { "content-type": "text/event-stream" })
            res.end(
              frame(messageStart()) +
                frame(blockStart()) +
                frame(textDelta("w ")).repeat(DELTAS) +
                frame(blockStop()) +
                frame(messageDelta(DELTAS)) +
                frame(messageStop)
            )
          }
        })
        const sizes: Array<number> = []
        let first = true
        const exit = yield* Effect.flatMap(Claude.Claude, (claude) =>
          claude.messages.stream(ask).pipe(
            Stream.mapChunks((chunk) => {
              sizes.push(chunk.length)
              return chunk
            }),
            // a consumer busy on its first chunk: the rest of the answer piles up in the mailbox
            // meanwhile (300 ms were enough to pile up 8k events and overflow the stack; a second
            // makes the pile-up certain on a loaded machine)
            Stream.mapChunksEffect((chunk) => {
              if (!first) return Effect.succeed(chunk)
              first = false
              return Effect.as(Effect.sleep("1 second"), chunk)
            }),
            Stream.runFold(0, (n, e) => (e.type === "content_block_delta" ? n + 1 : n))
          )
        ).pipe(Effect.provide(claudeAt(server.url)), Effect.exit)
        expect(Exit.isSuccess(exit) ? exit.value : Cause.pretty(exit.cause)).toBe(DELTAS)
        expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_CHUNK)
        // the pile-up really happened: some chunk was full
        expect(Math.max(...sizes)).toBe(MAX_CHUNK)
      })
  )
})
