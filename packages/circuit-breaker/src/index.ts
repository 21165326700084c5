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
 * The in-memory circuit store (`CircuitBreaker/Memory`), included in `CircuitBreaker.layer`.
 *
 * @since 0.1.0
 */
export * as CircuitBreakerMemory from "./CircuitBreaker/Memory.js"
