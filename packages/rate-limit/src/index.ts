/**
 * @since 0.1.0
 */

/**
 * The key rate limits are counted under: a fingerprint of the API key and the model's
 * rate-limit class.
 *
 * @since 0.1.0
 */
export * as LimitKey from "./LimitKey.js"

/**
 * The limiter: admits every attempt against the organisation's request, input-token and
 * output-token buckets, learned from the API's headers and reconciled with real usage.
 *
 * @since 0.1.0
 */
export * as Quota from "./Quota.js"

/**
 * Where the limiter keeps its buckets: the store interface, its data, the tag and the in-memory
 * store. The Redis store is `@claude-resilience/rate-limit/QuotaStore/Redis`.
 *
 * @since 0.1.0
 */
export * as QuotaStore from "./QuotaStore.js"
