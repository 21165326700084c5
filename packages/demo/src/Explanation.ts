/**
 * The drill's closing words: a few plain sentences, computed from the reports, on what the
 * table showed.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/explanation.js"
import type * as Workload from "./Workload.js"

/**
 * Explains a drill's reports in plain sentences: what each contender kept and lost (naming only
 * what happened, never "0 retries"), what the outage did, and why the wall times differ. With a
 * single report (a live run), one sentence on that run.
 *
 * @since 0.1.0
 * @category Rendering
 * @example
 * ```ts
 * import { Explanation, Workload } from "@claude-resilience/demo"
 *
 * const tally = { ...Workload.emptyTally, finished: 10, succeeded: 10 }
 * const options = { requests: 10, concurrency: 2, model: "claude-sonnet-4-6" }
 * const extra = { wallMs: 1200, attemptsSent: 10, breakerRejections: 0, resumedStreams: 0 }
 * console.log(Explanation.make([Workload.report("toolkit", options, tally, extra)]))
 * // claude-resilience: all 10 calls succeeded in 1.2 s.
 * ```
 */
export const make: (reports: ReadonlyArray<Workload.Report>) => string = internal.make
