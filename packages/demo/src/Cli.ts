/**
 * The drill's command line (`pnpm demo`): options with their defaults and the profiles in
 * `--help`, clean one-line errors, and exit codes — 0 when the drill ran, 2 for an invalid option
 * or a usage error (e.g. `--live` without `ANTHROPIC_API_KEY`), 1 for an unexpected failure.
 * Output: the table and its explanation (or `--json`) on stdout; progress and messages on stderr.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import type * as Command from "@effect/cli/Command"
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as Effect from "effect/Effect"
import type * as Drill from "./Drill.js"
import * as internal from "./internal/cli.js"
import type * as UsageError from "./UsageError.js"

/**
 * The model the drill sends when `--model` is not given (a current id of the model table).
 *
 * @since 0.1.0
 * @category Constants
 * @example
 * ```ts
 * import { Cli } from "@claude-resilience/demo"
 *
 * console.log(Cli.defaultModel) // "claude-sonnet-5-5"
 * ```
 */
export const defaultModel: string = internal.DEFAULT_MODEL

/**
 * The parsed flags of `pnpm demo`.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { Cli } from "@claude-resilience/demo"
 *
 * const flags: Cli.Flags = {
 *   requests: 120,
 *   concurrency: 12,
 *   seed: 1,
 *   profile: "drill",
 *   json: false,
 *   noProgress: false,
 *   live: false,
 *   model: "claude-sonnet-5-5"
 * }
 * ```
 */
export interface Flags {
  readonly requests: number
  readonly concurrency: number
  readonly seed: number
  readonly profile: Drill.ProfileName
  readonly json: boolean
  readonly noProgress: boolean
  readonly live: boolean
  readonly model: string
}

/**
 * The `demo` command (an `@effect/cli` command), for embedding in another CLI.
 *
 * @since 0.1.0
 * @category Commands
 * @example
 * ```ts
 * import { Cli } from "@claude-resilience/demo"
 *
 * // e.g. Command.make("tools").pipe(Command.withSubcommands([demo])) with @effect/cli
 * const demo = Cli.command
 * ```
 */
export const command: Command.Command<"demo", never, UsageError.UsageError, Flags> = internal.command

/**
 * Runs the command on `argv` (as `process.argv`: the first two entries are skipped). Invalid
 * options fail with the CLI's `ValidationError` after it printed its message on stderr.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Cli } from "@claude-resilience/demo"
 *
 * // needs the CLI's environment, e.g. NodeContext.layer from @effect/platform-node
 * const help = Cli.run(["node", "demo", "--help"])
 * ```
 */
export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<void, UsageError.UsageError | ValidationError.ValidationError, CliApp.CliApp.Environment> =
  internal.run

/**
 * The whole program: {@link run} with logs kept off stdout (off by default; `--log-level`
 * sends them to stderr), every failure turned into one clean message on stderr, and the exit code
 * as the result.
 *
 * @since 0.1.0
 * @category Running
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cli } from "@claude-resilience/demo"
 *
 * // provide NodeContext.layer (@effect/platform-node) and run it with NodeRuntime.runMain
 * const program = Cli.main(process.argv).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => (process.exitCode = code)))
 * )
 * ```
 */
export const main: (argv: ReadonlyArray<string>) => Effect.Effect<number, never, CliApp.CliApp.Environment> =
  internal.main
