/**
 * @since 0.1.0
 */

/**
 * A keyed circuit breaker as an Effect service: Closed → Open → HalfOpen → Closed, with
 * state kept behind a small store interface.
 *
 * @since 0.1.0
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

/**
 * Where circuits live: the store interface, the JSON-encodable entry, the tag and the in-memory
 * store (`CircuitBreaker.layer` includes it).
 *
 * @since 0.1.0
 */
export * as CircuitBreakerStore from "./CircuitBreakerStore.js"
