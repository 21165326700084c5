/**
 * Removing secrets from the texts that leave through errors, logs and spans.
 *
 * Two lines of defence: the secrets you pass (the client passes its API key) are removed in
 * every simple encoding a server or a proxy may echo them in — raw, percent-encoded (`sk%2Dant…`,
 * also twice), JSON-escaped (`\u002d`), as HTML character references, in base64 (at any offset
 * inside a longer base64 string, either alphabet) and in hex; and, whatever the secrets, anything
 * shaped like an Anthropic key (`sk-ant-…` in the same encodings) or a bearer token.
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/redaction.js"

/**
 * What a removed secret is replaced with.
 *
 * @example
 * ```ts
 * import { Redaction } from "@claude-resilience/errors"
 *
 * Redaction.marker // "[REDACTED]"
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const marker: string = internal.MARK

/**
 * The secrets to remove: `Redacted` values, so they are never in plain sight on the way.
 *
 * @example
 * ```ts
 * import type { Redaction } from "@claude-resilience/errors"
 * import { Redacted } from "effect"
 *
 * const secrets: Redaction.Secrets = [Redacted.make("sk-ant-api03-...")]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Secrets = ReadonlyArray<Redacted.Redacted<string>>

/**
 * Removes `secrets` (in every encoding above) and anything shaped like an Anthropic key or a
 * bearer token from `text`. The patterns of a secret are built once per `Redacted` value, so
 * passing the same value on every call is cheap.
 *
 * @example
 * ```ts
 * import { Redaction } from "@claude-resilience/errors"
 * import { Redacted } from "effect"
 *
 * const key = Redacted.make("my-gateway-token-123")
 * Redaction.redact(`token=${encodeURIComponent("my-gateway-token-123")}`, [key]) // "token=[REDACTED]"
 * Redaction.redact("x-api-key: sk%2Dant-api03-abc") // "x-api-key: sk-ant-[REDACTED]"
 * ```
 *
 * @since 0.1.0
 * @category Redaction
 */
export const redact: (text: string, secrets?: Secrets) => string = internal.redact
