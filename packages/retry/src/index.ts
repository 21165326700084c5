/**
 * @since 0.1.0
 */

/**
 * Retries for Claude API calls as Effect `Schedule`s that read Retry-After.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
