/**
 * Preflight: one pure, cheap check of a request before it is sent, for the mistakes the API would
 * answer with a 400 or a 413 — a malformed API key, `max_tokens` above the model's output cap, an
 * unknown or retired model id, an image the API refuses, misplaced or too many `cache_control`
 * breakpoints, a request over 32 MB, a bad tool definition. The `Claude` layer runs it once per
 * call, before the retry loop; each check can be switched off on the layer or per call.
 *
 * See docs/preflight.md for every check, its default and its source.
 *
 * @since 0.1.0
 */
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/preflight/preflight.js"

/**
 * Which checks run, and how. Every field has a default ({@link defaults}); `false` turns a check
 * off. On the layer (`Claude.Options.preflight`) they apply to every call; a call's own
 * (`Claude.CallOptions.preflight`) override them field by field; `preflight: false` turns them
 * all off.
 *
 * | option | default | what |
 * |---|---|---|
 * | `apiKey` | `true` | (layer only) trim the key, refuse a malformed one when the layer is built |
 * | `maxTokens` | `"clamp"` | above the model's output cap: `"clamp"` (logged once per model) or `"fail"`; not a whole number ≥ 1: fail |
 * | `unknownModel` | `"warn"` | an id the `Model` table does not know: `"warn"` (once per id), `"fail"`, or `false` |
 * | `retiredModel` | `"fail"` | a retired id (the API answers 404): `"fail"`, `"warn"`, or `false` |
 * | `images` | `true` | media type, 5 MB of base64, 8000 px a side (2000 above 20 images), 100/600 images |
 * | `cacheControl` | `true` | at most 4 breakpoints, `{ type: "ephemeral" }`, never on a thinking block |
 * | `tools` | `true` | names (`^[a-zA-Z0-9_-]{1,64}$`, each once), object `input_schema` |
 * | `requestSize` | `true` (32 MiB) | the JSON body's size; a number sets another limit in bytes |
 *
 * @example
 * ```ts
 * import type { Preflight } from "@claude-resilience/client"
 *
 * const strict: Preflight.Options = { maxTokens: "fail", unknownModel: "fail" }
 * const gateway: Preflight.Options = { apiKey: false, unknownModel: false, requestSize: 10 * 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly apiKey?: boolean | undefined
  readonly maxTokens?: "clamp" | "fail" | false | undefined
  readonly unknownModel?: "warn" | "fail" | false | undefined
  readonly retiredModel?: "fail" | "warn" | false | undefined
  readonly images?: boolean | undefined
  readonly cacheControl?: boolean | undefined
  readonly tools?: boolean | undefined
  readonly requestSize?: number | boolean | undefined
}

/**
 * The options with every default filled in.
 *
 * @example
 * ```ts
 * import type { Preflight } from "@claude-resilience/client"
 *
 * const limit = (d: Preflight.Defaults) => d.requestSize
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Defaults {
  readonly apiKey: boolean
  readonly maxTokens: "clamp" | "fail" | false
  readonly unknownModel: "warn" | "fail" | false
  readonly retiredModel: "fail" | "warn" | false
  readonly images: boolean
  readonly cacheControl: boolean
  readonly tools: boolean
  readonly requestSize: number | false
}

/**
 * The fields of a request the preflight reads; a `Claude.MessageCreateParams`, a
 * `Claude.MessageStreamParams` and a `Claude.CountTokensParams` are all one.
 *
 * @example
 * ```ts
 * import type { Preflight } from "@claude-resilience/client"
 *
 * const request: Preflight.Request = { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Request {
  readonly model: string
  readonly max_tokens?: number | undefined
  readonly messages: ReadonlyArray<unknown>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<unknown> | undefined
  readonly cache_control?: unknown
}

/**
 * A refused request: a `PreflightError` (its `check` and `field` say which check and which value),
 * or a `RequestTooLargeError` with `preflight: true` for the size check.
 *
 * @example
 * ```ts
 * import type { Preflight } from "@claude-resilience/client"
 *
 * const where = (e: Preflight.Failure) => (e._tag === "PreflightError" ? e.field : "the whole request")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Failure = ClaudeError.PreflightError | ClaudeError.RequestTooLargeError

/**
 * What the preflight let through but says: `max_tokens` clamped to the model's cap, or an unknown
 * or retired model id sent anyway (their modes set to `"warn"`).
 *
 * @example
 * ```ts
 * import type { Preflight } from "@claude-resilience/client"
 *
 * const clamped = (n: Preflight.Notice) => (n._tag === "Clamped" ? n.to : undefined)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Notice =
  | { readonly _tag: "Clamped"; readonly model: string; readonly from: number; readonly to: number }
  | { readonly _tag: "UnknownModel"; readonly model: string }
  | { readonly _tag: "RetiredModel"; readonly model: string }

/**
 * Every option's default.
 *
 * @example
 * ```ts
 * import { Preflight } from "@claude-resilience/client"
 *
 * Preflight.defaults.maxTokens // "clamp"
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const defaults: Defaults = internal.defaults

/**
 * Checks a request, synchronously and without I/O: `Right` with the request itself when it passes
 * unchanged (the same object), a shallow copy when `max_tokens` was clamped; `Left` with the first
 * failure. `onNotice` hears what passed with a remark (a clamp, an unknown id).
 *
 * @example
 * ```ts
 * import { Preflight } from "@claude-resilience/client"
 * import { Either } from "effect"
 *
 * const result = Preflight.validate(
 *   { model: "claude-haiku-4-5", max_tokens: 1_000_000, messages: [{ role: "user", content: "Hi" }] },
 *   { maxTokens: "fail" }
 * )
 * Either.isLeft(result) // true: the cap of claude-haiku-4-5 is 64000
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const validate: <P extends Request>(
  params: P,
  options?: Options | false,
  onNotice?: (notice: Notice) => void
) => Either.Either<P, Failure> = internal.validate

/**
 * {@link validate} as an `Effect`, its notices logged (a clamp at Info, a model id at Warning): for
 * code that checks requests itself, before a queue or a batch.
 *
 * @example
 * ```ts
 * import { Preflight } from "@claude-resilience/client"
 *
 * const checked = Preflight.check({ model: "claude-sonnet-4-6", max_tokens: 512, messages: [{ role: "user", content: "Hi" }] })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const check: <P extends Request>(params: P, options?: Options | false) => Effect.Effect<P, Failure> =
  internal.check

/**
 * The API key check the layer runs when it is built: the key trimmed (logged once at Warning,
 * never echoing it), or a `PreflightError` (`check: "api_key"`, `field: "apiKey"`) for a key that
 * is empty, quoted, prefixed with `Bearer `, holds a character outside printable ASCII, or is
 * shorter than 8 or longer than 1024 characters. Neither the error nor the log contains the key.
 *
 * @example
 * ```ts
 * import { Preflight } from "@claude-resilience/client"
 * import { Redacted } from "effect"
 *
 * const key = Preflight.apiKey(Redacted.make("sk-ant-api03-example\n"))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const apiKey: (
  key: Redacted.Redacted<string>,
  options?: Options | false
) => Effect.Effect<Redacted.Redacted<string>, ClaudeError.PreflightError> = internal.apiKey
