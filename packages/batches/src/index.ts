/**
 * @since 0.1.0
 */

/**
 * Message Batches with the client's resilience: validate, split, submit, poll, stream results,
 * re-run failed items.
 *
 * @since 0.1.0
 */
export * as Batches from "./Batches.js"

/**
 * The final outcome of one batch request, and the decoding of a results line.
 *
 * @since 0.1.0
 */
export * as BatchOutcome from "./BatchOutcome.js"

/**
 * The errors a submission raises before anything is sent, and the error of a wait that ran out.
 *
 * @since 0.1.0
 */
export * as BatchError from "./BatchError.js"
