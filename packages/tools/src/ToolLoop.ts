/**
 * The tool loop: ask Claude (through the resilient `Claude` service), run the tools it calls, append both
 * turns, repeat until it stops calling tools. The conversation is checked before every request and is valid
 * at every point the loop can stop: on success, on a turn limit, on a `ClaudeError`, on interruption.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Content } from "@claude-resilience/api"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Conversation from "./Conversation.js"
import * as internalReply from "./internal/reply.js"
import * as internalToolkit from "./internal/toolkit.js"
import * as Toolkit from "./Toolkit.js"
import * as ToolFailure from "./ToolFailure.js"

/**
 * Token usage summed over every request of a loop.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ToolLoop } from "@claude-resilience/tools"
 *
 * const total = (usage: ToolLoop.Usage) => usage.input_tokens + usage.output_tokens
 * ```
 */
export interface Usage {
  readonly input_tokens: number
  readonly output_tokens: number
  readonly cache_creation_input_tokens: number
  readonly cache_read_input_tokens: number
}

/**
 * What a finished loop returns.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { ToolLoop } from "@claude-resilience/tools"
 *
 * const lastText = (result: ToolLoop.Result) =>
 *   result.message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("")
 * ```
 */
export interface Result {
  /** the final assistant message (its `stop_reason` is not `tool_use`) */
  readonly message: Claude.Message
  /** the whole conversation, from the first message to the final assistant message */
  readonly messages: ReadonlyArray<Conversation.Message>
  readonly usage: Usage
  /** requests made */
  readonly turns: number
}

// A request message as the SDK types it; its blocks are the API's business, not this error's.
const MessageParam: Schema.Schema<Conversation.Message> = Schema.declare(
  (u: unknown): u is Conversation.Message => Predicate.hasProperty(u, "role") && Predicate.hasProperty(u, "content"),
  { identifier: "MessageParam" }
)

/**
 * The loop made `maxTurns` requests and Claude still wanted tools. The last turn's tools were not run (each
 * got a `NotRun` error result), so `messages` is valid and can be continued.
 *
 * @since 0.1.0
 * @category Errors
 * @example
 * ```ts
 * import { ToolLoop } from "@claude-resilience/tools"
 * import { Effect } from "effect"
 *
 * const recover = <A, R>(self: Effect.Effect<A, ToolLoop.TurnLimitExceeded, R>) =>
 *   Effect.catchTag(self, "TurnLimitExceeded", (e) => Effect.succeed(e.messages))
 * ```
 */
export class TurnLimitExceeded extends Schema.TaggedError<TurnLimitExceeded>()("TurnLimitExceeded", {
  maxTurns: Schema.Number,
  /** the conversation so far, valid: the last turn's tools answered with `NotRun` error results */
  messages: Schema.Array(MessageParam),
  usage: Schema.Struct({
    input_tokens: Schema.Number,
    output_tokens: Schema.Number,
    cache_creation_input_tokens: Schema.Number,
    cache_read_input_tokens: Schema.Number
  })
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `the tool loop reached its limit of ${this.maxTurns} turns`
  }
}

/**
 * Options of {@link run}: the toolkit, the turn limit, how tools run, and how requests are made.
 *
 * | option | default |
 * |---|---|
 * | `toolkit` | required |
 * | `maxTurns` | `10` requests (at least 1; `Infinity`: no limit; NaN: the default) |
 * | `concurrency`, `timeout`, `formatError`, `exposeDefects` | as `Toolkit.handle` |
 * | `repair` | `false`: an invalid conversation fails with `InvalidConversation`; `true`: `Conversation.repair` first (what it cannot repair fails the same way) |
 * | `callOptions` | none: the `Claude` layer's retry, breaker and timeout |
 * | `conversation` | none: a `Ref` that holds the current (valid) conversation once it is checked, also after interruption |
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Toolkit, type ToolLoop } from "@claude-resilience/tools"
 *
 * const options: ToolLoop.Options<never> = { toolkit: Toolkit.make(), maxTurns: 5, concurrency: 2 }
 * ```
 */
