/**
 * Request validation with the real API's error types and (close to) its messages.
 *
 * @internal
 */
import { Content } from "@claude-resilience/api"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { type ApiErrorSpec, invalid } from "./apiError.js"
import type { CompletionMessage } from "./completion.js"

/** @internal */
export interface ToolDef {
  readonly name: string
  readonly input_schema?: unknown
}

/** @internal */
export interface ValidRequest {
  readonly model: string
  readonly max_tokens: number
  readonly messages: ReadonlyArray<CompletionMessage>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<ToolDef> | undefined
  readonly tool_choice?: unknown
  readonly stop_sequences?: ReadonlyArray<string> | undefined
  readonly stream: boolean
}

const isEmptyContent = (content: unknown): boolean => {
  if (typeof content === "string") return content.length === 0
  if (Array.isArray(content)) return content.length === 0
  return true
}

const endsWithWhitespace = (content: unknown): boolean => {
  if (typeof content === "string") return /\s$/.test(content)
  if (Array.isArray(content)) {
    const last: unknown = content[content.length - 1]
    return Content.isText(last) && /\s$/.test(last.text)
  }
  return false
}

/** A `tool_use` block with an id, whatever else it lacks (`Content.isToolUse` also wants a name). */
const isToolUseWithId = (block: unknown): block is { readonly type: "tool_use"; readonly id: string } =>
  Predicate.isRecord(block) && block.type === "tool_use" && typeof block.id === "string"

/**
 * The API's `tool_use` / `tool_result` pairing rules: every `tool_use` of an assistant message is answered by
 * a `tool_result` in the next (user) message, every `tool_result` answers a `tool_use` of the previous one,
 * ids are unique. The messages are the API's (as of 2025); the duplicate-result one is our closest guess.
 *
 * @internal
 */
export const validatePairing = (messages: ReadonlyArray<CompletionMessage>): ApiErrorSpec | undefined => {
  const seenUses = new Set<string>()
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!
    const blocks = Content.blocksOf(message.content)
    if (message.role === "assistant") {
      const ids: Array<string> = []
      for (let k = 0; k < blocks.length; k++) {
        const block = blocks[k]
        if (!isToolUseWithId(block)) continue
        if (seenUses.has(block.id)) return invalid(`messages.${i}.content.${k}: \`tool_use\` ids must be unique`)
        seenUses.add(block.id)
        ids.push(block.id)
      }
      if (ids.length === 0) continue
      const next = messages[i + 1]
      const answered = new Set<string>()
      if (next !== undefined && next.role === "user") {
        for (const id of Content.toolResultIds(next.content)) answered.add(id)
      }
      const missing = ids.filter((id) => !answered.has(id))
      if (missing.length > 0) {
        return invalid(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
        )
      }
    } else {
      const previous = messages[i - 1]
      const uses = new Set<string>()
      if (previous !== undefined && previous.role === "assistant") {
        for (const block of Content.blocksOf(previous.content)) if (isToolUseWithId(block)) uses.add(block.id)
      }
      const results = new Set<string>()
      for (let k = 0; k < blocks.length; k++) {
        const block = blocks[k]
        if (!Predicate.isRecord(block) || block.type !== "tool_result") continue
        const id = typeof block.tool_use_id === "string" ? block.tool_use_id : String(block.tool_use_id)
        if (!uses.has(id)) {
          return invalid(
            `messages.${i}.content.${k}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`
          )
        }
        if (results.has(id)) {
          return invalid(
            `messages.${i}.content.${k}: each \`tool_use\` must have a single result. Found multiple \`tool_result\` blocks with id: ${id}`
          )
        }
        results.add(id)
      }
    }
  }
  return undefined
}

/**
 * Validates a `/v1/messages` (or, with `countTokens`, a `/v1/messages/count_tokens`) body.
 *
 * @internal
 */
export const validate = (
  body: unknown,
  acceptsModel: (model: string) => boolean,
  countTokens: boolean
): Either.Either<ValidRequest, ApiErrorSpec> => {
  if (!Predicate.isRecord(body)) return Either.left(invalid("Request body must be a JSON object"))
  const model = body.model
  if (model === undefined) return Either.left(invalid("model: Field required"))
  if (typeof model !== "string" || model.length === 0) {
    return Either.left(invalid("model: Input should be a valid string"))
  }
  let maxTokens = 0
  if (!countTokens) {
    const mt = body.max_tokens
    if (mt === undefined) return Either.left(invalid("max_tokens: Field required"))
    if (typeof mt !== "number" || !Number.isInteger(mt)) {
      return Either.left(invalid("max_tokens: Input should be a valid integer"))
    }
    if (mt < 1) return Either.left(invalid("max_tokens: Input should be greater than or equal to 1"))
    maxTokens = mt
  }
  const messages = body.messages
  if (messages === undefined) return Either.left(invalid("messages: Field required"))
  if (!Array.isArray(messages)) return Either.left(invalid("messages: Input should be a valid list"))
  if (messages.length === 0) return Either.left(invalid("messages: at least one message is required"))
  const parsed: Array<CompletionMessage> = []
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i]
    if (!Predicate.isRecord(message)) return Either.left(invalid(`messages.${i}: Input should be a valid dictionary`))
    const role = message.role
    if (role !== "user" && role !== "assistant") {
      return Either.left(invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`))
    }
    const content = message.content
    if (typeof content !== "string" && !Array.isArray(content)) {
      return Either.left(invalid(`messages.${i}.content: Field required`))
    }
    if (i === 0 && role !== "user") return Either.left(invalid(`messages: first message must use the "user" role`))
    const previous = parsed[i - 1]
    if (previous !== undefined && previous.role === role) {
      return Either.left(
        invalid(
          `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`
        )
      )
    }
    const isFinalAssistant = i === messages.length - 1 && role === "assistant"
    if (isEmptyContent(content) && !isFinalAssistant) {
      return Either.left(
        invalid(
          `messages.${i}: all messages must have non-empty content except for the optional final assistant message`
        )
      )
    }
    if (isFinalAssistant && endsWithWhitespace(content)) {
      return Either.left(invalid("messages: final assistant content cannot end with trailing whitespace"))
    }
    parsed.push({ role, content })
  }
  const pairing = validatePairing(parsed)
  if (pairing !== undefined) return Either.left(pairing)
  if (!acceptsModel(model)) return Either.left({ status: 404, type: "not_found_error", message: `model: ${model}` })
  const tools = body.tools
  let validTools: Array<ToolDef> | undefined
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return Either.left(invalid("tools: Input should be a valid list"))
    validTools = []
    for (let i = 0; i < tools.length; i++) {
      const tool: unknown = tools[i]
      if (!Predicate.isRecord(tool) || typeof tool.name !== "string") {
        return Either.left(invalid(`tools.${i}.name: Field required`))
      }
      validTools.push({ name: tool.name, input_schema: tool.input_schema })
    }
  }
  const stop = body.stop_sequences
  const stopSequences = Array.isArray(stop) ? stop.filter((s): s is string => typeof s === "string") : undefined
  return Either.right({
    model,
    max_tokens: maxTokens,
    messages: parsed,
    system: body.system,
    tools: validTools,
    tool_choice: body.tool_choice,
    stop_sequences: stopSequences,
    stream: body.stream === true
  })
}
