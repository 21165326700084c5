/**
 * @since 0.1.0
 */

/**
 * Fit a conversation into the model's context window in O(log n) count calls, never breaking tool
 * pairs, and recover from "prompt is too long".
 *
 * @since 0.1.0
 */
export * as ContextWindow from "./ContextWindow.js"
