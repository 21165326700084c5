/**
 * @since 0.1.0
 */

/**
 * `@effect/ai`'s `LanguageModel` on the resilient `Claude` service and resumable streams: layers,
 * per-call configuration, `count_tokens`.
 *
 * @since 0.1.0
 */
export * as ClaudeLanguageModel from "./ClaudeLanguageModel.js"

/**
 * Our failures as `@effect/ai`'s `AiError`, the original kept as the `cause`, and the way back.
 *
 * @since 0.1.0
 */
export * as ClaudeAiError from "./ClaudeAiError.js"
