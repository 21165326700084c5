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
 * One cheap check of a request before it is sent: the API key, `max_tokens`, the model id, images,
 * `cache_control`, the request's size and tool definitions, each a typed error with its advice.
 *
 * @since 0.1.0
 */
export * as Preflight from "./Preflight.js"

/**
 * An in-memory, scripted `Claude` for fast unit tests: no HTTP, retries and breaker still apply.
 *
 * @since 0.1.0
 */
export * as ScriptedClaude from "./ScriptedClaude.js"

/**
 * The Files API with the client's resilience: checked, deduplicated uploads; list, download, delete.
 *
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * The Models API with the client's resilience, and a start-up check of model ids.
 *
 * @since 0.1.0
 */
export * as ModelCatalog from "./ModelCatalog.js"

/**
 * The errors the Files and Models helpers raise before or instead of a request.
 *
 * @since 0.1.0
 */
export * as ResourceError from "./ResourceError.js"

/**
 * What `create` and `stream` do with each stop reason: `pause_turn` continued, `max_tokens`
 * optionally continued, `refusal` and `model_context_window_exceeded` as typed failures.
 *
 * @since 0.1.0
 */
export * as StopReasons from "./StopReasons.js"

/**
 * A bulkhead: at most `maxConcurrent` calls in flight per key (the model), a bounded queue, a typed
 * rejection when full.
 *
 * @since 0.1.0
 */
export * as Bulkhead from "./Bulkhead.js"

/**
 * Fallback plans on Effect's `ExecutionPlan`: another model (or client) when one is overloaded,
 * unavailable or refuses.
 *
 * @since 0.1.0
 */
export * as Fallback from "./Fallback.js"
