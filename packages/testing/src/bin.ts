#!/usr/bin/env node
/**
 * `fake-claude`: run FakeClaude standalone until Ctrl-C.
 *
 * ```sh
 * pnpm --filter @claude-resilience/testing fake-claude --port 8787 --seed 1 --profile transient --rpm 50
 * ```
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as FakeClaude from "./FakeClaude.js"

const port = Options.integer("port").pipe(Options.withDefault(8787), Options.withDescription("port on 127.0.0.1"))
const seed = Options.integer("seed").pipe(Options.withDefault(0), Options.withDescription("seed of text and chaos"))
const profile = Options.choice("profile", ["none", "transient", "harsh"]).pipe(
  Options.withDefault("none" as const),
  Options.withDescription("chaos profile")
)
const apiKey = Options.text("api-key").pipe(Options.optional, Options.withDescription("accepted API key"))
const rpm = Options.integer("rpm").pipe(Options.optional, Options.withDescription("requests per minute per key"))
const itpm = Options.integer("itpm").pipe(Options.optional, Options.withDescription("input tokens per minute"))
const otpm = Options.integer("otpm").pipe(Options.optional, Options.withDescription("output tokens per minute"))
const clockScale = Options.float("clock-scale").pipe(
  Options.withDefault(1),
  Options.withDescription("server time runs this many times faster")
)
const contextWindow = Options.integer("context-window").pipe(
  Options.optional,
  Options.withDescription("context window in tokens for every model (default: each model's own)")
)
const eventDelay = Options.integer("event-delay-ms").pipe(
  Options.withDefault(0),
  Options.withDescription("real ms between SSE events")
)

const command = Command.make(
  "fake-claude",
  { port, seed, profile, apiKey, rpm, itpm, otpm, clockScale, contextWindow, eventDelay },
  (flags) =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.make({
        port: flags.port,
        seed: flags.seed,
        chaos: FakeClaude.profiles[flags.profile],
        apiKey: Option.getOrUndefined(flags.apiKey),
        rateLimits: {
          requestsPerMinute: Option.getOrUndefined(flags.rpm),
          inputTokensPerMinute: Option.getOrUndefined(flags.itpm),
          outputTokensPerMinute: Option.getOrUndefined(flags.otpm)
        },
        clockScale: flags.clockScale,
        contextWindow: Option.getOrUndefined(flags.contextWindow),
        eventDelayMs: flags.eventDelay
      })
      yield* Console.log(`FakeClaude listening on ${fake.url}`)
      yield* Console.log(`ANTHROPIC_BASE_URL=${fake.url}`)
      yield* Console.log(`ANTHROPIC_API_KEY=${fake.apiKey}`)
      yield* Console.log(`seed=${fake.seed} profile=${flags.profile} — Ctrl-C to stop`)
      return yield* Effect.never
    }).pipe(Effect.scoped)
)

const cli = Command.run(command, { name: "fake-claude", version: "0.1.0" })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
