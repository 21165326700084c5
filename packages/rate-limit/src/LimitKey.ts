/**
 * The key rate limits are counted under: the organisation (known by its API key) and the
 * model's rate-limit class, as the API counts them. The API key enters only as a fingerprint — a
 * truncated SHA-256 — so the key itself never reaches a store, a log or a metric.
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/limitKey.js"

/**
 * A limit key. `id` (`<fingerprint>:<rate-limit class>`) names its buckets in a store and its
 * metrics; `rateLimitClass` selects the configured limits.
 *
 * @example
 * ```ts
 * import type { LimitKey } from "@claude-resilience/rate-limit"
 *
 * const label = (key: LimitKey.LimitKey) => `${key.rateLimitClass} (${key.fingerprint})`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface LimitKey {
  readonly id: string
  readonly fingerprint: string
  readonly rateLimitClass: string
}

/**
 * The key of calls made with `apiKey` to `model`. Models of one rate-limit class (from
 * `@claude-resilience/api`'s model table; an unknown model is a class of its own) share a key.
 * Cheap after the first call per API key value: the fingerprint is remembered per `Redacted`.
 *
 * @example
 * ```ts
 * import { LimitKey } from "@claude-resilience/rate-limit"
 * import { Redacted } from "effect"
 *
 * const key = LimitKey.make(Redacted.make("sk-ant-api03-example"), "claude-haiku-4-5")
 * key.id // "<16 hex digits>:haiku-4-5"
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: (apiKey: Redacted.Redacted<string>, model: string) => LimitKey = internal.make

/**
 * The fingerprint of an API key: the first 16 hex digits of a domain-separated SHA-256.
 *
 * @example
 * ```ts
 * import { LimitKey } from "@claude-resilience/rate-limit"
 * import { Redacted } from "effect"
 *
 * LimitKey.fingerprint(Redacted.make("sk-ant-api03-example")).length // 16
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fingerprint: (apiKey: Redacted.Redacted<string>) => string = internal.fingerprint

/**
 * The rate-limit class of a model id (its own id when the model table does not know it).
 *
 * @example
 * ```ts
 * import { LimitKey } from "@claude-resilience/rate-limit"
 *
 * LimitKey.rateLimitClass("claude-haiku-4-5")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const rateLimitClass: (model: string) => string = internal.rateLimitClass
