/**
 * Requests for the preflight's property tests: valid ones (every check passes, FakeClaude answers
 * 200) and one-defect mutations of them, each with the check and the field it must fail on.
 */
import { Model } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import { FakeImage } from "@claude-resilience/testing"
import { FastCheck as fc } from "effect"
import type { Claude } from "@claude-resilience/client"

type Params = Claude.MessageCreateParams
type Block = Record<string, unknown>

const EPHEMERAL = { type: "ephemeral" } as const

/**
 * Ids FakeClaude serves and the preflight knows: the active and legacy ids, and a new dated snapshot
 * (deprecated ones are served too, but the SDK prints a warning for each request on them).
 */
export const currentIds: ReadonlyArray<string> = [
  ...Model.ids.filter((id) => {
    const status = Model.unsafeGet(id)?.status
    return status === "active" || status === "legacy"
  }),
  "claude-sonnet-4-6-20260101"
]
export const retiredIds: ReadonlyArray<string> = Model.ids.filter((id) => Model.unsafeGet(id)?.status === "retired")
export const capOf = (id: string): number => Model.unsafeGet(id)!.maxOutputTokens

const mediaType = fc.constantFrom<FakeImage.MediaType>("image/jpeg", "image/png", "image/gif", "image/webp")
const image = (maxSide: number) =>
  fc
    .tuple(mediaType, fc.integer({ min: 1, max: maxSide }), fc.integer({ min: 1, max: maxSide }))
    .map(([type, w, h]): Block => ({ ...FakeImage.block(type, w, h) }))

const words = fc.stringMatching(/^[a-z]{1,8}( [a-z]{1,8}){0,6}$/)
const text = words.map((t): Block => ({ type: "text", text: t }))

/** A user turn: a string, or blocks with the images given. */
const userTurn = (images: ReadonlyArray<Block>) =>
  fc
    .tuple(words, fc.boolean())
    .map(([t, asString]) =>
      images.length === 0 && asString
        ? { role: "user", content: t }
        : { role: "user", content: [...images, { type: "text", text: t }] }
    )

const toolName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,62}$/).map((n) => `t_${n}`.slice(0, 64))
const tools = fc
  .uniqueArray(toolName, { maxLength: 4 })
  .map((names) =>
    names.map((name): Block => ({ name, description: "a tool", input_schema: { type: "object", properties: {} } }))
  )

/** Every block that may carry `cache_control`, with its path, in the API's order. */
export const cacheable = (params: Params): Array<readonly [Block, string]> => {
  const out: Array<readonly [Block, string]> = []
  ;(params.tools ?? []).forEach((t, k) => void out.push([t as unknown as Block, `tools[${k}]`]))
  if (Array.isArray(params.system)) {
    params.system.forEach((b, k) => void out.push([b as unknown as Block, `system[${k}]`]))
  }
  params.messages.forEach((m, i) => {
    if (typeof m.content === "string") return
    m.content.forEach((b, k) => {
      const block = b as unknown as Block
      if (block.type === "thinking" || block.type === "redacted_thinking") return
      out.push([block, `messages[${i}].content[${k}]`])
      if (block.type === "tool_result" && Array.isArray(block.content)) {
        ;(block.content as Array<Block>).forEach(
          (inner, j) => void out.push([inner, `messages[${i}].content[${k}].content[${j}]`])
        )
      }
    })
  })
  return out
}

/** Every image block, with its path. */
export const imagesOf = (params: Params): Array<readonly [Block, string]> =>
  cacheable(params).filter(([block]) => block.type === "image")

/**
 * A valid request: a current model, `max_tokens` within its cap, optional system blocks and tools,
 * a conversation (user first and last, an optional tool round whose result holds an image) with
 * at most 20 images of up to 8000 px, or 21 to 24 of up to 2000 px, and 0 to 4 breakpoints.
 */
