/**
 * @since 0.1.0
 */

/**
 * The command line: options, exit codes and clean error messages.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The chaos drill: profiles, the drill's policy and layer, and the runs.
 *
 * @since 0.1.0
 */
export * as Drill from "./Drill.js"

/**
 * The drill's closing words: what the table showed, computed from the reports.
 *
 * @since 0.1.0
 */
export * as Explanation from "./Explanation.js"

/**
 * Terminal output: the progress line and the side-by-side table.
 *
 * @since 0.1.0
 */
export * as Render from "./Render.js"

/**
 * The workload: callers for the plain SDK and for claude-resilience, tallies and reports.
 *
 * @since 0.1.0
 */
export * as Workload from "./Workload.js"

/**
 * The demo's usage error (exit code 2).
 *
 * @since 0.1.0
 */
export * as UsageError from "./UsageError.js"
