/**
 * The demo's one error: the command line was used in a way it cannot run (a missing API key,
 * a count below 1). The CLI prints its message alone and exits 2.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A usage or configuration error, with the sentence to show the user.
 *
 * @since 0.1.0
 * @category Errors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { UsageError } from "@claude-resilience/demo"
 *
 * const missing = Effect.fail(new UsageError.UsageError({ message: "--live needs ANTHROPIC_API_KEY" }))
 * ```
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

/**
 * The exit code of a usage or configuration error (and of an invalid option).
 *
 * @since 0.1.0
 * @category Errors
 * @example
 * ```ts
 * import { UsageError } from "@claude-resilience/demo"
 *
 * console.log(UsageError.exitCode) // 2
 * ```
 */
export const exitCode = 2