export const validRequest: fc.Arbitrary<Params> = fc
  .record({
    model: fc.constantFrom(...currentIds),
    maxTokens: fc.double({ min: 0, max: 1, noNaN: true }),
    system: fc.option(fc.array(text, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    tools: tools,
    many: fc.boolean(),
    bigImages: fc.array(image(8000), { maxLength: 3 }),
    smallImages: fc.array(image(2000), { minLength: 21, maxLength: 24 }),
    turns: fc.array(fc.tuple(words, words), { maxLength: 2 }),
    toolRound: fc.option(fc.tuple(image(2000), words), { nil: undefined }),
    breakpoints: fc.array(fc.nat(), { maxLength: 4 }),
    topLevel: fc.boolean(),
    last: fc.tuple(words, fc.boolean())
  })
  .chain((r) => {
    const images = r.many ? r.smallImages : r.bigImages
    return userTurn(images).map((first) => ({ r, first }))
  })
  .map(({ first, r }) => {
    const messages: Array<Record<string, unknown>> = [first]
    for (const [answer, question] of r.turns) {
      messages.push(
        { role: "assistant", content: answer },
        { role: "user", content: [{ type: "text", text: question }] }
      )
    }
    if (r.toolRound !== undefined) {
      const [img, note] = r.toolRound
      messages.push(
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "camera", input: {} }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_01", content: [img, { type: "text", text: note }] }]
        }
      )
    }
    messages.push({ role: "user", content: r.last[0] })
    // two user turns in a row are merged into one: the API wants them alternating
    const merged: Array<Record<string, unknown>> = []
    for (const m of messages) {
      const previous = merged[merged.length - 1]
      if (previous !== undefined && previous.role === m.role) {
        const blocks = (c: unknown) => (typeof c === "string" ? [{ type: "text", text: c }] : (c as Array<unknown>))
        previous.content = [...blocks(previous.content), ...blocks(m.content)]
      } else merged.push({ ...m })
    }
    const params = {
      model: r.model,
      max_tokens: Math.max(1, Math.round(r.maxTokens * capOf(r.model))),
      messages: merged,
      ...(r.system !== undefined ? { system: r.system } : {}),
      ...(r.tools.length > 0 ? { tools: r.tools } : {})
    } as unknown as Params
    const candidates = cacheable(params)
    const budget = r.topLevel ? 3 : 4
    const picked = new Set(r.breakpoints.slice(0, budget).map((n) => n % Math.max(1, candidates.length)))
    if (candidates.length > 0) for (const n of picked) candidates[n]![0].cache_control = EPHEMERAL
    return r.topLevel ? ({ ...params, cache_control: EPHEMERAL } as Params) : params
  })

/** A request with one defect, and where the preflight must find it. */
export interface Defect {
  readonly name: string
  readonly params: Params
  readonly check: ClaudeError.PreflightCheck
  readonly field: string
}

/** A copy deep enough to change any block without touching the original. */
const copy = (params: Params): Params => structuredClone(params)

/** The request with an image (one is added to the last user turn when it has none), and its path. */
const withImage = (params: Params): readonly [Params, Block, string] => {
  const out = copy(params)
  const found = imagesOf(out)[0]
  if (found !== undefined) return [out, found[0], found[1]]
  const i = out.messages.length - 1
  const last = out.messages[i]!
  const blocks = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content
  const added = { ...FakeImage.block("image/png", 4, 4) } as Block
  last.content = [added, ...blocks] as typeof last.content
  return [out, added, `messages[${i}].content[0]`]
}

/** The request with at least `n` tools. */
const withTools = (params: Params, n: number): Params => {
  const out = copy(params)
  const list = [...(out.tools ?? [])] as unknown as Array<Block>
  for (let k = list.length; k < n; k++) list.push({ name: `extra_${k}`, input_schema: { type: "object" } })
  return { ...out, tools: list } as unknown as Params
}

const stripCacheControl = (params: Params): Params => {
  const out = copy(params)
  for (const [block] of cacheable(out)) delete block.cache_control
  const { cache_control: _, ...rest } = out
  return rest as Params
}

const badMediaType = fc.constantFrom("image/bmp", "image/jpg", "image/svg+xml", "IMAGE/PNG", "")
const badToolName = fc.oneof(
  fc.constantFrom("", "get weather", "tool.name", "naïve", "x".repeat(65)),
  fc.stringMatching(/^[a-z]{1,10}[ .:/]{1,2}[a-z]{0,10}$/)
)
const unknownId = fc
  .oneof(fc.stringMatching(/^claude-[a-z]{3,8}-\d-\d$/), fc.stringMatching(/^[a-z0-9-]{1,30}$/))
  .filter((id) => !Model.isKnown(id))

