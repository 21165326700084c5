/**
 * What the Message Batches API allows, in one place for the toolkit and FakeClaude: requests and bytes
 * per batch, the `custom_id` rule, how long a batch may run and keeps its results, and the price
 * factor of batched usage. Each figure names its source.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/batchLimits.js"

/**
 * Requests per batch: 100,000 (batch-processing guide, "Batch limitations": "A Message Batch is
 * limited to either 100,000 Message requests or 256 MB in size, whichever is reached first"). The
 * source article's "10K" is an older figure; SDK 1.16's types state no limit.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * const batches = Math.ceil(250_000 / BatchLimits.maxRequests) // 3
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const maxRequests: number = internal.MAX_REQUESTS

/**
 * Bytes per batch (the request body): 256 MB, taken as 256 × 1024 × 1024 (batch-processing guide;
 * the article says "250 MB"; SDK 1.16 states no limit). Whether the API counts MB as 10⁶ or 2²⁰
 * bytes is not documented: the toolkit splits well below either.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * const fits = (bytes: number) => bytes <= BatchLimits.maxBytes
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const maxBytes: number = internal.MAX_BYTES

/**
 * The `custom_id` rule: 1 to 64 characters among letters, digits, `_` and `-`. SDK 1.16 documents
 * only that a `custom_id` "must be unique for each request within the Message Batch"; the pattern is
 * the API reference's (`^[a-zA-Z0-9_-]{1,64}$`), not verified offline.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * BatchLimits.customIdPattern.test("row-42") // true
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const customIdPattern: RegExp = internal.CUSTOM_ID_PATTERN

/**
 * Whether a `custom_id` follows {@link customIdPattern}.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * BatchLimits.isValidCustomId("row 42") // false: a space
 * ```
 *
 * @since 0.1.0
 * @category Predicates
 */
export const isValidCustomId = (customId: string): boolean => internal.CUSTOM_ID_PATTERN.test(customId)

/**
 * How long a batch may process before its unfinished requests expire: 24 hours (SDK 1.16,
 * `MessageBatch.expires_at`: "24 hours after creation"), in milliseconds.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * const hours = BatchLimits.processingWindowMs / 3_600_000 // 24
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const processingWindowMs: number = internal.PROCESSING_WINDOW_MS

/**
 * How long results stay downloadable after creation: 29 days (batch-processing guide), in
 * milliseconds.
 *
 * @example
 * ```ts
 * import { BatchLimits } from "@claude-resilience/api"
 *
 * const days = BatchLimits.resultsAvailableMs / 86_400_000 // 29
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const resultsAvailableMs: number = internal.RESULTS_AVAILABLE_MS

/**
 * What batched usage costs relative to the list price: 0.5 ("all usage is charged at 50 % of the
 * standard API prices", batch-processing guide, "Pricing"; the `Model` table's prices are standard).
 *
 * @example
 * ```ts
 * import { BatchLimits, Model } from "@claude-resilience/api"
 *
 * const usd = (Model.cost("claude-haiku-4-5", { inputTokens: 1_000_000, outputTokens: 0 }) ?? 0) * BatchLimits.priceFactor
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const priceFactor: number = internal.PRICE_FACTOR
