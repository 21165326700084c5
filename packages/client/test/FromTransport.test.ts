/**
 * How a transport's events reach the stream: the events of one network read as one chunk (the
 * stream's stages run once per read, not once per event), pings removed.
 */
import { type Claude, ScriptedClaude } from "@claude-resilience/client"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { fromTransport } from "../src/internal/fromTransport.js"
import type { TransportEvent } from "../src/internal/transport.js"

const delta = (text: string): Claude.MessageStreamEvent => ({
  type: "content_block_delta",
  index: 0,
  delta: { type: "text_delta", text }
})

const messageStart: Claude.MessageStreamEvent = {
  type: "message_start",
  message: ScriptedClaude.message("")
}
const blockStart: Claude.MessageStreamEvent = {
  type: "content_block_start",
  index: 0,
  content_block: { type: "text", text: "", citations: null }
}

/**
 * Reads of a socket, as the SSE reader yields them: the events parsed from one read follow each
 * other a few microtasks apart; the next read comes in a later macrotask.
 */
async function* reads(batches: ReadonlyArray<ReadonlyArray<TransportEvent>>): AsyncGenerator<TransportEvent> {
  for (const [i, batch] of batches.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20))
    for (const event of batch) yield event
  }
}

const chunkSizes = (batches: ReadonlyArray<ReadonlyArray<TransportEvent>>) =>
  Effect.map(
    Stream.runCollect(
      Stream.mapChunks(fromTransport(reads(batches), { idle: undefined, content: undefined }), (chunk) =>
        Chunk.of(chunk.length)
      )
    ),
    Chunk.toReadonlyArray
  )

describe("fromTransport", () => {
  it.live("hands over the events of one read as one chunk, and removes pings", () =>
    Effect.gen(function* () {
      // a stream starts with message_start and a block start: the boundary checks the order too
      const first = [messageStart, blockStart, ...Array.from({ length: 4 }, (_, i) => delta(`a${i} `))]
      const second = [delta("b0 "), { type: "ping" } as const, delta("b1 ")]
      expect(yield* chunkSizes([first, second])).toEqual([6, 2])
    })
  )
})
