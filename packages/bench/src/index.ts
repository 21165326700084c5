/**
 * @since 0.1.0
 */

/**
 * The runner: scenarios × contenders, overhead, breaker cost.
 *
 * @since 0.1.0
 */
export * as Bench from "./Bench.js"

/**
 * The four contenders.
 *
 * @since 0.1.0
 */
export * as Contender from "./Contender.js"

/**
 * Markdown rendering and target checks.
 *
 * @since 0.1.0
 */
export * as Report from "./Report.js"

/**
 * The scenarios.
 *
 * @since 0.1.0
 */
export * as Scenario from "./Scenario.js"

/**
 * Where the FakeClaude servers run.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * The `batch` scenario: its runner and report.
 *
 * @since 0.1.0
 */
export * as BatchBench from "./BatchBench.js"

/**
 * The two contenders of the `batch` scenario.
 *
 * @since 0.1.0
 */
export * as BatchContender from "./BatchContender.js"

/**
 * The `batch` scenario's server, faults and requests.
 *
 * @since 0.1.0
 */
export * as BatchScenario from "./BatchScenario.js"

/**
 * The `fleet` scenario: client processes sharing one organisation's rate limits.
 *
 * @since 0.1.0
 */
export * as Fleet from "./Fleet.js"

/**
 * The `outage-fallback` scenario: a model down, the same workload with and without a fallback plan.
 *
 * @since 0.1.0
 */
export * as FallbackBench from "./FallbackBench.js"

/**
 * The `paths` section: client CPU per call on each hot path against the plain SDK, interleaved; the
 * ablation of `create`; memory per call in flight; the breaker per call.
 *
 * @since 0.1.0
 */
export * as Paths from "./Paths.js"

/**
 * The `paths` section as markdown, with its targets checked.
 *
 * @since 0.1.0
 */
export * as PathsReport from "./PathsReport.js"

/**
 * Interleaved rounds: the order of the variants, median and range, per-round ratios.
 *
 * @since 0.1.0
 */
export * as Rounds from "./Rounds.js"
