#!/usr/bin/env node
/**
 * `pnpm demo`: the chaos drill. Starts FakeClaude in-process with a chaos profile and runs
 * the same workload with the plain SDK and with claude-resilience; `--live` runs a small
 * workload against the real API when `ANTHROPIC_API_KEY` is set.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Drill from "./Drill.js"
import * as Render from "./Render.js"
import type * as Workload from "./Workload.js"

const requests = Options.integer("requests").pipe(Options.withDefault(120), Options.withDescription("calls to make"))
const concurrency = Options.integer("concurrency").pipe(
  Options.withDefault(12),
  Options.withDescription("calls in flight")
)
const seed = Options.integer("seed").pipe(Options.withDefault(1), Options.withDescription("seed of the fake server"))
const profile = Options.choice("profile", ["drill", "transient", "outage", "calm"] as const).pipe(
  Options.withDefault("drill" as const),
  Options.withDescription("chaos profile")
)
const json = Options.boolean("json").pipe(Options.withDescription("print the reports as JSON"))
const noProgress = Options.boolean("no-progress").pipe(
  Options.withDescription("no live progress line (for logs and CI)")
)
const live = Options.boolean("live").pipe(Options.withDescription("run against the real API (needs ANTHROPIC_API_KEY)"))
const model = Options.text("model").pipe(Options.withDefault("claude-sonnet-4-6"), Options.withDescription("model id"))

const progressPrinter = (enabled: boolean, total: number) => {
  if (!enabled) return undefined
  const tty = process.stderr.isTTY === true
  return (contender: Workload.Contender, tally: Workload.Tally, done: boolean) => {
    const text = Render.progressLine(contender, total, tally)
    if (tty) process.stderr.write(`\r\x1b[2K${text}${done ? "\n" : ""}`)
    else if (done) process.stderr.write(`${text}\n`)
  }
}

const command = Command.make("demo", { requests, concurrency, seed, profile, json, noProgress, live, model }, (flags) =>
  Effect.gen(function* () {
    const onProgress = progressPrinter(!flags.noProgress && !flags.json, flags.requests)
    if (flags.live) {
      const key = yield* Config.option(Config.redacted("ANTHROPIC_API_KEY"))
      if (Option.isNone(key)) {
        yield* Console.error("--live needs ANTHROPIC_API_KEY in the environment; it is not set. Nothing was sent.")
        return yield* Effect.sync(() => process.exit(2))
      }
      const baseURL = yield* Config.option(Config.string("ANTHROPIC_BASE_URL"))
      const liveRequests = Math.min(flags.requests, 10)
      yield* Console.error(
        `Live run: ${liveRequests} calls to ${flags.model} through claude-resilience` +
          `${Option.isSome(baseURL) ? ` at ${baseURL.value}` : ""}.`
      )
      const report = yield* Drill.runLive(key.value, {
        baseURL: Option.getOrUndefined(baseURL),
        requests: liveRequests,
        concurrency: Math.min(flags.concurrency, 2),
        model: flags.model,
        maxTokens: 200,
        onProgress
      })
      yield* Console.log(flags.json ? JSON.stringify([report], null, 2) : Render.table([report]))
      return
    }
    const chosen = Drill.profiles[flags.profile]
    if (!flags.json) {
      yield* Console.error(
        `Chaos drill: ${flags.requests} calls (30 % streaming), ${flags.concurrency} at a time, seed ${flags.seed}.\n` +
          `Profile "${flags.profile}": ${chosen.description}.\n` +
          "Each contender gets its own FakeClaude on 127.0.0.1 with the same seed.\n"
      )
    }
    const reports = yield* Drill.run({
      requests: flags.requests,
      concurrency: flags.concurrency,
      seed: flags.seed,
      profile: flags.profile,
      model: flags.model,
      onProgress
    })
    yield* Console.log(flags.json ? JSON.stringify(reports, null, 2) : `\n${Render.table(reports)}`)
  })
)

const cli = Command.run(command, { name: "claude-resilience demo", version: "0.1.0" })

cli(process.argv).pipe(
  // The drill's output is the table; the toolkit's own log lines would drown it.
  Logger.withMinimumLogLevel(LogLevel.None),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
