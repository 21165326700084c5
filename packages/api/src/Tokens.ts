/**
 * A cheap local estimate of a request's input tokens, for decisions made before sending (the rate
 * limiter's admission) where a `count_tokens` round trip would cost more than it saves. FakeClaude
 * counts with the same formula, so in tests the estimate is what the server charges.
 *
 * The rule: about four characters per token (`ceil(length / 4)`) for text, 3 tokens per request
 * and 4 per message of overhead, 1,500 per image or document block, and any other block (tool
 * uses, tool results, thinking) and the tool definitions by the length of their JSON. Real
 * tokenizers differ by a few tens of percent either way; rate-limit headers correct the buckets.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/tokens.js"

/**
 * What the estimate reads: the shape of a Messages request (structurally compatible with the
 * SDK's params), every other field ignored.
 *
 * @example
 * ```ts
 * import type { Tokens } from "@claude-resilience/api"
 *
 * const request: Tokens.Request = { system: "Be brief.", messages: [{ role: "user", content: "Hello" }] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Request {
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: unknown }>
  readonly system?: unknown
  readonly tools?: ReadonlyArray<unknown> | null | undefined
}

/**
 * The estimated input tokens of a request (see the module's rule). Total: never throws, whatever
 * the blocks hold.
 *
 * @example
 * ```ts
 * import { Tokens } from "@claude-resilience/api"
 *
 * Tokens.estimate({ messages: [{ role: "user", content: "12345678" }] }) // 3 + 4 + 2 = 9
 * ```
 *
 * @since 0.1.0
 * @category Estimates
 */
export const estimate: (request: Request) => number = internal.estimate

/**
 * The estimated tokens of a text: `ceil(length / 4)`.
 *
 * @example
 * ```ts
 * import { Tokens } from "@claude-resilience/api"
 *
 * Tokens.estimateText("abcdefgh") // 2
 * ```
 *
 * @since 0.1.0
 * @category Estimates
 */
export const estimateText: (text: string) => number = internal.estimateText

/**
 * The estimated tokens of a text of `chars` characters (a stream's deltas counted as they pass,
 * without keeping their text): `ceil(chars / 4)`, 0 for anything not a positive number.
 *
 * @example
 * ```ts
 * import { Tokens } from "@claude-resilience/api"
 *
 * Tokens.estimateLength(9) // 3
 * ```
 *
 * @since 0.1.0
 * @category Estimates
 */
export const estimateLength: (chars: number) => number = internal.estimateLength
