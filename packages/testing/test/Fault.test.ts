import Anthropic, { type APIError } from "@anthropic-ai/sdk"
import { Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, eventually, params, rejection, textOf, withFake, postMessages } from "./helpers.js"

type ErrorBody = { type: string; error: { type: string; message: string }; request_id: string }

describe("Fault (non-streaming)", () => {
  it.live("status faults carry the real error body and the requested headers", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(
          Fault.status(529, { retryAfter: "3", retryAfterMs: "2500", shouldRetry: true }),
          Fault.status(429, { retryAfter: "Wed, 21 Oct 2037 07:28:00 GMT", headers: { "x-extra": "1" } }),
          Fault.status(500, { shouldRetry: false, errorType: "api_error", message: "boom" })
        )
        const overloaded = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(overloaded, Anthropic.OverloadedError)
        const e1 = overloaded as APIError
        assert.strictEqual(e1.status, 529)
        assert.strictEqual((e1.error as ErrorBody).error.type, "overloaded_error")
        assert.strictEqual((e1.error as ErrorBody).request_id, e1.requestID)
        assert.strictEqual(e1.headers?.get("retry-after"), "3")
        assert.strictEqual(e1.headers?.get("retry-after-ms"), "2500")
        assert.strictEqual(e1.headers?.get("x-should-retry"), "true")

        const limited = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(limited, Anthropic.RateLimitError)
        const e2 = limited as APIError
        assert.strictEqual((e2.error as ErrorBody).error.type, "rate_limit_error")
        assert.strictEqual(e2.headers?.get("retry-after"), "Wed, 21 Oct 2037 07:28:00 GMT")
        assert.strictEqual(e2.headers?.get("x-extra"), "1")

        const internal = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(internal, Anthropic.InternalServerError)
        const e3 = internal as APIError
        assert.strictEqual((e3.error as ErrorBody).error.message, "boom")
        assert.strictEqual(e3.headers?.get("x-should-retry"), "false")

        const ok = yield* attempt(() => client.messages.create(params("a")))
        assert.strictEqual(ok.type, "message")
        const records = yield* fake.requests
        assert.deepStrictEqual(
          records.map((r) => [r.fault, r.faultSource, r.outcome]),
          [
            ["status:529", "scripted", 529],
            ["status:429", "scripted", 429],
            ["status:500", "scripted", 500],
            [undefined, undefined, 200]
          ]
        )
      })
    )
  )

  it.live("html, empty and truncated bodies", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.html(502), Fault.emptyBody(503), Fault.truncatedJson(500))
        const raw = () =>
          postMessages(fake, params("a")).then(async (r) => ({
            status: r.status,
            type: r.headers.get("content-type"),
            text: await r.text()
          }))
        const html = yield* attempt(raw)
        assert.strictEqual(html.status, 502)
        assert.match(html.type ?? "", /^text\/html/)
        assert.include(html.text, "<title>502 Bad Gateway</title>")
        const empty = yield* attempt(raw)
        assert.strictEqual(empty.status, 503)
        assert.strictEqual(empty.text, "")
        const truncated = yield* attempt(raw)
        assert.strictEqual(truncated.status, 500)
        assert.match(truncated.type ?? "", /^application\/json/)
        assert.throws(() => JSON.parse(truncated.text))
        assert.isTrue(truncated.text.startsWith('{"type":"error"'))

        // and the SDK still classifies them by status
        yield* fake.enqueue(Fault.html(502), Fault.emptyBody(503))
        const e1 = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(e1, Anthropic.InternalServerError)
        assert.strictEqual((e1 as APIError).status, 502)
        const e2 = yield* rejection(() => client.messages.create(params("a")))
        assert.strictEqual((e2 as APIError).status, 503)
      })
    )
  )

  it.live("reset destroys the connection before any response: APIConnectionError", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.reset())
        const error = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(error, Anthropic.APIConnectionError)
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.outcome, "reset")
        assert.strictEqual(recorded?.bytesSent, 0)
        const ok = yield* attempt(() => client.messages.create(params("a")))
        assert.strictEqual(ok.type, "message")
      })
    )
  )

  it.live("latency delays the normal answer", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.latency(300))
        const started = Date.now()
        const message = yield* attempt(() => client.messages.create(params("a")))
        assert.isAtLeast(Date.now() - started, 290)
        assert.strictEqual(message.type, "message")
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.fault, "latency:300")
        assert.isAtLeast(recorded?.durationMs ?? 0, 290)
      })
    )
  )

  it.live("cutStream on a non-streaming request cuts the body mid-way", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.cutStream(2))
        const error = yield* rejection(() => client.messages.create(params("a")))
        assert.instanceOf(error, Error)
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.outcome, "cut")
        assert.isAbove(recorded?.bytesSent ?? 0, 0)
      })
    )
  )

  it.live("match restricts a fault to the requests it selects, others pass it by", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(
          Fault.matching(Fault.status(529), (r) => r.stream),
          Fault.status(500, { match: (r) => r.path.endsWith("count_tokens") })
        )
        const plain = yield* attempt(() => client.messages.create(params("a")))
        assert.strictEqual(plain.type, "message")
        const streamed = yield* rejection(() => client.messages.stream(params("a")).finalText())
        assert.strictEqual((streamed as APIError).status, 529)
        assert.strictEqual((yield* fake.pendingFaults).length, 1)
        const counted = yield* rejection(() =>
          client.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "x" }] })
        )
        assert.strictEqual((counted as APIError).status, 500)
        assert.strictEqual((yield* fake.pendingFaults).length, 0)
      })
    )
  )
})

