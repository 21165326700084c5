/**
 * A toolkit whose typed handler failures become failure results.
 *
 * `@effect/ai` resolves tool calls itself (`LanguageModel.make`, through `Toolkit.handle`). With the
 * default `failureMode: "error"` a handler's failure fails the whole `generateText` / `streamText`,
 * and the call it answered is lost with the response. Wrapped here, the failure comes back as the
 * call's `tool-result` part with `isFailure: true`, its result the failure (encoded by the tool's
 * `failure` schema), which `Prompt.fromResponseParts` carries into the next request as a
 * `tool_result` with `is_error: true`: the model learns the tool failed and can answer.
 *
 * Failures of `@effect/ai` itself (`AiError`: an unknown tool, input that does not decode, a result
 * that does not encode) and defects stay failures, as in `@effect/ai`: they have no value of the
 * tool's failure type to put in a result.
 *
 * @internal
 */
import * as AiError from "@effect/ai/AiError"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

type AnyWithHandler = Toolkit.WithHandler<Record<string, Tool.Any>>

type LooseHandle = (name: string, params: unknown) => Effect.Effect<Tool.HandlerResult<Tool.Any>, unknown, unknown>

const guardHandler = (toolkit: AnyWithHandler): AnyWithHandler => {
  const handle = toolkit.handle as unknown as LooseHandle
  const guarded: LooseHandle = (name, params) =>
    Effect.catchAll(handle(name, params), (error) => {
      const tool = toolkit.tools[name]
      if (tool === undefined || AiError.isAiError(error)) return Effect.fail(error)
      return Effect.map(
        Effect.mapError(
          Schema.encodeUnknown(tool.failureSchema as Schema.Schema<unknown, unknown>)(error),
          (cause) =>
            new AiError.MalformedInput({
              module: "Toolkit",
              method: `${name}.handle`,
              description: `Failed to encode the failure of tool '${name}'`,
              cause
            })
        ),
        (encodedResult): Tool.HandlerResult<Tool.Any> => ({ isFailure: true, result: error as never, encodedResult })
      )
    })
  return { tools: toolkit.tools, handle: guarded as unknown as AnyWithHandler["handle"] }
}

/** The `toolkit` option of a `LanguageModel` call, with failures as results. */
export const guard = (toolkit: unknown): Effect.Effect<AnyWithHandler, unknown, unknown> =>
  Effect.isEffect(toolkit)
    ? Effect.map(toolkit as Effect.Effect<AnyWithHandler, unknown, unknown>, guardHandler)
    : Effect.succeed(guardHandler(toolkit as AnyWithHandler))
