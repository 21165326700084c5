/**
 * `@effect/ai`'s `LanguageModel` on the `Claude` service: `generateText` / `generateObject` through
 * the resilient `messages.create`, `streamText` through `ResumableStream.events`.
 *
 * `LanguageModel.make` does the rest as for every provider (decoding parts, resolving tool calls with
 * the toolkit, spans); the service it builds is then wrapped so that a tool's typed failure becomes a
 * failure result (`toolFailures: "result"`, the default; see `toolFailures.ts`).
 *
 * @internal
 */
import { Claude } from "@claude-resilience/client"
import { ResumableStream } from "@claude-resilience/stream"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Response from "@effect/ai/Response"
import { addGenAIAnnotations } from "@effect/ai/Telemetry"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as ClaudeLanguageModel from "../ClaudeLanguageModel.js"
import { fromOriginal } from "./aiError.js"
import * as config from "./config.js"
import * as prompt from "./prompt.js"
import * as response from "./response.js"
import * as streamParts from "./streamParts.js"
import { guard } from "./toolFailures.js"
import * as tools from "./tools.js"

/** `max_tokens` when neither the options nor the config give one (as `@effect/ai-anthropic`). */
export const DEFAULT_MAX_TOKENS = 4096

/** The Messages request for one `LanguageModel` call: defaults ← layer config ← config in context. */
const request = (options: ClaudeLanguageModel.Options, provider: LanguageModel.ProviderOptions) =>
  Effect.gen(function* () {
    const { disableParallelToolCalls, ...settings } = { ...options.config, ...(yield* config.current) }
    const converted = yield* prompt.convert(provider.prompt)
    const prepared = yield* tools.prepare(provider, disableParallelToolCalls)
    const params: Claude.MessageCreateParams = {
      max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...settings,
      model: settings.model ?? options.model,
      ...(converted.system !== undefined ? { system: [...converted.system] } : {}),
      messages: [...converted.messages],
      ...prepared
    }
    addGenAIAnnotations(provider.span, {
      system: "anthropic",
      operation: { name: "chat" },
      request: {
        model: params.model,
        maxTokens: params.max_tokens,
        stopSequences: params.stop_sequences
      }
    })
    return params
  })

const finished = (provider: LanguageModel.ProviderOptions, part: Response.StreamPartEncoded | Response.PartEncoded) => {
  if (part.type === "response-metadata") {
    addGenAIAnnotations(provider.span, { response: { id: part.id, model: part.modelId } })
  } else if (part.type === "finish") {
    addGenAIAnnotations(provider.span, {
      response: { finishReasons: [part.reason] },
      usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
    })
  }
}

/** The provider's two methods over the `Claude` service. */
const provider = (options: ClaudeLanguageModel.Options, claude: Claude.Service): LanguageModel.ConstructorParams => {
  const url = `${claude.sdk.baseURL.replace(/\/+$/, "")}/v1/messages`
  const streamOptions: ResumableStream.Options = { ...options.callOptions, ...options.stream }
  return {
    generateText: (providerOptions) => {
      const json = providerOptions.responseFormat.type === "json"
      const method = json ? "generateObject" : "generateText"
      return request(options, providerOptions).pipe(
        Effect.flatMap((params) =>
          Effect.mapError(claude.messages.create(params, options.callOptions), (error) =>
            fromOriginal(error, { method, url })
          )
        ),
        Effect.flatMap((message) => response.parts(message, json)),
        Effect.tap((parts) => {
          for (const part of parts) finished(providerOptions, part)
        })
      )
    },
    streamText: (providerOptions) =>
      Stream.unwrap(
        Effect.map(request(options, providerOptions), ({ stream: _, ...params }) => {
          const step = streamParts.make()
          return ResumableStream.events(params, streamOptions).pipe(
            Stream.provideService(Claude.Claude, claude),
            Stream.mapError((error) => fromOriginal(error, { method: "streamText", url })),
            Stream.mapChunksEffect((chunk) =>
              Effect.flatMap(Clock.currentTimeMillis, (millis) => {
                const now = () => new Date(millis).toISOString()
                const out: Array<Response.StreamPartEncoded> = []
                for (const event of chunk) {
                  const parts = step(event, now)
                  if (!Array.isArray(parts)) return Effect.fail(parts as Exclude<typeof parts, ReadonlyArray<unknown>>)
                  for (const part of parts) {
                    finished(providerOptions, part)
                    out.push(part)
                  }
                }
                return Effect.succeed(Chunk.unsafeFromArray(out))
              })
            )
          )
        })
      )
  }
}

/** Routes a call's `toolkit` through the guard (failures as results) unless resolution is off. */
const guarded = (service: LanguageModel.Service): LanguageModel.Service => {
  const withGuard = <
    O extends { readonly toolkit?: unknown; readonly disableToolCallResolution?: boolean | undefined }
  >(
    options: O
  ): O =>
    options.toolkit === undefined || options.disableToolCallResolution === true
      ? options
      : { ...options, toolkit: guard(options.toolkit) }
  // The service's methods are generic in the options; the guard keeps their shape.
  return {
    generateText: ((options: Parameters<LanguageModel.Service["generateText"]>[0]) =>
      service.generateText(withGuard(options))) as LanguageModel.Service["generateText"],
    generateObject: ((options: Parameters<LanguageModel.Service["generateObject"]>[0]) =>
      service.generateObject(withGuard(options))) as LanguageModel.Service["generateObject"],
    streamText: ((options: Parameters<LanguageModel.Service["streamText"]>[0]) =>
      service.streamText(withGuard(options))) as LanguageModel.Service["streamText"]
  }
}

/** The `LanguageModel` service over the `Claude` service in context. */
export const make = (
  options: ClaudeLanguageModel.Options
): Effect.Effect<LanguageModel.Service, never, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const service = yield* LanguageModel.make(provider(options, claude))
    return options.toolFailures === "error" ? service : guarded(service)
  })
