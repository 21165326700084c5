/**
 * The four contenders, each a `Caller` of create and streaming calls against one FakeClaude:
 * the plain SDK, the article's `callWithRetry` loop, cockatiel around the SDK, claude-resilience.
 *
 * @since 0.1.0
 */
import Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { ResumableStream } from "@claude-resilience/stream"
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, wrap } from "cockatiel"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Article from "./internal/article.js"

/**
 * @since 0.1.0
 * @category Models
 */
export type Name = "sdk" | "article" | "cockatiel" | "toolkit"

/**
 * Every contender, in report order.
 *
 * @since 0.1.0
 * @category Models
 */
export const names: ReadonlyArray<Name> = ["sdk", "article", "cockatiel", "toolkit"]

/**
 * What a contender is called in the report.
 *
 * @since 0.1.0
 * @category Models
 */
export const labels: Readonly<Record<Name, string>> = {
  sdk: "plain SDK (2 retries)",
  article: "article `callWithRetry`",
  cockatiel: "cockatiel retry + breaker",
  toolkit: "claude-resilience"
}

/**
 * The calls a workload makes. `create` and `stream` resolve with the answer's text; `stream`
 * reports every text delta it receives (from every attempt) through `onText`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Caller {
  readonly create: (prompt: string) => Promise<string>
  readonly stream: (prompt: string, onText: (text: string) => void) => Promise<string>
  readonly close: () => Promise<void>
}

/**
 * Where and how a contender calls.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Target {
  readonly url: string
  readonly apiKey: string
  readonly model: string
  readonly maxTokens: number
  /** the toolkit streams through `@claude-resilience/stream` (else `claude.messages.stream`) */
  readonly resumable: boolean
}

const textOf = (message: Anthropic.Messages.Message): string =>
  message.content.map((block) => (block.type === "text" ? block.text : "")).join("")

const user = (prompt: string): Array<Anthropic.Messages.MessageParam> => [{ role: "user", content: prompt }]

/** Reads an SDK stream to its end, reporting text deltas. */
const drain = async (
  stream: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>,
  onText: (text: string) => void
): Promise<string> => {
  let text = ""
  for await (const event of stream) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
      text += event.delta.text
      onText(event.delta.text)
    }
  }
  return text
}

/**
 * The plain SDK at its defaults: 2 retries with its own backoff (honouring `retry-after`), no
 * retry once a stream has started.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const sdk = (target: Target): Caller => {
  const client = new Anthropic({ apiKey: target.apiKey, baseURL: target.url })
  return {
    create: async (prompt) =>
      textOf(
        await client.messages.create({ model: target.model, max_tokens: target.maxTokens, messages: user(prompt) })
      ),
    stream: async (prompt, onText) =>
      drain(
        await client.messages.create({
          model: target.model,
          max_tokens: target.maxTokens,
          messages: user(prompt),
          stream: true
        }),
        onText
      ),
    close: async () => {}
  }
}

/**
 * The article's `callWithRetry` (5 tries, 1 s base, over a default SDK client) for create
 * calls, and its `stream_with_recovery` continuation pattern for streams.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const article = (target: Target): Caller => {
  const log: Array<string> = []
  const article = Article.make(new Anthropic({ apiKey: target.apiKey, baseURL: target.url }), (line) => {
    if (log.length < 1000) log.push(line)
  })
  return {
    create: async (prompt) => textOf(await article.callWithRetry(user(prompt), target.model)),
    stream: (prompt, onText) => article.streamWithRecovery(prompt, target.model, onText),
    close: async () => {}
  }
}

/**
 * cockatiel as its README composes it: `retry(handleAll, { maxAttempts: 3, backoff: new
 * ExponentialBackoff() })` wrapped around `circuitBreaker(handleAll, { halfOpenAfter: 10 s,
 * breaker: new ConsecutiveBreaker(5) })`, over an SDK with `maxRetries: 0`. A stream is one
 * execution: a cut retries it from the start.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const cockatiel = (target: Target): Caller => {
  const client = new Anthropic({ apiKey: target.apiKey, baseURL: target.url, maxRetries: 0 })
  const policy = wrap(
    retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 10 * 1000, breaker: new ConsecutiveBreaker(5) })
  )
  return {
    // each call its own signal: without one, cockatiel hands every execution one shared never-aborted
    // signal, the SDK adds an abort listener to it per request in flight, and Node warns past ten
    create: (prompt) =>
      policy.execute(
        async ({ signal }) =>
          textOf(
            await client.messages.create(
              { model: target.model, max_tokens: target.maxTokens, messages: user(prompt) },
              { signal }
            )
          ),
        new AbortController().signal
      ),
    stream: (prompt, onText) =>
      policy.execute(
        async ({ signal }) =>
          drain(
            await client.messages.create(
              { model: target.model, max_tokens: target.maxTokens, messages: user(prompt), stream: true },
              { signal }
            ),
            onText
          ),
        new AbortController().signal
      ),
    close: async () => {}
  }
}

/**
 * The toolkit's retry policy in the bench: `RetryPolicy.claude()` with a 40 s budget and the
 * long waits shortened (502 ladder 1/3/10 s instead of 3/10/30/60/120 s, 529 base 1 s instead of
 * 5 s) so a scenario fits in seconds; the demo's `drillPolicy`, stated in docs/benchmarks.md.
 *
 * @since 0.1.0
 * @category Policies
 */
