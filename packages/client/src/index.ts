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

/**
 * What `create` and `stream` do with each stop reason: `pause_turn` continued, `max_tokens`
 * optionally continued, `refusal` and `model_context_window_exceeded` as typed failures.
 *
 * @since 0.1.0
 */
export * as StopReasons from "./StopReasons.js"