export interface Options<R> extends Toolkit.HandleOptions {
  readonly toolkit: Toolkit.Toolkit<R>
  readonly maxTurns?: number | undefined
  readonly repair?: boolean | undefined
  readonly callOptions?: Claude.CallOptions | undefined
  readonly conversation?: Ref.Ref<ReadonlyArray<Conversation.Message>> | undefined
}

const emptyUsage: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0
}

/**
 * Adds a response's usage to a sum.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { ToolLoop } from "@claude-resilience/tools"
 *
 * const sum = ToolLoop.addUsage(
 *   { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
 *   { input_tokens: 3, output_tokens: 4, cache_creation_input_tokens: null, cache_read_input_tokens: null }
 * )
 * ```
 */
export const addUsage = (
  sum: Usage,
  usage: Pick<
    Anthropic.Messages.Usage,
    "input_tokens" | "output_tokens" | "cache_creation_input_tokens" | "cache_read_input_tokens"
  >
): Usage => ({
  input_tokens: sum.input_tokens + usage.input_tokens,
  output_tokens: sum.output_tokens + usage.output_tokens,
  cache_creation_input_tokens: sum.cache_creation_input_tokens + (usage.cache_creation_input_tokens ?? 0),
  cache_read_input_tokens: sum.cache_read_input_tokens + (usage.cache_read_input_tokens ?? 0)
})

/**
 * The toolkit's tools and the request's own (a tool of the toolkit replaces one of the same name). A `tools`
 * that is not an array is the API's to judge, as every other request field the loop does not read.
 */
const mergeTools = (
  own: ReadonlyArray<Anthropic.Messages.Tool>,
  given: unknown
): Array<Anthropic.Messages.ToolUnion> => {
  if (given !== undefined && given !== null && !Array.isArray(given))
    return given as Array<Anthropic.Messages.ToolUnion>
  const names = new Set(own.map((t) => t.name))
  const kept = (given ?? []).filter(
    (t: unknown) => !(Predicate.hasProperty(t, "name") && typeof t.name === "string" && names.has(t.name))
  ) as ReadonlyArray<Anthropic.Messages.ToolUnion>
  return [...own, ...kept]
}

/** `maxTurns` as a number of requests: at least 1, the default for a value that is not a number. */
const turnLimit = (maxTurns: unknown): number =>
  typeof maxTurns === "number" && !Number.isNaN(maxTurns) ? Math.max(1, Math.floor(maxTurns)) : 10

/** A reply the loop cannot read: a `ClaudeError` like any response that cannot be read. */
const malformedReply = (turn: number, reason: string) =>
  new ClaudeError.ConnectionError({
    message: `malformed reply to request ${turn} of the tool loop: ${reason}`,
    reason: "protocol"
  })

/** The (client) `tool_use` ids of a conversation. */
const toolUseIdsOf = (messages: ReadonlyArray<Conversation.Message>): ReadonlySet<string> => {
  const ids = new Set<string>()
  for (const message of messages) {
    if (message.role === "assistant") for (const use of Content.toolUsesOf(message.content)) ids.add(use.id)
  }
  return ids
}

