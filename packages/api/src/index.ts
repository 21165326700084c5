/**
 * @since 0.1.0
 */

/**
 * Message-content helpers: message and block shapes, read defensively.
 *
 * @since 0.1.0
 */
export * as Content from "./Content.js"

/**
 * The models the toolkit knows, with their sources, and the one lookup rule.
 *
 * @since 0.1.0
 */
export * as Model from "./Model.js"

/**
 * A cheap local estimate of a request's input tokens (the formula FakeClaude charges).
 *
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"
