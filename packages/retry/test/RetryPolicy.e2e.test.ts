import Anthropic from "@anthropic-ai/sdk"
import { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger } from "effect"

// Real SDK (its own retries off), real HTTP to FakeClaude, real time: delays kept small.

const call = Effect.gen(function* () {
  const fake = yield* FakeClaude.FakeClaude
  const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 })
  const body = {
    model: FakeClaude.defaultModels[0]!,
    max_tokens: 64,
    messages: [{ role: "user" as const, content: "Hello" }]
  }
  return Effect.tryPromise({
    try: (signal) => client.messages.create(body, { signal }),
    catch: (e) => e
  }).pipe(Effect.catchAll((e) => Effect.flip(ClaudeError.fromUnknown(e))))
})

// The fake server per test, and no log lines on the test output.
const env = Layer.merge(FakeClaude.layer(), Logger.remove(Logger.defaultLogger))

const fast: RetryPolicy.Options = {
  jitter: "none",
  tags: {
    RateLimitError: { base: "10 millis" },
    OverloadedError: { base: "20 millis" },
    BadGatewayError: { ladder: ["20 millis", "40 millis"] }
  }
}

describe("RetryPolicy end to end (SDK + FakeClaude)", () => {
  it.live("429 with retry-after: 1 waits at least a second, then succeeds", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(429, { retryAfter: "1" }))
      const message = yield* Effect.flatMap(call, (attempt) => Effect.retry(attempt, RetryPolicy.claude(fast)))
      assert.strictEqual(message.type, "message")
      const requests = yield* fake.requests
      assert.deepStrictEqual(
        requests.map((r) => r.outcome),
        [429, 200]
      )
      // the backoff alone (10 ms) would have retried at once: the gap is the server's Retry-After
      assert.isAtLeast(requests[1]!.time - requests[0]!.time, 990)
    }).pipe(Effect.provide(env))
  )

  it.live("529 twice, then success", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(529), Fault.status(529))
      const message = yield* Effect.flatMap(call, (attempt) => Effect.retry(attempt, RetryPolicy.claude(fast)))
      assert.strictEqual(message.type, "message")
      const requests = yield* fake.requests
      assert.deepStrictEqual(
        requests.map((r) => r.outcome),
        [529, 529, 200]
      )
      assert.isAtLeast(requests[1]!.time - requests[0]!.time, 15)
      assert.isAtLeast(requests[2]!.time - requests[1]!.time, 35)
    }).pipe(Effect.provide(env))
  )

  it.live("400 is not retried: the server sees exactly one request", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(400, { message: "bad request" }))
      const result = yield* Effect.flatMap(call, (attempt) =>
        Effect.either(Effect.retry(attempt, RetryPolicy.claude(fast)))
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "InvalidRequestError")
      assert.strictEqual((yield* fake.requests).length, 1)
    }).pipe(Effect.provide(env))
  )

  it.live("an HTML 502 from a proxy is retried on the ladder", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.html(502), Fault.html(502))
      const message = yield* Effect.flatMap(call, (attempt) => Effect.retry(attempt, RetryPolicy.claude(fast)))
      assert.strictEqual(message.type, "message")
      const requests = yield* fake.requests
      assert.deepStrictEqual(
        requests.map((r) => r.outcome),
        [502, 502, 200]
      )
      assert.isAtLeast(requests[2]!.time - requests[1]!.time, 35)
    }).pipe(Effect.provide(env))
  )

  it.live("an HTML 502 past the ladder fails with a BadGatewayError carrying the page's title", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.html(502), Fault.html(502), Fault.html(502))
      const result = yield* Effect.flatMap(call, (attempt) =>
        Effect.either(Effect.retry(attempt, RetryPolicy.claude(fast)))
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "BadGatewayError")
        if (result.left._tag === "BadGatewayError") assert.isDefined(result.left.bodySnippet)
      }
      assert.strictEqual((yield* fake.requests).length, 3)
    }).pipe(Effect.provide(env))
  )
})
