/**
 * Shared pieces of the context-window tests: random conversations with text and tool pairs, a
 * validator of what the real API requires of a conversation, and Claude wired to FakeClaude.
 */
import Anthropic from "@anthropic-ai/sdk"
import type { Content } from "@claude-resilience/api"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { FakeClaude } from "@claude-resilience/testing"
import { Effect, FastCheck as fc, Layer, Logger, Redacted, Schedule, Stream } from "effect"

export const MODEL = "claude-sonnet-4-6"

type Message = Content.MessageParam

/** A request to MODEL with a system prompt. */
export const request = (messages: Array<Message>, max_tokens = 1_000): Claude.MessageCreateParams => ({
  model: MODEL,
  max_tokens,
  system: "You are a careful assistant.",
  messages
})

/** One step of a conversation before it is laid out as messages. */
type Unit =
  | { readonly _tag: "text"; readonly user: number; readonly assistant: number }
  | { readonly _tag: "tools"; readonly user: number; readonly chain: ReadonlyArray<ReadonlyArray<number>> }

const unitArb: fc.Arbitrary<Unit> = fc.oneof(
  fc.record({
    _tag: fc.constant("text" as const),
    user: fc.integer({ min: 1, max: 2_000 }),
    assistant: fc.integer({ min: 1, max: 2_000 })
  }),
  fc.record({
    _tag: fc.constant("tools" as const),
    user: fc.integer({ min: 1, max: 800 }),
    // rounds of tool calls; each round calls 1–3 tools whose results have these sizes
    chain: fc.array(fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 3
    })
  })
)

const text = (size: number, seed: string) => `${seed} ${"lorem ipsum ".repeat(Math.ceil(size / 12))}`.slice(0, size)

/**
 * Lays units out as an alternating conversation ending with a user turn: a text question, or (when
 * `endWithToolResult`) the results of a last round of tool calls.
 */
export const layout = (units: ReadonlyArray<Unit>, endWithToolResult: boolean, last: number): Array<Message> => {
  const messages: Array<Message> = []
  let id = 0
  const toolRound = (sizes: ReadonlyArray<number>) => {
    const ids = sizes.map(() => `toolu_${String(id++).padStart(6, "0")}`)
    messages.push({
      role: "assistant",
      content: [
        { type: "text", text: "Let me look that up." },
        ...ids.map((toolId) => ({ type: "tool_use" as const, id: toolId, name: "lookup", input: { q: toolId } }))
      ]
    })
    messages.push({
      role: "user",
      content: ids.map((toolId, i) => ({
        type: "tool_result" as const,
        tool_use_id: toolId,
        content: text(sizes[i]!, toolId)
      }))
    })
  }
  units.forEach((unit, u) => {
    messages.push({ role: "user", content: text(unit.user, `question ${u}`) })
    if (unit._tag === "text") {
      messages.push({ role: "assistant", content: text(unit.assistant, `answer ${u}`) })
    } else {
      for (const round of unit.chain) toolRound(round)
      messages.push({ role: "assistant", content: [{ type: "text", text: text(200, `answer ${u}`) }] })
    }
  })
  if (endWithToolResult) {
    messages.push({ role: "user", content: text(last, "final question") })
    toolRound([last])
  } else {
    messages.push({ role: "user", content: text(last, "final question") })
  }
  return messages
}

/** A random conversation of up to `maxUnits` exchanges. */
export const conversationArb = (maxUnits: number): fc.Arbitrary<Array<Message>> =>
  fc
    .tuple(fc.array(unitArb, { minLength: 0, maxLength: maxUnits }), fc.boolean(), fc.integer({ min: 1, max: 1_000 }))
    .map(([units, endWithTool, last]) => layout(units, endWithTool, last))

const toolUses = (m: Message) =>
  typeof m.content === "string" ? [] : m.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []))
const toolResults = (m: Message) =>
  typeof m.content === "string" ? [] : m.content.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : []))

/**
 * What the API requires that FakeClaude does not check: every tool_result answers a tool_use in the
 * message right before it, and every tool_use (but in the final message) is answered right after.
 * Returns the problem, or undefined.
 */
export const toolPairingProblem = (messages: ReadonlyArray<Message>): string | undefined => {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!
    const previous = i > 0 ? toolUses(messages[i - 1]!) : []
    for (const id of toolResults(message)) {
      if (!previous.includes(id)) return `messages.${i}: tool_result ${id} without its tool_use`
    }
    const next = i + 1 < messages.length ? toolResults(messages[i + 1]!) : undefined
    if (next !== undefined) {
      for (const id of toolUses(message)) if (!next.includes(id)) return `messages.${i}: tool_use ${id} unanswered`
    }
  }
  return undefined
}

/** Roles start with user and alternate. */
export const roleProblem = (messages: ReadonlyArray<Message>): string | undefined => {
  if (messages[0]?.role !== "user") return "does not start with a user turn"
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]!.role === messages[i - 1]!.role) return `messages.${i}: two ${messages[i]!.role} turns in a row`
  }
  return undefined
}

/** The index of the last user message. */
export const lastUserIndex = (messages: ReadonlyArray<Message>): number => {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return i
  return -1
}

/**
 * Claude (no retries) over a FakeClaude started with `options`; FakeClaude stays in context. The
 * default logger is removed (the tests run with live services, which would print every log line);
 * a test that reads logs provides its own logger.
 */
export const claudeOverFake = (options: FakeClaude.Options = {}) =>
  Layer.unwrapEffect(
    Effect.map(FakeClaude.FakeClaude, (fake) =>
      Claude.layerWithoutDependencies({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url }).pipe(
        Layer.provide(RetryPolicy.layer(Schedule.stop)),
        Layer.provide(CircuitBreaker.layer({}))
      )
    )
  ).pipe(Layer.provideMerge(FakeClaude.layer(options)), Layer.merge(Logger.remove(Logger.defaultLogger)))

/** Requests FakeClaude received on `path` so far. */
export const requestsOn = (path: string) =>
  Effect.map(FakeClaude.FakeClaude, (fake) => fake.requests).pipe(
    Effect.flatten,
    Effect.map((requests) => requests.filter((r) => r.path === path))
  )

export const COUNT_PATH = "/v1/messages/count_tokens"
export const MESSAGES_PATH = "/v1/messages"

/**
 * An in-memory Claude whose count_tokens answers `count(params, i)` for its i-th call and whose create
 * answers `reply(params, i)`, whatever those are (typed as what the service promises). Counts the calls.
 */
export const answeringClaude = (answers: {
  readonly count?: (params: Claude.CountTokensParams, i: number) => unknown
  readonly reply?: (params: Claude.MessageCreateParams, i: number) => unknown
}) => {
  const state = { counts: 0, creates: 0 }
  const service: Claude.Service = {
    messages: {
      create: (params) =>
        answers.reply === undefined
          ? Effect.die("create not scripted")
          : Effect.sync(() => answers.reply!(params, state.creates++) as Claude.Message),
      stream: () => Stream.die("not used"),
      countTokens: (params) =>
        Effect.sync(
          () =>
            (answers.count === undefined
              ? { input_tokens: FakeClaude.estimateTokens(params) }
              : answers.count(params, state.counts)) as Claude.TokensCount
        ).pipe(Effect.tap(() => Effect.sync(() => state.counts++)))
    },
    sdk: new Anthropic({ apiKey: "unused" }),
    retrySchedule: Schedule.stop,
    request: () => Effect.die("request not used")
  }
  return { state, layer: Layer.succeed(Claude.Claude, service) }
}
