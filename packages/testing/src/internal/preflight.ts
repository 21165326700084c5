/**
 * Refusals of a well-formed Messages request by the API's rules, with the API's messages (or, where
 * we have not seen one, a message in its style): a prefill on a model that takes none, a prompt over
 * the model's context window, `max_tokens` over the model's output cap, a bad tool definition, a
 * misplaced or excess `cache_control`, an image the API refuses. The figures come from
 * `@claude-resilience/api`'s `Limits` and `Model`; the client's preflight checks the same rules on
 * its side, and the tests hold the two to the same verdicts.
 *
 * @internal
 */
import { Content, Image, Limits, Model } from "@claude-resilience/api"
import * as Predicate from "effect/Predicate"
import * as ApiError from "./apiError.js"
import type { Models } from "./models.js"
import type { ValidRequest } from "./validate.js"

/** A request ending in an assistant turn, on a model that rejects prefill. @internal */
export const prefill = (models: Models, request: ValidRequest): ApiError.ApiErrorSpec | undefined =>
  models.rejectsPrefill(request.model) && request.messages[request.messages.length - 1]?.role === "assistant"
    ? ApiError.invalid(
        "This model does not support assistant message prefill. The conversation must end with a user message."
      )
    : undefined

/** A prompt of more estimated tokens than the model's window. @internal */
export const contextWindow = (
  models: Models,
  request: ValidRequest,
  inputTokens: number
): ApiError.ApiErrorSpec | undefined => {
  const window = models.contextWindow(request.model)
  return inputTokens > window
    ? ApiError.invalid(`prompt is too long: ${inputTokens} tokens > ${window} maximum`)
    : undefined
}

/** `max_tokens` above the model's output cap (known models only). @internal */
export const maxTokens = (request: ValidRequest): ApiError.ApiErrorSpec | undefined => {
  const cap = Model.unsafeGet(request.model)?.maxOutputTokens
  return cap !== undefined && request.max_tokens > cap
    ? ApiError.invalid(
        `max_tokens: ${request.max_tokens} > ${cap}, which is the maximum allowed number of output tokens for ${request.model}`
      )
    : undefined
}

/** Tool names (pattern, uniqueness) and the input schemas of custom tools. @internal */
export const tools = (body: Readonly<Record<string, unknown>>): ApiError.ApiErrorSpec | undefined => {
  const list = body.tools
  if (!Array.isArray(list)) return undefined
  const names = new Set<string>()
  for (let i = 0; i < list.length; i++) {
    const tool: unknown = list[i]
    if (!Predicate.isRecord(tool) || typeof tool.name !== "string") continue
    const custom = tool.type === undefined || tool.type === null || tool.type === "custom"
    const at = custom ? `tools.${i}.custom` : `tools.${i}`
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
      return ApiError.invalid(`${at}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`)
    }
    if (names.has(tool.name)) return ApiError.invalid("tools: Tool names must be unique.")
    names.add(tool.name)
    if (!custom) continue
    if (!Predicate.isRecord(tool.input_schema)) return ApiError.invalid(`${at}.input_schema: Field required`)
    if (tool.input_schema.type !== "object")
      return ApiError.invalid(`${at}.input_schema.type: Input should be 'object'`)
  }
  return undefined
}

/** A block in the API's dotted path style, with its type: `messages.0.content.1.image`. */
interface Located {
  readonly block: Readonly<Record<string, unknown>>
  readonly path: string
  /** where the API reports an image: `messages.0.content.1`, `messages.0.content.1.content.0` */
  readonly position: string
}

/** Every block that may carry `cache_control` or be an image, in the API's order: tools, system, messages. */
const blocksOf = (body: Readonly<Record<string, unknown>>): ReadonlyArray<Located> => {
  const out: Array<Located> = []
  const push = (block: unknown, position: string) => {
    if (Predicate.isRecord(block)) {
      out.push({ block, position, path: `${position}.${typeof block.type === "string" ? block.type : "block"}` })
    }
  }
  if (Array.isArray(body.tools)) body.tools.forEach((tool, t) => void push(tool, `tools.${t}`))
  if (Array.isArray(body.system)) body.system.forEach((block, k) => void push(block, `system.${k}`))
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, i) => {
      if (!Predicate.isRecord(message) || !Array.isArray(message.content)) return
      message.content.forEach((block, k) => {
        push(block, `messages.${i}.content.${k}`)
        if (!Predicate.isRecord(block)) return
        const nested = Content.nestedBlocksOf(block)
        const via = block.type === "document" ? "source.content" : "content"
        if (nested !== undefined)
          nested.forEach((inner, j) => void push(inner, `messages.${i}.content.${k}.${via}.${j}`))
      })
    })
  }
  return out
}