/** One defect in a valid request. */
export const defect: fc.Arbitrary<Defect> = fc.oneof(
  fc.tuple(validRequest, fc.constantFrom<unknown>(0, -5, 1.5, "100", null)).map(
    ([p, v]) =>
      ({
        name: "max_tokens invalid",
        params: { ...p, max_tokens: v as number },
        check: "max_tokens",
        field: "max_tokens"
      }) as const
  ),
  fc.tuple(validRequest, fc.integer({ min: 1, max: 100_000 })).map(
    ([p, over]) =>
      ({
        name: "max_tokens over the cap",
        params: { ...p, max_tokens: capOf(p.model) + over },
        check: "max_tokens",
        field: "max_tokens"
      }) as const
  ),
  fc
    .tuple(validRequest, unknownId)
    .map(([p, model]) => ({ name: "unknown model", params: { ...p, model }, check: "model", field: "model" }) as const),
  fc
    .tuple(validRequest, fc.constantFrom(...retiredIds))
    .map(([p, model]) => ({ name: "retired model", params: { ...p, model }, check: "model", field: "model" }) as const),
  fc.tuple(validRequest, badMediaType).map(([p, type]) => {
    const [params, block, path] = withImage(p)
    ;(block.source as Block).media_type = type
    return { name: "image media type", params, check: "image", field: `${path}.source.media_type` } as const
  }),
  fc.tuple(validRequest, mediaType).map(([p, declared]) => {
    const [params, block, path] = withImage(p)
    const source = block.source as Block
    const actual = declared === "image/png" ? "image/gif" : "image/png"
    source.data = FakeImage.base64(actual, 10, 10)
    source.media_type = declared
    return { name: "image format", params, check: "image", field: `${path}.source.media_type` } as const
  }),
  fc
    .tuple(
      validRequest,
      fc.constantFrom<FakeImage.MediaType>("image/png", "image/webp", "image/gif"),
      fc.integer({ min: 8001, max: 30_000 })
    )
    .map(([p, type, side]) => {
      const [params, block, path] = withImage(p)
      block.source = FakeImage.block(type, side, 100).source
      return { name: "image over 8000 px", params, check: "image", field: `${path}.source.data` } as const
    }),
  fc.tuple(validRequest).map(([p]) => {
    const [params, block, path] = withImage(p)
    const source = block.source as Block
    source.data = `data:${String(source.media_type)};base64,${String(source.data)}`
    return { name: "image as a data URL", params, check: "image", field: `${path}.source.data` } as const
  }),
  fc
    .tuple(
      validRequest,
      fc.constantFrom<unknown>({ type: "persistent" }, { type: "ephemeral", ttl: "10m" }, "ephemeral", true),
      fc.nat()
    )
    .map(([p, value, n]) => {
      const params = copy(p)
      const candidates = cacheable(params)
      const [block, path] = candidates[n % candidates.length]!
      block.cache_control = value
      return { name: "cache_control value", params, check: "cache_control", field: `${path}.cache_control` } as const
    }),
  fc.tuple(validRequest, fc.integer({ min: 5, max: 7 })).map(([p, n]) => {
    const params = {
      ...stripCacheControl(p),
      system: Array.from({ length: n }, (_, k) => ({
        type: "text" as const,
        text: `part ${k}`,
        cache_control: EPHEMERAL
      }))
    }
    return { name: "too many breakpoints", params, check: "cache_control", field: "system[4].cache_control" } as const
  }),
  fc.tuple(validRequest).map(([p]) => {
    const params = copy(p)
    const i = params.messages.length
    params.messages.push(
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "let me see", signature: "c2ln", cache_control: EPHEMERAL } as never,
          { type: "text", text: "done" }
        ]
      },
      { role: "user", content: "go on" }
    )
    return {
      name: "cache_control on thinking",
      params,
      check: "cache_control",
      field: `messages[${i}].content[0].cache_control`
    } as const
  }),
  fc.tuple(validRequest, badToolName, fc.nat()).map(([p, name, n]) => {
    const params = withTools(p, 1)
    const k = n % params.tools!.length
    ;(params.tools![k] as unknown as Block).name = name
    return { name: "tool name", params, check: "tools", field: `tools[${k}].name` } as const
  }),
  fc.tuple(validRequest, fc.nat()).map(([p, n]) => {
    const params = withTools(p, 2)
    const k = 1 + (n % (params.tools!.length - 1))
    ;(params.tools![k] as unknown as Block).name = (params.tools![0] as unknown as Block).name
    return { name: "duplicate tool name", params, check: "tools", field: `tools[${k}].name` } as const
  }),
  fc
    .tuple(validRequest, fc.constantFrom<unknown>({ type: "string" }, { properties: {} }, { type: "array" }), fc.nat())
    .map(([p, schema, n]) => {
      const params = withTools(p, 1)
      const k = n % params.tools!.length
      ;(params.tools![k] as unknown as Block).input_schema = schema
      return { name: "tool schema", params, check: "tools", field: `tools[${k}].input_schema.type` } as const
    })
)
