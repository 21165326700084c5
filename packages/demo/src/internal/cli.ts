import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Drill from "../Drill.js"
import * as Explanation from "../Explanation.js"
import * as Render from "../Render.js"
import * as UsageError from "../UsageError.js"
import type * as Workload from "../Workload.js"
import type { Flags } from "../Cli.js"

export const DEFAULT_MODEL = "claude-sonnet-5-5"

const profileNames = ["drill", "transient", "outage", "calm"] as const

const requests = Options.integer("requests").pipe(
  Options.withDefault(120),
  Options.withDescription("Calls in the workload. Default: 120 (at most 10 with --live).")
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDefault(12),
  Options.withDescription("Calls in flight at once. Default: 12 (at most 2 with --live).")
)
const seed = Options.integer("seed").pipe(
  Options.withDefault(1),
  Options.withDescription(
    "Seed of the embedded FakeClaude: the same seed gives the same completions and the same fault draws " +
      "for the same request order. Default: 1."
  )
)
const profile = profileNames
  .reduce(
    (options, name) => Options.withDescription(options, `${name}: ${Drill.profiles[name].description}.`),
    Options.choice("profile", profileNames).pipe(
      Options.withDescription("The faults the embedded FakeClaude injects. Default: drill.")
    )
  )
  .pipe(Options.withDefault("drill" as const))
const json = Options.boolean("json").pipe(
  Options.withDescription(
    "Print the reports as JSON on stdout and nothing else there; progress and messages stay on stderr. " +
      "Default: off (a table and its explanation). Through pnpm, run `pnpm -s demo --json` so that pnpm's " +
      "own banner stays off stdout."
  )
)
const noProgress = Options.boolean("no-progress").pipe(
  Options.withDescription("No live progress line on stderr (for logs and CI). Default: the line is shown.")
)
const live = Options.boolean("live").pipe(
  Options.withDescription(
    "Instead of the drill, run a small workload against the real API through claude-resilience. " +
      "Needs ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL points it elsewhere (e.g. a standalone FakeClaude). Default: off."
  )
)
const model = Options.text("model").pipe(
  Options.withDefault(DEFAULT_MODEL),
  Options.withDescription(`Model id sent with every call. Default: ${DEFAULT_MODEL}.`)
)

/** The progress line on stderr: redrawn in place on a terminal, one line per contender otherwise. */
const progressPrinter = (enabled: boolean, total: number) => {
  if (!enabled) return undefined
  const tty = process.stderr.isTTY === true
  return (contender: Workload.Contender, tally: Workload.Tally, done: boolean) => {
    const text = Render.progressLine(contender, total, tally)
    if (tty) process.stderr.write(`\r\x1b[2K${text}${done ? "\n" : ""}`)
    else if (done) process.stderr.write(`${text}\n`)
  }
}

const usage = (message: string) => new UsageError.UsageError({ message })

const atLeastOne = (flags: Flags): Effect.Effect<void, UsageError.UsageError> =>
  flags.requests < 1
    ? Effect.fail(usage(`--requests must be at least 1 (got ${flags.requests}).`))
    : flags.concurrency < 1
      ? Effect.fail(usage(`--concurrency must be at least 1 (got ${flags.concurrency}).`))
      : Effect.void

/** The key, or a usage error when it is missing or blank; its value is never printed. */
const apiKey: Effect.Effect<Redacted.Redacted<string>, UsageError.UsageError> = Config.option(
  Config.redacted("ANTHROPIC_API_KEY")
).pipe(
  Effect.mapError(() => usage("--live could not read ANTHROPIC_API_KEY from the environment. Nothing was sent.")),
  Effect.flatMap((key) =>
    Option.isSome(key) && Redacted.value(key.value).trim().length > 0
      ? Effect.succeed(key.value)
      : Effect.fail(usage("--live needs ANTHROPIC_API_KEY in the environment; it is not set. Nothing was sent."))
  )
)

const runLive = (flags: Flags) =>
  Effect.gen(function* () {
    const key = yield* apiKey
    const baseURL = yield* Config.option(Config.string("ANTHROPIC_BASE_URL")).pipe(
      Effect.orElseSucceed(() => Option.none<string>())
    )
    const liveRequests = Math.min(flags.requests, 10)
    yield* Console.error(
      `Live run: ${liveRequests} calls to ${flags.model} through claude-resilience` +
        `${Option.isSome(baseURL) ? ` at ${baseURL.value}` : ""}.`
    )
    const report = yield* Drill.runLive(key, {
      baseURL: Option.getOrUndefined(baseURL),
      requests: liveRequests,
      concurrency: Math.min(flags.concurrency, 2),
      model: flags.model,
      maxTokens: 200,
      onProgress: progressPrinter(!flags.noProgress, liveRequests)
    })
    yield* Console.log(
      flags.json ? JSON.stringify([report], null, 2) : `${Render.table([report])}\n\n${Explanation.make([report])}`
    )
  })

const runDrill = (flags: Flags) =>
  Effect.gen(function* () {
    const chosen = Drill.profiles[flags.profile]
    yield* Console.error(
      `Chaos drill: ${flags.requests} calls (30 % streaming), ${flags.concurrency} at a time, seed ${flags.seed}.\n` +
        `Profile "${flags.profile}": ${chosen.description}.\n` +
        "Each contender gets its own FakeClaude on 127.0.0.1 with the same seed.\n"
    )
    const reports = yield* Drill.run({
      requests: flags.requests,
      concurrency: flags.concurrency,
      seed: flags.seed,
      profile: flags.profile,
      model: flags.model,
      onProgress: progressPrinter(!flags.noProgress, flags.requests)
    })
    yield* Console.log(
      flags.json ? JSON.stringify(reports, null, 2) : `\n${Render.table(reports)}\n\n${Explanation.make(reports)}`
    )
  })

export const command = Command.make(
  "demo",
  { requests, concurrency, seed, profile, json, noProgress, live, model },
  (flags): Effect.Effect<void, UsageError.UsageError> =>
    Effect.zipRight(atLeastOne(flags), flags.live ? runLive(flags) : runDrill(flags))
).pipe(
  Command.withDescription(
    "The chaos drill: the same seeded workload against an embedded fake Claude API, once with the plain " +
      "@anthropic-ai/sdk and once with claude-resilience, side by side."
  )
)

export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<void, UsageError.UsageError | ValidationError.ValidationError, CliApp.CliApp.Environment> =
  Command.run(command, { name: "claude-resilience demo", version: "0.1.0" })

// The drill's output is the table; the client's per-call log lines would drown it, so logs are
// off unless `--log-level` asks for them, and then they go to stderr, never into stdout.
const quietLogs = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(
    Logger.withMinimumLogLevel(LogLevel.None),
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true })))
  )

export const main = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  quietLogs(run(argv)).pipe(
    Effect.as(0),
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        // @effect/cli has already printed the invalid option's message on stderr.
        if (ValidationError.isValidationError(failure.value)) return Effect.succeed(UsageError.exitCode)
        return Effect.as(Console.error(failure.value.message), UsageError.exitCode)
      }
      return Effect.as(Console.error(`The demo failed unexpectedly:\n${Cause.pretty(cause)}`), 1)
    })
  )