/** `cache_control`: where it may go, what it holds, how many. @internal */
const cacheControl = (blocks: ReadonlyArray<Located>, top: unknown): ApiError.ApiErrorSpec | undefined => {
  let found = 0
  const entries: Array<readonly [unknown, string, unknown]> = blocks.map((b) => [
    b.block.cache_control,
    b.path,
    b.block.type
  ])
  entries.push([top, "", undefined])
  for (const [value, path, type] of entries) {
    if (value === undefined || value === null) continue
    const at = path === "" ? "cache_control" : `${path}.cache_control`
    if (type === "thinking" || type === "redacted_thinking") {
      return ApiError.invalid(`${at}: Extra inputs are not permitted`)
    }
    if (!Predicate.isRecord(value) || value.type !== "ephemeral") {
      return ApiError.invalid(`${at}.type: Input should be 'ephemeral'`)
    }
    if (value.ttl !== undefined && value.ttl !== "5m" && value.ttl !== "1h") {
      return ApiError.invalid(`${at}.ttl: Input should be '5m' or '1h'`)
    }
    found += 1
  }
  return found > Limits.cacheBreakpoints
    ? ApiError.invalid(
        `A maximum of ${Limits.cacheBreakpoints} blocks with cache_control may be provided. Found ${found}.`
      )
    : undefined
}

/** The longest side over the limit, as the API details it (`image_dimensions_too_large`). */
const dimensionsTooLarge = (paths: ReadonlyArray<string>, max: number, many: boolean): ApiError.ApiErrorSpec => ({
  ...ApiError.invalid(
    `${paths[0]}.image.source.base64.data: At least one of the image dimensions exceed max allowed size${many ? " for many-image requests" : ""}: ${max} pixels`
  ),
  details: { error_code: "image_dimensions_too_large", max_side_length_pixels: max, paths }
})

/** Every image: media type, base64 size, format, sides; and their number. @internal */
const images = (blocks: ReadonlyArray<Located>, model: string): ApiError.ApiErrorSpec | undefined => {
  const all = blocks.filter((b) => b.block.type === "image" && !b.position.startsWith("tools."))
  const max = Limits.imagesPerRequest(Model.contextWindow(model))
  if (all.length > max) return ApiError.invalid(`messages: too many images in the request: ${all.length} > ${max}`)
  const sides: Array<readonly [string, number]> = []
  for (const { block, position } of all) {
    const source = block.source
    if (!Predicate.isRecord(source) || source.type !== "base64" || typeof source.data !== "string") continue
    const at = `${position}.image.source.base64`
    if (!Limits.isImageMediaType(source.media_type)) {
      return ApiError.invalid(
        `${at}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`
      )
    }
    if (source.data.length > Limits.imageBase64Bytes) {
      return ApiError.invalid(
        `${at}: image exceeds 5 MB maximum: ${source.data.length} bytes > ${Limits.imageBase64Bytes} bytes`
      )
    }
    // the server decodes the whole image; the header is all this fake reads of it
    const info = Image.fromBytes(Buffer.from(source.data, "base64"))
    if (info === undefined) return ApiError.invalid(`${at}.data: Could not process image`)
    if (info.mediaType !== source.media_type) {
      return ApiError.invalid(`${at}.data: Image does not match the provided media type ${source.media_type}`)
    }
    sides.push([position, Math.max(info.width ?? 0, info.height ?? 0)])
  }
  const limit = all.length > Limits.manyImages ? Limits.manyImagesMaxSide : Limits.imageMaxSide
  const over = sides.filter(([, side]) => side > limit).map(([position]) => position)
  return over.length > 0 ? dimensionsTooLarge(over, limit, limit === Limits.manyImagesMaxSide) : undefined
}

/** The rules over a request's blocks: `cache_control`, then images. @internal */
export const content = (body: Readonly<Record<string, unknown>>, model: string): ApiError.ApiErrorSpec | undefined => {
  const blocks = blocksOf(body)
  return cacheControl(blocks, body.cache_control) ?? images(blocks, model)
}
