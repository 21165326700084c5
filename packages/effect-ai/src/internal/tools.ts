/**
 * `@effect/ai` tools, tool choice and a JSON response format as the Messages API's `tools` and
 * `tool_choice`.
 *
 * A user-defined tool becomes `{ name, description, input_schema }`, the schema generated from its
 * parameters `Schema` by `@effect/ai`'s own `Tool.getJsonSchema` (annotations become descriptions,
 * named schemas `$defs`). A JSON response format (`generateObject`) is one forced tool whose input is
 * the object, as `@effect/ai-anthropic` asks for it.
 *
 * @internal
 */
import type Anthropic from "@anthropic-ai/sdk"
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Effect from "effect/Effect"
import { MODULE } from "./aiError.js"

/** The request fields tools decide. */
export interface Prepared {
  readonly tools?: Array<Anthropic.Messages.Tool>
  readonly tool_choice?: Anthropic.Messages.ToolChoice
}

/** One tool's definition; provider-defined tools are refused. */
export const definition = (tool: Tool.Any): Effect.Effect<Anthropic.Messages.Tool, AiError.MalformedInput> => {
  if (!Tool.isUserDefined(tool)) {
    return Effect.fail(
      new AiError.MalformedInput({
        module: MODULE,
        method: "prepareTools",
        description: `Provider-defined tool '${tool.name}' is not supported; define it with Tool.make`
      })
    )
  }
  // What `Tool.getDescription` / `Tool.getJsonSchema` do, on the untyped `Tool.Any`.
  const ast = tool.parametersSchema.ast
  const description = tool.description ?? Tool.getDescriptionFromSchemaAst(ast)
  return Effect.succeed({
    name: tool.name,
    ...(description !== undefined ? { description } : {}),
    input_schema: Tool.getJsonSchemaFromSchemaAst(ast) as Anthropic.Messages.Tool.InputSchema
  })
}

const parallel = (disable: boolean | undefined) => (disable !== undefined ? { disable_parallel_tool_use: disable } : {})

/** `tools` and `tool_choice` of one request. */
export const prepare = (
  options: LanguageModel.ProviderOptions,
  disableParallelToolCalls: boolean | undefined
): Effect.Effect<Prepared, AiError.MalformedInput> =>
  Effect.gen(function* () {
    const format = options.responseFormat
    if (format.type === "json") {
      const description = Tool.getDescriptionFromSchemaAst(format.schema.ast) ?? "Respond with a JSON object"
      return {
        tools: [
          {
            name: format.objectName,
            description,
            input_schema: Tool.getJsonSchemaFromSchemaAst(format.schema.ast) as Anthropic.Messages.Tool.InputSchema
          }
        ],
        tool_choice: { type: "tool", name: format.objectName, disable_parallel_tool_use: true }
      }
    }
    if (options.tools.length === 0 || options.toolChoice === "none") return {}
    let tools = yield* Effect.forEach(options.tools, definition)
    const choice = options.toolChoice
    if (choice === "auto") return { tools, tool_choice: { type: "auto", ...parallel(disableParallelToolCalls) } }
    if (choice === "required") return { tools, tool_choice: { type: "any", ...parallel(disableParallelToolCalls) } }
    if ("tool" in choice) {
      return { tools, tool_choice: { type: "tool", name: choice.tool, ...parallel(disableParallelToolCalls) } }
    }
    const allowed = new Set<string>(choice.oneOf)
    tools = tools.filter((tool) => allowed.has(tool.name))
    return {
      tools,
      tool_choice: { type: choice.mode === "required" ? "any" : "auto", ...parallel(disableParallelToolCalls) }
    }
  })
