/**
 * An `@effect/ai` `Prompt` as the Messages API's `system` and `messages`.
 *
 * System messages become the `system` blocks; user and tool messages that follow each other make one
 * user turn, assistant messages one assistant turn. Then the tool pairing is repaired with
 * `@claude-resilience/tools`' `Conversation.repair`: a `tool_use` no later turn answers gets an
 * `is_error` `tool_result`, a result for no call is dropped, a final assistant turn loses its
 * trailing whitespace. So what is sent is never rejected for a broken pairing.
 *
 * Provider options are read under the key `anthropic`, as `@effect/ai-anthropic` writes them
 * (`cacheControl`, a reasoning part's `signature` / `redactedData`), so one prompt works with both.
 *
 * @internal
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Conversation } from "@claude-resilience/tools"
import * as AiError from "@effect/ai/AiError"
import type * as Prompt from "@effect/ai/Prompt"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import { MODULE } from "./aiError.js"

type Block = Anthropic.Messages.ContentBlockParam
type CacheControl = Anthropic.Messages.CacheControlEphemeral

/** The prompt as the API takes it. */
export interface Converted {
  readonly system: ReadonlyArray<Anthropic.Messages.TextBlockParam> | undefined
  readonly messages: ReadonlyArray<Anthropic.Messages.MessageParam>
}

/** Options under `anthropic`, read without the module augmentation `@effect/ai-anthropic` declares. */
const anthropicOptions = (part: { readonly options: object }): Readonly<Record<string, unknown>> | undefined => {
  const value: unknown = (part.options as Readonly<Record<string, unknown>>)["anthropic"]
  return typeof value === "object" && value !== null ? (value as Readonly<Record<string, unknown>>) : undefined
}

const cacheControl = (part: { readonly options: object }): { readonly cache_control?: CacheControl } => {
  const value = anthropicOptions(part)?.["cacheControl"]
  return typeof value === "object" && value !== null ? { cache_control: value as CacheControl } : {}
}

const malformed = (description: string) => new AiError.MalformedInput({ module: MODULE, method: "prompt", description })

const bytes = (data: string | Uint8Array): string => (typeof data === "string" ? data : Encoding.encodeBase64(data))

const file = (part: Prompt.FilePart): Effect.Effect<Block, AiError.MalformedInput> => {
  const control = cacheControl(part)
  if (part.mediaType.startsWith("image/")) {
    const mediaType = part.mediaType === "image/*" ? "image/jpeg" : part.mediaType
    return Effect.succeed({
      type: "image",
      source:
        part.data instanceof URL
          ? { type: "url", url: part.data.toString() }
          : {
              type: "base64",
              media_type: mediaType as Anthropic.Messages.Base64ImageSource["media_type"],
              data: bytes(part.data)
            },
      ...control
    })
  }
  if (part.mediaType === "application/pdf" || part.mediaType === "text/plain") {
    const options = anthropicOptions(part)
    const title = typeof options?.["documentTitle"] === "string" ? options["documentTitle"] : part.fileName
    const context = typeof options?.["documentContext"] === "string" ? options["documentContext"] : undefined
    const source: Anthropic.Messages.DocumentBlockParam["source"] =
      part.data instanceof URL
        ? { type: "url", url: part.data.toString() }
        : part.mediaType === "application/pdf"
          ? { type: "base64", media_type: "application/pdf", data: bytes(part.data) }
          : {
              type: "text",
              media_type: "text/plain",
              data: typeof part.data === "string" ? part.data : new TextDecoder().decode(part.data)
            }
    return Effect.succeed({
      type: "document",
      source,
      ...(title !== undefined ? { title } : {}),
      ...(context !== undefined ? { context } : {}),
      ...control
    })
  }
  return Effect.fail(malformed(`Unsupported media type for a file part: '${part.mediaType}'`))
}

/** A tool result's content: a string as is (as `@claude-resilience/tools` sends it), anything else as JSON. */
const resultContent = (result: unknown): string =>
  typeof result === "string" ? result : (JSON.stringify(result) ?? "null")

