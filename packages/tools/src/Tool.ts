/**
 * A tool the model can call: a name, a description, an input `Schema` (sent to the API as the tool's JSON
 * Schema `input_schema`) and a handler `Effect`.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as output from "./internal/output.js"
import * as ToolFailure from "./ToolFailure.js"

/**
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 *
 * const isBranded = (u: object) => Tool.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Symbols
 */
export const TypeId: unique symbol = Symbol.for("@claude-resilience/tools/Tool")

/**
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 *
 * const isBranded = (u: object) => Tool.TypeId in u
 * ```
 *
 * @since 0.1.0
 * @category Symbols
 */
export type TypeId = typeof TypeId

/**
 * What a `tool_result` carries: text, or content blocks (text, images, documents).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Tool } from "@claude-resilience/tools"
 *
 * const content: Tool.Content = [{ type: "text", text: "21 °C" }]
 * ```
 */
export type Content = NonNullable<Anthropic.Messages.ToolResultBlockParam["content"]>

/**
 * The JSON Schema of a tool's input as the API wants it (`type: "object"` at the top).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Tool } from "@claude-resilience/tools"
 *
 * const schema: Tool.InputSchema = { type: "object", properties: {}, required: [] }
 * ```
 */
export type InputSchema = Anthropic.Messages.Tool.InputSchema

/**
 * A tool whose handler needs `R`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 *
 * const names = (tools: ReadonlyArray<Tool.Tool<string>>) => tools.map((tool) => tool.name)
 * ```
 */
export interface Tool<out Name extends string, out R = never> extends Pipeable {
  readonly [TypeId]: TypeId
  readonly name: Name
  readonly description: string | undefined
  /** the input's JSON Schema, generated from the `parameters` Schema's encoded side */
  readonly inputSchema: InputSchema
  /** the tool's own timeout; the toolkit's default applies when undefined */
  readonly timeout: Duration.Duration | undefined
  /** the tool as sent in a request's `tools` */
  readonly definition: Anthropic.Messages.Tool
  /**
   * Decodes an input and runs the handler, with the result encoded as `tool_result` content (`undefined`
   * when the handler produced nothing). A bad input fails with `InvalidInput`, a typed failure with
   * `Failed`, an output that cannot be sent with `InvalidOutput`; defects and interruption stay as they are
   * (`Toolkit.handle` turns them into results).
   */
  readonly call: (
    input: unknown,
    toolUseId: string
  ) => Effect.Effect<Content | undefined, ToolFailure.InvalidInput | ToolFailure.Failed | ToolFailure.InvalidOutput, R>
}

/**
 * The requirements of a tool (or a union of tools).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const echo = Tool.make("echo", { parameters: Schema.Struct({ text: Schema.String }), handler: ({ text }) => Effect.succeed(text) })
 * type R = Tool.Context<typeof echo> // never
 * ```
 */
export type Context<T> = T extends Tool<string, infer R> ? R : never

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Tool } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const options: Tool.Options<{ readonly n: number }, { readonly n: number }, never, number, never, never, never> = {
 *   description: "Doubles n",
 *   parameters: Schema.Struct({ n: Schema.Number }),
 *   handler: ({ n }) => Effect.succeed(n * 2)
 * }
 * ```
 */
export interface Options<A, I, RS, Out, E, R, RO> {
  /** what the tool does, for the model */
  readonly description?: string | undefined
  /** the input: decoded from the model's JSON; its encoded side becomes `input_schema` (an object) */
  readonly parameters: Schema.Schema<A, I, RS>
  /** the work; its typed failures, defects and interruption all become error results */
  readonly handler: (input: A) => Effect.Effect<Out, E, R>
  /**
   * encodes the handler's output before it is sent (default: a string as is, `Tool.content` blocks as is,
   * `undefined` as the text `(no output)`, anything else as JSON; a value JSON cannot carry is an
   * `InvalidOutput` error result)
   */
  readonly success?: Schema.Schema<Out, unknown, RO> | undefined
  /** this tool's timeout (default: the toolkit call's `timeout`, else none) */
  readonly timeout?: Duration.DurationInput | undefined
}

const ContentTypeId: unique symbol = Symbol.for("@claude-resilience/tools/Tool/Content")

interface ContentBox {
  readonly [ContentTypeId]: true
  readonly content: Content
}

/**
 * Marks a handler's output as `tool_result` content blocks (e.g. an image) rather than a value to JSON-encode.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const chart = Tool.make("chart", {
 *   parameters: Schema.Struct({}),
 *   handler: () => Effect.succeed(Tool.content([{ type: "text", text: "see the chart" }]))
 * })
 * ```
 */
export const content = (blocks: Content): ContentBox => ({ [ContentTypeId]: true, content: blocks })

const isContentBox = (u: unknown): u is ContentBox => Predicate.hasProperty(u, ContentTypeId)

