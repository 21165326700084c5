/**
 * @since 0.1.0
 */

/**
 * Message streams that resume after a mid-stream failure: prefill, continuation or restart,
 * one seamless stream of the SDK's events, a collector with per-attempt accounting.
 *
 * @since 0.1.0
 */
export * as ResumableStream from "./ResumableStream.js"
