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
 * Stitching a continued answer onto what was already said, dropping the words it repeats.
 *
 * @since 0.1.0
 */
export * as Stitch from "./Stitch.js"