/** Inline a top-level `$ref` (a Schema with an identifier) so the top is the object itself. */
const toInputSchema = (name: string, schema: Schema.Schema.Any): InputSchema => {
  const json: Record<string, unknown> = { ...(JSONSchema.make(schema) as unknown as Record<string, unknown>) }
  delete json.$schema
  const ref = json.$ref
  const defs = json.$defs
  if (typeof ref === "string" && ref.startsWith("#/$defs/") && Predicate.isRecord(defs)) {
    const key = ref.slice("#/$defs/".length)
    const target = defs[key]
    const rest: Record<string, unknown> = { ...defs }
    delete rest[key]
    delete json.$ref
    delete json.$defs
    Object.assign(json, target)
    if (Object.keys(rest).length > 0) json.$defs = rest
  }
  // `Schema.Struct({})` is "any non-nullish object" in JSON Schema (object or array); a tool without input
  // is an object without properties for the API
  if (json.$id === "/schemas/%7B%7D" || (json.type === undefined && Array.isArray(json.anyOf))) {
    const anyOf = json.anyOf as ReadonlyArray<unknown>
    if (json.$id === "/schemas/%7B%7D" || anyOf.some((s) => Predicate.isRecord(s) && s.type === "object")) {
      return { type: "object", properties: {} }
    }
  }
  if (json.type !== "object") {
    throw new Error(`Tool "${name}": the input schema must describe an object, got ${JSON.stringify(json.type)}`)
  }
  return json as InputSchema
}

/** A handler's output as content, or why it cannot be sent; `Toolkit.handle` checks content blocks. */
const encodeOutput = (out: unknown): Either.Either<Content | undefined, string> => {
  if (out === undefined || typeof out === "string") return Either.right(out)
  if (isContentBox(out)) return output.boxed(out.content)
  return output.json(out)
}

const Proto = {
  [TypeId]: TypeId,
  pipe() {
    // biome-ignore lint/complexity/noArguments: Effect's Pipeable idiom
    return pipeArguments(this, arguments)
  }
}

/**
 * Defines a tool.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * class CityNotFound extends Schema.TaggedError<CityNotFound>()("CityNotFound", { message: Schema.String }) {}
 *
 * const getWeather = Tool.make("get_weather", {
 *   description: "Current weather of a city",
 *   parameters: Schema.Struct({ city: Schema.String.annotations({ description: "City name" }) }),
 *   handler: ({ city }) =>
 *     city === "Atlantis"
 *       ? Effect.fail(new CityNotFound({ message: `No city named ${city}` }))
 *       : Effect.succeed({ city, celsius: 21 }),
 *   timeout: "5 seconds"
 * })
 * ```
 */
export const make = <const Name extends string, A, I, RS, Out, E, R, RO = never>(
  name: Name,
  options: Options<A, I, RS, Out, E, R, RO>
): Tool<Name, R | RS | RO> => {
  const inputSchema = toInputSchema(name, options.parameters)
  const definition: Anthropic.Messages.Tool =
    options.description === undefined
      ? { name, input_schema: inputSchema }
      : { name, description: options.description, input_schema: inputSchema }
  const decode = Schema.decodeUnknown(options.parameters, { errors: "all", onExcessProperty: "ignore" })
  const success = options.success
  const encode = success === undefined ? undefined : Schema.encode(success)
  const call = (input: unknown, toolUseId: string) =>
    decode(input).pipe(
      Effect.mapError(
        (error) =>
          new ToolFailure.InvalidInput({
            toolName: name,
            toolUseId,
            message: ParseResult.TreeFormatter.formatErrorSync(error)
          })
      ),
      Effect.flatMap((decoded) =>
        Effect.mapError(
          Effect.suspend(() => options.handler(decoded)),
          (error) => new ToolFailure.Failed({ toolName: name, toolUseId, error })
        )
      ),
      Effect.flatMap((out) =>
        encode === undefined
          ? Effect.succeed(out)
          : Effect.mapError(
              encode(out),
              (error) =>
                new ToolFailure.InvalidOutput({
                  toolName: name,
                  toolUseId,
                  message: `its success Schema does not encode it: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
                })
            )
      ),
      Effect.flatMap((out) =>
        Either.match(encodeOutput(out), {
          onLeft: (message) => Effect.fail(new ToolFailure.InvalidOutput({ toolName: name, toolUseId, message })),
          onRight: Effect.succeed
        })
      )
    )
  const tool = Object.create(Proto) as Tool<Name, R | RS | RO>
  return Object.assign(tool, {
    name,
    description: options.description,
    inputSchema,
    timeout: options.timeout === undefined ? undefined : Duration.decode(options.timeout),
    definition,
    call
  })
}

/**
 * Sets a tool's timeout.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 * import { Effect, Schema } from "effect"
 *
 * const slow = Tool.make("slow", { parameters: Schema.Struct({}), handler: () => Effect.never }).pipe(
 *   Tool.withTimeout("2 seconds")
 * )
 * ```
 */
export const withTimeout: {
  (timeout: Duration.DurationInput): <Name extends string, R>(self: Tool<Name, R>) => Tool<Name, R>
  <Name extends string, R>(self: Tool<Name, R>, timeout: Duration.DurationInput): Tool<Name, R>
} = dual(
  2,
  <Name extends string, R>(self: Tool<Name, R>, timeout: Duration.DurationInput): Tool<Name, R> =>
    Object.assign(Object.create(Proto) as Tool<Name, R>, { ...self, timeout: Duration.decode(timeout) })
)

/**
 * Whether a value is a {@link Tool}.
 *
 * @since 0.1.0
 * @category Guards
 * @example
 * ```ts
 * import { Tool } from "@claude-resilience/tools"
 *
 * Tool.isTool({}) // false
 * ```
 */
export const isTool = (u: unknown): u is Tool<string, unknown> => Predicate.hasProperty(u, TypeId)
