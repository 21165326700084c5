/**
 * The variants of the `paths` section: each a `Runner` that makes one call of its path against a
 * FakeClaude and resolves with the characters of answer text it received.
 */
import Anthropic from "@anthropic-ai/sdk"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import { ResumableStream } from "@claude-resilience/stream"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Paths from "../../Paths.js"

/** Where the calls go and what they ask. */
export interface Target {
  readonly url: string
  readonly apiKey: string
  readonly model: string
  readonly maxTokens: number
  readonly prompt: string
}

/** One variant, ready to call. */
export interface Runner {
  /** one call (to `model` if given, else the target's); resolves with the characters of answer text received */
  readonly call: (model?: string) => Promise<number>
  readonly close: () => Promise<void>
}

const params = (target: Target, model?: string) => ({
  model: model ?? target.model,
  max_tokens: target.maxTokens,
  messages: [{ role: "user" as const, content: target.prompt }]
})

const textLength = (message: Anthropic.Messages.Message): number =>
  message.content.reduce((n, block) => n + (block.type === "text" ? block.text.length : 0), 0)

/**
 * Every log line formatted (logfmt) and dropped: what a logger costs without its I/O. A program on
 * Effect's default logger prints the same lines to the console.
 */
const formattedAndDropped = Logger.replace(
  Logger.defaultLogger,
  Logger.map(Logger.logfmtLogger, () => undefined)
)

let spansRecorded = 0

/** Spans the recording tracer has seen in this process (a check that it was used). */
export const recordedSpans = (): number => spansRecorded

/** A tracer of our own (so "a tracer is installed"), recording spans through Effect's native one. */
const recordingTracer = Layer.unwrapEffect(
  Effect.map(Effect.tracer, (native) => {
    return Layer.setTracer(
      Tracer.make({
        span: (...args) => {
          spansRecorded++
          return native.span(...args)
        },
        context: native.context
      })
    )
  })
)

/** The real breaker with `execute` replaced by a pass-through: the breaker's cost, switched off. */
const passThroughBreaker = Layer.effect(
  CircuitBreaker.CircuitBreaker,
  Effect.map(CircuitBreaker.CircuitBreaker, (real): CircuitBreaker.Service => {
    const service: CircuitBreaker.Service = Object.create(real)
    return Object.assign(service, { execute: <A, E, R>(_key: string, effect: Effect.Effect<A, E, R>) => effect })
  })
).pipe(Layer.provide(CircuitBreaker.layer()))

const options = (target: Target): Claude.LayerOptions => ({
  apiKey: Redacted.make(target.apiKey),
  baseURL: target.url
})

/** The `Claude` layer and the runtime's extras of a claude-resilience variant. */
const layerOf = (variant: Paths.Variant, target: Target): Layer.Layer<Claude.Claude> => {
  const base = options(target)
  const claude = (() => {
    switch (variant) {
      case "no-rate-limit":
        return Claude.layer({ ...base, rateLimit: false })
      case "no-preflight":
        return Claude.layer({ ...base, preflight: false })
      case "bulkhead":
        return Claude.layer({ ...base, bulkhead: { maxConcurrent: 64 } })
      case "no-breaker":
        return Claude.layerWithoutDependencies(base).pipe(
          Layer.provide(RetryPolicy.layer()),
          Layer.provide(passThroughBreaker),
          Layer.provide(Quota.layer())
        )
      default:
        return Claude.layer(base)
    }
  })().pipe(Layer.orDie)
  const extras =
    variant === "no-logs"
      ? Logger.minimumLogLevel(LogLevel.None)
      : variant === "debug-logs"
        ? Layer.merge(formattedAndDropped, Logger.minimumLogLevel(LogLevel.Debug))
        : variant === "tracer"
          ? Layer.merge(formattedAndDropped, recordingTracer)
          : formattedAndDropped
  return Layer.merge(claude, extras)
}

const sdkRunner = (target: Target, stream: boolean): Runner => {
  const client = new Anthropic({ apiKey: target.apiKey, baseURL: target.url })
  return {
    call: stream
      ? async (model) => {
          let n = 0
          for await (const event of await client.messages.create({ ...params(target, model), stream: true }))
            if (event.type === "content_block_delta" && event.delta.type === "text_delta") n += event.delta.text.length
          return n
        }
      : async (model) => textLength(await client.messages.create(params(target, model))),
    close: async () => {}
  }
}

const floorRunner = (target: Target): Runner => {
  const client = new Anthropic({ apiKey: target.apiKey, baseURL: target.url, maxRetries: 0 })
  return {
    call: (model) =>
      Effect.runPromise(
        Effect.map(
          Effect.tryPromise({
            try: (signal) => client.messages.create(params(target, model), { signal }),
            catch: (e) => e
          }),
          textLength
        )
      ),
    close: async () => {}
  }
}

const countText = <E, R>(
  events: Stream.Stream<Anthropic.Messages.RawMessageStreamEvent | ResumableStream.Event, E, R>
) =>
  Stream.runFold(events, 0, (n, event) =>
    event.type === "content_block_delta" && event.delta.type === "text_delta" ? n + event.delta.text.length : n
  )

/** Builds the runner of a variant; `stream` selects the group's kind for `sdk`. */
export const make = (variant: Paths.Variant, target: Target, stream: boolean): Runner => {
  if (variant === "sdk") return sdkRunner(target, stream)
  if (variant === "floor") return floorRunner(target)
  const runtime = ManagedRuntime.make(layerOf(variant, target))
  const call = ((): Runner["call"] => {
    switch (variant) {
      case "stream":
        return (model) =>
          runtime.runPromise(
            Effect.flatMap(Claude.Claude, (claude) => countText(claude.messages.stream(params(target, model))))
          )
      case "resumable":
        return (model) => runtime.runPromise(countText(ResumableStream.events(params(target, model))))
      case "no-retry":
        return (model) =>
          runtime.runPromise(
            Effect.flatMap(Claude.Claude, (claude) =>
              Effect.map(claude.messages.create(params(target, model), { retry: false }), textLength)
            )
          )
      default:
        return (model) =>
          runtime.runPromise(
            Effect.flatMap(Claude.Claude, (claude) =>
              Effect.map(claude.messages.create(params(target, model)), textLength)
            )
          )
    }
  })()
  return { call, close: () => runtime.dispose() }
}

/** The memory variants: a runner of the path held in flight. */
export const memoryRunner = (variant: Paths.MemoryVariant, target: Target): Runner => {
  switch (variant) {
    case "sdk-create":
      return sdkRunner(target, false)
    case "sdk-stream":
      return sdkRunner(target, true)
    case "create":
      return make("default", target, false)
    case "stream":
      return make("stream", target, true)
  }
}
