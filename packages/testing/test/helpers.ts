import Anthropic from "@anthropic-ai/sdk"
import { FakeClaude } from "@claude-resilience/testing"
import { Effect } from "effect"

export const MODEL = "claude-sonnet-4-6"

/** A model that takes an assistant prefill (4.6 and later models refuse it). */
export const PREFILL_MODEL = "claude-haiku-4-5"

export type Params = Anthropic.MessageCreateParamsNonStreaming

export const params = (content: string, extra: Partial<Params> = {}): Params => ({
  model: MODEL,
  max_tokens: 1024,
  messages: [{ role: "user", content }],
  ...extra
})

/** Runs `f` against a fresh server with an SDK client that never retries (and logs nothing: faults make it complain). */
export const withFake = <A, E>(
  options: FakeClaude.Options,
  f: (fake: FakeClaude.Service, client: Anthropic) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.FakeClaude
    const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0, logLevel: "off" })
    return yield* f(fake, client)
  }).pipe(Effect.provide(FakeClaude.layer(options)))

/** A promise as an Effect that never fails: its rejection becomes the error value. */
export const attempt = <A>(thunk: () => Promise<A>): Effect.Effect<A, unknown> =>
  Effect.tryPromise({ try: thunk, catch: (e) => e })

/** The rejection of a promise that must reject. */
export const rejection = <A>(thunk: () => Promise<A>): Effect.Effect<unknown> =>
  Effect.flip(attempt(thunk)).pipe(Effect.catchAll((a) => Effect.die(new Error(`expected a rejection, got ${a}`))))

export const textOf = (message: Anthropic.Message): string =>
  message.content.map((block) => (block.type === "text" ? block.text : "")).join("")

/** Polls until `f` holds (the server records outcomes asynchronously after a client goes away). */
export const eventually = <A>(self: Effect.Effect<A>, ok: (a: A) => boolean, tries = 100): Effect.Effect<A> =>
  Effect.gen(function* () {
    for (let i = 0; i < tries; i++) {
      const a = yield* self
      if (ok(a)) return a
      yield* Effect.sleep("10 millis")
    }
    return yield* self
  })

/** A raw `POST /v1/messages` with the fake's key, below the SDK, to read the wire as sent. */
export const postMessages = (fake: FakeClaude.Service, body: unknown): Promise<Response> =>
  fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": fake.apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify(body)
  })
