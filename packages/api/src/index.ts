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
 * The format and dimensions of an image, read from its first bytes (base64 or raw).
 *
 * @since 0.1.0
 */
export * as Image from "./Image.js"

/**
 * The Messages API's fixed limits (request size, images, cache breakpoints, tool names), each with
 * its source.
 *
 * @since 0.1.0
 */
export * as Limits from "./Limits.js"

/**
 * The models the toolkit knows, with their sources, and the one lookup rule.
 *
 * @since 0.1.0
 */
export * as Model from "./Model.js"

/**
 * The Message Batches API's limits: requests and bytes per batch, the `custom_id` rule, the
 * processing window and the batch price factor.
 *
 * @since 0.1.0
 */
export * as BatchLimits from "./BatchLimits.js"

/**
 * The Files API's limits: bytes per file, expiry bounds, and the content block of each type.
 *
 * @since 0.1.0
 */
export * as FileLimits from "./FileLimits.js"

/**
 * Stitching a continued answer onto what was already said, dropping the words it repeats.
 *
 * @since 0.1.0
 */
export * as Stitch from "./Stitch.js"