const userPart = (
  part: Prompt.UserMessagePart | Prompt.ToolMessagePart
): Effect.Effect<Block, AiError.MalformedInput> => {
  switch (part.type) {
    case "text":
      return Effect.succeed({ type: "text", text: part.text, ...cacheControl(part) })
    case "file":
      return file(part)
    case "tool-result":
      return Effect.succeed({
        type: "tool_result",
        tool_use_id: part.id,
        content: resultContent(part.result),
        is_error: part.isFailure,
        ...cacheControl(part)
      })
  }
}

const assistantPart = (
  part: Prompt.AssistantMessagePart
): Effect.Effect<ReadonlyArray<Block>, AiError.MalformedInput> => {
  switch (part.type) {
    case "text":
      return Effect.succeed(part.text.length === 0 ? [] : [{ type: "text", text: part.text, ...cacheControl(part) }])
    case "reasoning": {
      // Only reasoning with its signature can go back (the API checks it); other reasoning is dropped.
      const options = anthropicOptions(part)
      if (options?.["type"] === "thinking" && typeof options["signature"] === "string") {
        return Effect.succeed([{ type: "thinking", thinking: part.text, signature: options["signature"] }])
      }
      if (options?.["type"] === "redacted_thinking" && typeof options["redactedData"] === "string") {
        return Effect.succeed([{ type: "redacted_thinking", data: options["redactedData"] }])
      }
      return Effect.succeed([])
    }
    case "tool-call":
      return part.providerExecuted
        ? Effect.fail(malformed(`Provider-executed tool call '${part.name}' is not supported in a prompt`))
        : Effect.succeed([
            {
              type: "tool_use",
              id: part.id,
              name: part.name,
              input: (part.params ?? {}) as Record<string, unknown>,
              ...cacheControl(part)
            }
          ])
    case "tool-result":
      return Effect.fail(malformed(`Provider-executed tool result '${part.name}' is not supported in a prompt`))
    case "file":
      return Effect.fail(malformed("File parts are not supported in an assistant message"))
  }
}

/** Converts a prompt; fails with `MalformedInput` on a part the API cannot take. */
export const convert = (prompt: Prompt.Prompt): Effect.Effect<Converted, AiError.MalformedInput> =>
  Effect.gen(function* () {
    const system: Array<Anthropic.Messages.TextBlockParam> = []
    const messages: Array<{ role: "user" | "assistant"; content: Array<Block> }> = []
    const turn = (role: "user" | "assistant") => {
      const last = messages.at(-1)
      if (last !== undefined && last.role === role) return last.content
      const content: Array<Block> = []
      messages.push({ role, content })
      return content
    }
    for (const message of prompt.content) {
      switch (message.role) {
        case "system":
          system.push({ type: "text", text: message.content, ...cacheControl(message) })
          break
        case "user":
        case "tool": {
          const content = turn("user")
          for (const part of message.content) content.push(yield* userPart(part))
          break
        }
        case "assistant": {
          const content = turn("assistant")
          for (const part of message.content) content.push(...(yield* assistantPart(part)))
          break
        }
      }
    }
    // A turn left empty (only reasoning without a signature, say) goes; its neighbours join.
    const joined: Array<{ role: "user" | "assistant"; content: Array<Block> }> = []
    for (const message of messages) {
      if (message.content.length === 0) continue
      const last = joined.at(-1)
      if (last !== undefined && last.role === message.role) last.content.push(...message.content)
      else joined.push(message)
    }
    // Tool results first in a user turn, as the API requires (the sort is stable).
    for (const message of joined) {
      if (message.role === "user") {
        message.content.sort((a, b) => Number(b.type === "tool_result") - Number(a.type === "tool_result"))
      }
    }
    const repaired = Conversation.repair(joined)
    if (Either.isLeft(repaired)) return yield* Effect.fail(malformed(repaired.left.message))
    return { system: system.length > 0 ? system : undefined, messages: repaired.right }
  })
