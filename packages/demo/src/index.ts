/**
 * @since 0.1.0
 */

/**
 * The chaos drill: profiles, the drill's policy and layer, and the runs.
 *
 * @since 0.1.0
 */
export * as Drill from "./Drill.js"

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
