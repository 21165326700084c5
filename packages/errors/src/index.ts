/**
 * @since 0.1.0
 */

/**
 * Every failure a Claude API call can produce, as one tagged union.
 *
 * @since 0.1.0
 */
export * as ClaudeError from "./ClaudeError.js"

/**
 * Removing secrets (the API key in any simple encoding, anything shaped like a key) from texts
 * that leave through errors, logs and spans.
 *
 * @since 0.1.0
 */
export * as Redaction from "./Redaction.js"

/**
 * Parsers for `retry-after`, `retry-after-ms`, `x-should-retry`, `request-id` and
 * `anthropic-ratelimit-*` headers.
 *
 * @since 0.1.0
 */
export * as ResponseHeaders from "./ResponseHeaders.js"