describe("Fault (streaming)", () => {
  it.live("cutStream destroys the socket after N events", () =>
    withFake({ seed: 1 }, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.cutStream(5))
        const seen: Array<string> = []
        const error = yield* rejection(async () => {
          const stream = await client.messages.create({ ...params("a"), stream: true })
          for await (const event of stream) seen.push(event.type)
        })
        assert.instanceOf(error, Error)
        // 5 events on the wire, the SDK hides `ping`
        assert.deepStrictEqual(seen, [
          "message_start",
          "content_block_start",
          "content_block_delta",
          "content_block_delta"
        ])
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.outcome, "cut")
        assert.strictEqual(recorded?.events, 5)
        assert.strictEqual(recorded?.fault, "cutStream:5")
      })
    )
  )

  it.live("sseError sends an SSE error event (overloaded_error) after N events", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.sseError(4))
        const error = yield* rejection(() => client.messages.stream(params("a")).finalText())
        assert.instanceOf(error, Anthropic.APIError)
        const body = (error as APIError).error as ErrorBody
        assert.strictEqual(body.error.type, "overloaded_error")
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.outcome, "sse-error")
        assert.strictEqual(recorded?.events, 4)
      })
    )
  )

  it.live("sseError on a non-streaming request becomes the matching status", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.sseError(4))
        const error = yield* rejection(() => client.messages.create(params("a")))
        assert.strictEqual((error as APIError).status, 529)
      })
    )
  )

  it.live("malformedSse makes the stream fail to parse", () =>
    withFake({}, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.malformedSse(3))
        const error = yield* rejection(() => client.messages.stream(params("a")).finalText())
        assert.instanceOf(error, Error)
        const [recorded] = yield* fake.requests
        assert.strictEqual(recorded?.outcome, "malformed-sse")
      })
    )
  )

  it.live("stall keeps the socket silent, then finishes the same text", () =>
    withFake({ seed: 2 }, (fake, client) =>
      Effect.gen(function* () {
        const expected = textOf(yield* attempt(() => client.messages.create(params("a"))))
        yield* fake.enqueue(Fault.stall(3, 300))
        const started = Date.now()
        const text = yield* attempt(() => client.messages.stream(params("a")).finalText())
        assert.isAtLeast(Date.now() - started, 290)
        assert.strictEqual(text, expected)
      })
    )
  )

  it.live("a client that goes away mid-stream is recorded as client-closed", () =>
    withFake({ eventDelayMs: 20 }, (fake, client) =>
      Effect.gen(function* () {
        const controller = new AbortController()
        // the SDK ends the iteration quietly (or rejects) on abort; either way the request is gone
        const seen = yield* attempt(async () => {
          const stream = await client.messages.create({ ...params("a"), stream: true }, { signal: controller.signal })
          let n = 0
          for await (const _ of stream) if (++n === 3) controller.abort()
          return n
        }).pipe(Effect.orElseSucceed(() => 3))
        assert.isAtMost(seen, 4)
        const records = yield* eventually(fake.requests, (rs) => rs[0]?.outcome !== "pending")
        assert.strictEqual(records[0]?.outcome, "client-closed")
        assert.isBelow(records[0]?.events ?? 99, 20)
        const stats = yield* fake.stats
        assert.strictEqual(stats.byOutcome["client-closed"], 1)
        assert.strictEqual(stats.pending, 0)
      })
    )
  )
})
