#!/usr/bin/env node
/**
 * `fake-claude`: run FakeClaude standalone until Ctrl-C.
 *
 * ```sh
 * npx fake-claude --port 8787 --seed 1 --profile transient --rpm 50
 * ```
 *
 * Options are read with `node:util`'s `parseArgs`, so the test package needs no CLI framework (and
 * none of the platform packages one would bring).
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FakeClaude from "./FakeClaude.js"

const PROFILES = ["none", "transient", "drill", "harsh"] as const
type Profile = (typeof PROFILES)[number]

const USAGE = `Usage: fake-claude [options]

Runs FakeClaude, a fake of the Claude Messages API (HTTP + SSE), on 127.0.0.1 until Ctrl-C.

Options:
  --port <n>             port on 127.0.0.1; 0 picks a free one       (default 8787)
  --seed <n>             seed of completions, ids and chaos          (default 0)
  --profile <name>       chaos profile                               (default none)
                           none:      no faults
                           transient: a few percent of retryable faults
                           drill:     every transient fault of production at 3-6 % each
                           harsh:     about a third of requests fail in some way
  --api-key <key>        the accepted API key                        (default sk-ant-test-fake-key)
  --rpm <n>              requests per minute per key                 (default: no limit)
  --itpm <n>             input tokens per minute per key             (default: no limit)
  --otpm <n>             output tokens per minute per key            (default: no limit)
  --clock-scale <x>      server time runs x times faster             (default 1)
  --context-window <n>   context window in tokens for every model    (default: each model's own)
  --event-delay-ms <n>   real ms between SSE events                  (default 0)
  -h, --help             show this help
  -v, --version          show the version
`

class UsageError extends Error {}

const integer = (name: string, value: string | undefined, fallback?: number): number | undefined => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`)
  return n
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`)
  return n
}

const parse = (argv: ReadonlyArray<string>) => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      profile: { type: "string" },
      "api-key": { type: "string" },
      rpm: { type: "string" },
      itpm: { type: "string" },
      otpm: { type: "string" },
      "clock-scale": { type: "string" },
      "context-window": { type: "string" },
      "event-delay-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" }
    }
  })
  const profile = (values.profile ?? "none") as Profile
  if (!PROFILES.includes(profile)) {
    throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}, got "${values.profile}"`)
  }
  return {
    help: values.help === true,
    version: values.version === true,
    profile,
    options: {
      port: integer("port", values.port, 8787),
      seed: integer("seed", values.seed, 0),
      chaos: FakeClaude.profiles[profile],
      apiKey: values["api-key"],
      rateLimits: {
        requestsPerMinute: integer("rpm", values.rpm),
        inputTokensPerMinute: integer("itpm", values.itpm),
        outputTokensPerMinute: integer("otpm", values.otpm)
      },
      clockScale: positive("clock-scale", values["clock-scale"], 1),
      contextWindow: integer("context-window", values["context-window"]),
      eventDelayMs: integer("event-delay-ms", values["event-delay-ms"], 0)
    } satisfies FakeClaude.Options
  }
}

const version = (): string => {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version
  } catch {
    return "unknown"
  }
}

const serve = (profile: Profile, options: FakeClaude.Options) =>
  Effect.gen(function* () {
    const fake = yield* FakeClaude.make(options)
    yield* Console.log(`FakeClaude listening on ${fake.url}`)
    yield* Console.log(`ANTHROPIC_BASE_URL=${fake.url}`)
    yield* Console.log(`ANTHROPIC_API_KEY=${fake.apiKey}`)
    yield* Console.log(`seed=${fake.seed} profile=${profile} — Ctrl-C to stop`)
    return yield* Effect.never
  }).pipe(Effect.scoped)

const main = (argv: ReadonlyArray<string>): void => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`fake-claude: ${message}\nRun "fake-claude --help" for the options.\n`)
    process.exitCode = 2
    return
  }
  if (parsed.help) return void process.stdout.write(USAGE)
  if (parsed.version) return void process.stdout.write(`${version()}\n`)

  const fiber = Effect.runFork(serve(parsed.profile, parsed.options))
  const stop = () => Effect.runFork(Fiber.interrupt(fiber))
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  fiber.addObserver((exit) => {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
    if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
      const defect = Cause.squash(exit.cause)
      process.stderr.write(`fake-claude: ${defect instanceof Error ? defect.message : Cause.pretty(exit.cause)}\n`)
      process.exitCode = 1
    }
  })
}

main(process.argv.slice(2))