export const benchPolicy = RetryPolicy.claude({
  budget: "40 seconds",
  maxAttempts: 12,
  tags: {
    OverloadedError: { base: "1 second", cap: "8 seconds", maxAttempts: 6 },
    BadGatewayError: { ladder: ["1 second", "3 seconds", "10 seconds"] },
    ServiceUnavailableError: { maxAttempts: 10 },
    ApiError: { maxAttempts: 5 },
    ConnectionError: { maxAttempts: 5 }
  }
})

/**
 * claude-resilience as the bench configures it: {@link benchPolicy}, a breaker opening after 5
 * consecutive server failures for 1 s.
 *
 * @since 0.1.0
 * @category Layers
 */
export const toolkitLayer = (target: Pick<Target, "url" | "apiKey">): Layer.Layer<Claude.Claude> =>
  Claude.layer({
    apiKey: Redacted.make(target.apiKey),
    baseURL: target.url,
    attemptTimeout: "30 seconds",
    retryPolicy: benchPolicy,
    circuitBreaker: { trip: CircuitBreaker.consecutiveFailures(5), openDuration: "1 second" }
  }).pipe(Layer.orDie) // the key is FakeClaude's: a key refused by preflight would be a bug here

/**
 * claude-resilience: each call is one `runPromise` of the `Claude` service's effect, so the
 * price of entering Effect is part of what is measured. Log lines are built and dropped
 * (`Logger.none`), as the article's lines are.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const toolkit = (target: Target): Caller => {
  const runtime = ManagedRuntime.make(
    Layer.merge(toolkitLayer(target), Logger.replace(Logger.defaultLogger, Logger.none))
  )
  const params = (prompt: string) => ({ model: target.model, max_tokens: target.maxTokens, messages: user(prompt) })
  const collectText = <E, R>(events: Stream.Stream<ResumableStream.Event, E, R>, onText: (text: string) => void) =>
    Stream.runFold(events, "", (text, event) => {
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        onText(event.delta.text)
        return text + event.delta.text
      }
      return text
    })
  return {
    create: (prompt) =>
      runtime.runPromise(
        Effect.flatMap(Claude.Claude, (claude) => Effect.map(claude.messages.create(params(prompt)), textOf))
      ),
    stream: (prompt, onText) =>
      runtime.runPromise(
        target.resumable
          ? collectText(ResumableStream.events(params(prompt)), onText)
          : Effect.flatMap(Claude.Claude, (claude) => collectText(claude.messages.stream(params(prompt)), onText))
      ),
    close: () => runtime.dispose()
  }
}

/**
 * The caller of a contender.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (name: Name, target: Target): Caller => {
  switch (name) {
    case "sdk":
      return sdk(target)
    case "article":
      return article(target)
    case "cockatiel":
      return cockatiel(target)
    case "toolkit":
      return toolkit(target)
  }
}
