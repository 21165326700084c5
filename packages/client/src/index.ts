/**
 * @since 0.1.0
 */

/**
 * The `Claude` service over `@anthropic-ai/sdk` and its resilient layers.
 *
 * @since 0.1.0
 */
export * as Claude from "./Claude.js"

/**
 * An in-memory, scripted `Claude` for fast unit tests: no HTTP, retries and breaker still apply.
 *
 * @since 0.1.0
 */
export * as ScriptedClaude from "./ScriptedClaude.js"
