/**
 * `count_tokens` for an `@effect/ai` prompt, through the resilient client.
 *
 * @internal
 */
import { Claude } from "@claude-resilience/client"
import type * as AiError from "@effect/ai/AiError"
import * as Prompt from "@effect/ai/Prompt"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import { fromOriginal } from "./aiError.js"
import { convert } from "./prompt.js"
import { definition } from "./tools.js"

export const countTokens = (
  input: Prompt.RawInput,
  options: { readonly model: string; readonly toolkit?: Toolkit.Any | undefined }
): Effect.Effect<number, AiError.AiError, Claude.Claude> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const converted = yield* convert(Prompt.make(input))
    const tools = yield* Effect.forEach(Object.values(options.toolkit?.tools ?? {}) as Array<Tool.Any>, definition)
    const url = `${claude.sdk.baseURL.replace(/\/+$/, "")}/v1/messages/count_tokens`
    const counted = yield* Effect.mapError(
      claude.messages.countTokens({
        model: options.model,
        messages: [...converted.messages],
        ...(converted.system !== undefined ? { system: [...converted.system] } : {}),
        ...(tools.length > 0 ? { tools } : {})
      }),
      (error) => fromOriginal(error, { method: "countTokens", url })
    )
    return counted.input_tokens
  })
