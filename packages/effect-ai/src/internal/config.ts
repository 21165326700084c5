/**
 * The per-call request settings in context, read at each request (as `@effect/ai-anthropic`'s
 * `AnthropicLanguageModel.Config`), and the combinator that sets them.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"
import type * as ClaudeLanguageModel from "../ClaudeLanguageModel.js"

/** @internal */
export class Config extends Context.Tag("@claude-resilience/effect-ai/ClaudeLanguageModel/Config")<
  Config,
  ClaudeLanguageModel.Config.Service
>() {}

/** The settings in context, if any. */
export const current: Effect.Effect<ClaudeLanguageModel.Config.Service | undefined> = Effect.map(
  Effect.serviceOption(Config),
  (option) => (option._tag === "Some" ? option.value : undefined)
)

/** Merges `overrides` over the settings already in context, for `self`. */
export const withConfigOverride: {
  (overrides: ClaudeLanguageModel.Config.Service): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: ClaudeLanguageModel.Config.Service): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: ClaudeLanguageModel.Config.Service): Effect.Effect<A, E, R> =>
    Effect.flatMap(current, (config) => Effect.provideService(self, Config, { ...config, ...overrides }))
)

/** The same for a stream (`streamText`): the settings are read when the stream starts. */
export const withConfigOverrideStream: {
  (overrides: ClaudeLanguageModel.Config.Service): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, overrides: ClaudeLanguageModel.Config.Service): Stream.Stream<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Stream.Stream<A, E, R>, overrides: ClaudeLanguageModel.Config.Service): Stream.Stream<A, E, R> =>
    Stream.unwrap(Effect.map(current, (config) => Stream.provideService(self, Config, { ...config, ...overrides })))
)
