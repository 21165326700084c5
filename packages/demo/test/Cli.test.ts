import * as Command from "@effect/platform/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Console, Effect, Stream } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "../src/Cli.js"
import type * as Workload from "../src/Workload.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const bin = path.join(root, "packages/demo/src/bin.ts")

/** The parent's environment without any Anthropic settings, and without colours. */
const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith("ANTHROPIC_")
    )
  ),
  NO_COLOR: "1",
  ...extra
})

const text = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runCollect(Stream.decodeText(stream)).pipe(Effect.map((chunks) => Chunk.join(chunks, "")))

/** Runs the real CLI (`node --import tsx bin.ts ...`) as a child process. */
const cli = (args: ReadonlyArray<string>, env: Record<string, string> = cleanEnv()) =>
  Effect.scoped(
    Effect.gen(function* () {
      const proc = yield* Command.make(process.execPath, "--import", "tsx", bin, ...args).pipe(
        Command.workingDirectory(root),
        Command.env(env, { extendEnv: false }),
        Command.start
      )
      const [stdout, stderr, exitCode] = yield* Effect.all([text(proc.stdout), text(proc.stderr), proc.exitCode], {
        concurrency: "unbounded"
      })
      return { stdout, stderr, exitCode: Number(exitCode) }
    })
  ).pipe(Effect.provide(NodeContext.layer))

/** `Cli.main` in this process, with its console captured and `env` as the environment. */
const inProcess = (args: ReadonlyArray<string>, env: ReadonlyArray<readonly [string, string]> = []) =>
  Effect.gen(function* () {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const base = yield* Console.consoleWith(Effect.succeed)
    const capture: Console.Console = {
      ...base,
      log: (...parts) => Effect.sync(() => void stdout.push(parts.join(" "))),
      error: (...parts) => Effect.sync(() => void stderr.push(parts.join(" ")))
    }
    const exitCode = yield* Cli.main(["node", "demo", ...args]).pipe(
      Console.withConsole(capture),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env))),
      Effect.provide(NodeContext.layer)
    )
    return { exitCode, stdout: stdout.join("\n"), stderr: stderr.join("\n") }
  })

/** Nothing a raw failure dump would contain. */
const expectClean = (output: string) => {
  expect(output).not.toMatch(/FiberFailure|"_tag"|ERROR \(#|at .+\(.+:\d+:\d+\)|Error:/)
}

const missingKey = "--live needs ANTHROPIC_API_KEY in the environment; it is not set. Nothing was sent."

describe("the demo's command line, in process", () => {
  it.effect("an invalid option: the CLI's one message on stderr, nothing on stdout, exit code 2", () =>
    Effect.gen(function* () {
      const bogus = yield* inProcess(["--profile", "bogus"])
      expect(bogus).toEqual({
        exitCode: 2,
        stdout: "",
        stderr: "Expected one of the following cases: drill, transient, outage, calm\n"
      })
      const notANumber = yield* inProcess(["--requests", "many"])
      expect(notANumber.exitCode).toBe(2)
      expect(notANumber.stderr.trim()).toBe("'many' is not a integer")
      const zero = yield* inProcess(["--concurrency", "0"])
      expect(zero).toEqual({ exitCode: 2, stdout: "", stderr: "--concurrency must be at least 1 (got 0)." })
    })
  )

  it.effect("--live without a key, or with a blank one, with or without --json: one message, exit code 2", () =>
    Effect.gen(function* () {
      for (const [args, env] of [
        [["--live"], []],
        [["--live", "--json", "--no-progress"], []],
        [["--live"], [["ANTHROPIC_API_KEY", "  "]]],
        [["--live", "--json"], [["ANTHROPIC_API_KEY", ""]]]
      ] as const) {
        expect(yield* inProcess(args, env)).toEqual({ exitCode: 2, stdout: "", stderr: missingKey })
      }
    })
  )

  it.effect("--help shows every option's default and what each profile does", () =>
    Effect.gen(function* () {
      const help = yield* inProcess(["--help"])
      expect(help.exitCode).toBe(0)
      for (const expected of [
        "Calls in the workload. Default: 120",
        "Calls in flight at once. Default: 12 ",
        "same request order. Default: 1.",
        "Default: drill.",
        `Default: ${Cli.defaultModel}.`,
        "drill: 429 with retry-after",
        "transient: the drill's transient faults, no outage.",
        "outage: no random faults; a 5 s outage",
        "calm: no faults at all.",
        "pnpm -s demo --json",
        "--no-progress",
        "Default: the line is shown.",
        "ANTHROPIC_API_KEY"
      ]) {
        expect(help.stdout).toContain(expected)
      }
    })
  )
})

describe("the demo's command line, as a process (node --import tsx bin.ts)", () => {
  it.live(
    "a bad --profile and --live without a key exit 2 with one clean message and an empty stdout",
    () =>
      Effect.gen(function* () {
        const [bogus, live] = yield* Effect.all([cli(["--profile", "bogus"]), cli(["--live", "--json"])], {
          concurrency: 2
        })
        expect(bogus.exitCode).toBe(2)
        expect(bogus.stdout).toBe("")
        expect(bogus.stderr.trim()).toBe("Expected one of the following cases: drill, transient, outage, calm")
        expect(live.exitCode).toBe(2)
        expect(live.stdout).toBe("")
        expect(live.stderr.trim()).toBe(missingKey)
        expectClean(bogus.stderr)
        expectClean(live.stderr)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "--json puts one JSON document on stdout and nothing else; without it the table ends with the explanation; no log line anywhere",
    () =>
      Effect.gen(function* () {
        const [json, table] = yield* Effect.all(
          [
            cli(["--json", "--profile", "calm", "--requests", "6", "--concurrency", "3"]),
            cli(["--profile", "calm", "--requests", "4", "--no-progress"])
          ],
          { concurrency: 2 }
        )
        expect(json.exitCode).toBe(0)
        const reports = JSON.parse(json.stdout) as ReadonlyArray<Workload.Report>
        expect(reports.map((r) => [r.contender, r.succeeded, r.failed])).toEqual([
          ["sdk", 6, 0],
          ["toolkit", 6, 0]
        ])
        expect(json.stderr).toContain('Profile "calm"')
        expectClean(json.stderr)

        expect(table.exitCode).toBe(0)
        const lines = table.stdout.trim().split("\n")
        expect(lines.filter((l) => l.startsWith("|")).length).toBeGreaterThan(5)
        expect(lines.slice(-4)).toEqual([
          "claude-resilience: all 4 calls succeeded.",
          "The plain SDK: all 4 calls succeeded.",
          "Neither lost a call, and nothing had to be retried: no fault struck this run.",
          expect.stringMatching(/^(Both took about as long|claude-resilience (took|finished))/)
        ])
        for (const run of [json, table]) expect(run.stdout + run.stderr).not.toContain("claude.call")
      }),
    { timeout: 60_000 }
  )
})
