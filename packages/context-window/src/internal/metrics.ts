/**
 * The metrics of fitting, compaction and auto-fit, in one place so that each module records into
 * the same counters.
 *
 * @internal
 */
import * as Metric from "effect/Metric"

/** @internal */
export const metrics = {
  /** `fit` runs by `outcome` (unchanged / fitted / overflow) */
  fits: Metric.counter("context_window_fits_total", { description: "Context window fits by outcome" }),
  /** count_tokens calls made by fits */
  countCalls: Metric.counter("context_window_count_calls_total", { description: "count_tokens calls made by fits" }),
  /** messages dropped by fits */
  droppedMessages: Metric.counter("context_window_dropped_messages_total", {
    description: "Messages dropped to fit the context window"
  }),
  /** automatic recoveries by `kind` (fit / clamp) */
  recoveries: Metric.counter("context_window_recoveries_total", {
    description: "Requests recovered from a context-window or max_tokens 400"
  }),
  /** tokens (input + output) spent on summaries */
  summaryTokens: Metric.counter("context_window_summary_tokens_total", {
    description: "Tokens spent by the summarizing compactor"
  })
}
