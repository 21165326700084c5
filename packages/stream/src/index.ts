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

/**
 * Which models accept an assistant prefill: `@claude-resilience/api`'s `Model` table, your
 * overrides, and what was learned at run time from a refused prefill, kept for the life of the layer.
 *
 * @since 0.1.0
 */
export * as PrefillSupport from "./PrefillSupport.js"