/**
 * Runs the tool loop from `params` (its `messages` are the conversation so far; the toolkit's tools are
 * added to its `tools`).
 *
 * Every input is checked before it is read: `params.messages` of any shape (with `repair`, after
 * `Conversation.repair`) fails with `InvalidConversation` before any request; every reply is checked before
 * the loop reads it (an object whose `content` is an array of well-formed blocks, `tool_use` ids not seen
 * before, a string or null `stop_reason`, `usage` of non-negative integers), and one that is not fails with a
 * `ClaudeError.ConnectionError` whose `reason` is `"protocol"` and whose message names what was wrong. The
 * conversation (and the `conversation` Ref) then stays as it was before that request.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Tool, Toolkit, ToolLoop } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const add = Tool.make("add", {
 *   description: "Adds two numbers",
 *   parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
 *   handler: ({ a, b }) => Effect.succeed(a + b)
 * })
 *
 * const program = ToolLoop.run(
 *   { model: "claude-sonnet-4-6", max_tokens: 1024, messages: [{ role: "user", content: "What is 2 + 3?" }] },
 *   { toolkit: Toolkit.make(add), maxTurns: 5 }
 * )
 * // Effect<ToolLoop.Result, ClaudeError | TurnLimitExceeded | InvalidConversation, Claude>
 * ```
 */
export const run: {
  <R>(
    options: Options<R>
  ): (
    params: Claude.MessageCreateParams
  ) => Effect.Effect<
    Result,
    ClaudeError.ClaudeError | TurnLimitExceeded | Conversation.InvalidConversation,
    R | Claude.Claude
  >
  <R>(
    params: Claude.MessageCreateParams,
    options: Options<R>
  ): Effect.Effect<
    Result,
    ClaudeError.ClaudeError | TurnLimitExceeded | Conversation.InvalidConversation,
    R | Claude.Claude
  >
} = dual(2, <R>(params: Claude.MessageCreateParams, options: Options<R>) =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const maxTurns = turnLimit(options.maxTurns)
    const given: unknown = Predicate.isRecord(params) ? params.messages : undefined
    let messages: ReadonlyArray<Conversation.Message> =
      options.repair === true ? yield* Conversation.repair(given) : yield* Conversation.check(given)
    const tools = mergeTools(options.toolkit.definitions, Predicate.isRecord(params) ? params.tools : undefined)
    let usage = emptyUsage
    const publish = (next: ReadonlyArray<Conversation.Message>) =>
      Effect.sync(() => {
        messages = next
      }).pipe(Effect.zipRight(options.conversation === undefined ? Effect.void : Ref.set(options.conversation, next)))
    yield* publish(messages)

    for (let turn = 1; ; turn++) {
      // the loop built every later conversation itself: checked all the same, as a guard against its own bugs
      if (turn > 1) yield* Conversation.check(messages)
      const reply: unknown = yield* claude.messages.create(
        { ...params, tools, messages: [...messages] },
        options.callOptions
      )
      const problem = internalReply.problem(reply, toolUseIdsOf(messages))
      if (problem !== undefined) return yield* malformedReply(turn, problem)
      const response = reply as Claude.Message
      usage = addUsage(usage, response.usage)
      const assistant = Content.assistantMessage(response)
      const uses = Toolkit.toolUses(response)
      if (response.stop_reason !== "tool_use" || uses.length === 0) {
        yield* publish([...messages, assistant])
        return { message: response, messages, usage, turns: turn } satisfies Result
      }
      if (turn >= maxTurns) {
        const outcomes = uses.map((toolUse) =>
          internalToolkit.failureOutcome(
            toolUse,
            new ToolFailure.NotRun({
              toolName: toolUse.name,
              toolUseId: toolUse.id,
              reason: `the tool loop reached its limit of ${maxTurns} turns`
            }),
            options
          )
        )
        yield* publish([...messages, assistant, { role: "user", content: outcomes.map((o) => o.result) }])
        return yield* new TurnLimitExceeded({ maxTurns, messages, usage })
      }
      const slots: Array<Toolkit.Outcome | undefined> = uses.map(() => undefined)
      const before = messages
      // also on interruption: the assistant turn is kept with the finished results and `Interrupted` for the rest
      yield* internalToolkit
        .runInto(options.toolkit, uses, options, slots)
        .pipe(
          Effect.ensuring(
            Effect.suspend(() => publish([...before, assistant, internalToolkit.collect(uses, slots, options).message]))
          )
        )
    }
  })
)
