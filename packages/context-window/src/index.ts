/**
 * @since 0.1.0
 */

/**
 * Recover from "prompt is too long" and an over-limit `max_tokens`: fit or clamp, and send once more.
 *
 * @since 0.1.0
 */
export * as AutoFit from "./AutoFit.js"

/**
 * What stands in for the dropped part of a conversation: nothing, a summary, or your own text.
 *
 * @since 0.1.0
 */
export * as Compactor from "./Compactor.js"

/**
 * Fit a conversation into the model's context window in O(log n) count calls, never breaking tool
 * pairs.
 *
 * @since 0.1.0
 */
export * as ContextWindow from "./ContextWindow.js"
