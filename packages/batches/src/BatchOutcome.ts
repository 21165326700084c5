/**
 * The final outcome of one batch request, by `custom_id`: `Succeeded` with its Message, `Errored` with
 * a `ClaudeError` (decoded from the result's error body with the errors package, or the error that
 * kept the request from a result), `Canceled` or `Expired`. Decoded from a line of the results file.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { ClaudeError } from "@claude-resilience/errors"
import * as internal from "./internal/outcome.js"

/**
 * The request succeeded: its Message.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@claude-resilience/batches"
 *
 * const tokens = (o: BatchOutcome.Succeeded) => o.message.usage.output_tokens
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Succeeded {
  readonly _tag: "Succeeded"
  readonly customId: string
  readonly batchId: string
  readonly message: Anthropic.Messages.Message
}

/**
 * The request failed: the API's error for it, or the error that kept it from getting a result (its
 * batch could not be created, polled or read). `batchId` is absent when no batch was created.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@claude-resilience/batches"
 *
 * const tag = (o: BatchOutcome.Errored) => o.error._tag
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Errored {
  readonly _tag: "Errored"
  readonly customId: string
  readonly batchId: string | undefined
  readonly error: ClaudeError.ClaudeError
}

/**
 * The batch was canceled before the request was processed.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@claude-resilience/batches"
 *
 * const id = (o: BatchOutcome.Canceled) => o.customId
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Canceled {
  readonly _tag: "Canceled"
  readonly customId: string
  readonly batchId: string
}

/**
 * The batch reached its 24-hour limit before the request was processed.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@claude-resilience/batches"
 *
 * const id = (o: BatchOutcome.Expired) => o.customId
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Expired {
  readonly _tag: "Expired"
  readonly customId: string
  readonly batchId: string
}

/**
 * One request's outcome.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@claude-resilience/batches"
 *
 * const text = (o: BatchOutcome.BatchOutcome) => (o._tag === "Succeeded" ? o.message.content : [])
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BatchOutcome = Succeeded | Errored | Canceled | Expired

/**
 * Decodes a line of the results file (the SDK's `MessageBatchIndividualResponse`); an errored
 * result's error body becomes the matching `ClaudeError` member, its status taken from its type.
 * `now` (epoch ms) resolves nothing today but keeps the decoder pure.
 *
 * @example
 * ```ts
 * import { BatchOutcome } from "@claude-resilience/batches"
 *
 * const outcome = BatchOutcome.fromResponse(
 *   { custom_id: "a", result: { type: "errored", error: { type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: null } } },
 *   "msgbatch_01",
 *   Date.now()
 * )
 * outcome._tag // "Errored", with an OverloadedError
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromResponse: (
  line: Anthropic.Messages.MessageBatchIndividualResponse,
  batchId: string,
  now: number
) => BatchOutcome = internal.fromResponse

/**
 * An `Errored` outcome for a request that got no result, with the error that kept it from one.
 *
 * @example
 * ```ts
 * import { BatchOutcome } from "@claude-resilience/batches"
 * import { ClaudeError } from "@claude-resilience/errors"
 *
 * const lost = BatchOutcome.errored("a", undefined, new ClaudeError.ConnectionError({ message: "reset" }))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const errored: (customId: string, batchId: string | undefined, error: ClaudeError.ClaudeError) => Errored =
  internal.errored

/**
 * The default rule for re-running a request in a follow-up batch: it `Expired`, or it `Errored` with a
 * retryable error (`ClaudeError.isRetryable`: overloaded, 5xx, rate limited, a lost connection).
 * `Canceled` and `Succeeded` are final, and so is an error the same request would get again.
 *
 * @example
 * ```ts
 * import { BatchOutcome } from "@claude-resilience/batches"
 *
 * BatchOutcome.isResubmittable({ _tag: "Expired", customId: "a", batchId: "msgbatch_01" }) // true
 * ```
 *
 * @since 0.1.0
 * @category Predicates
 */
export const isResubmittable: (outcome: BatchOutcome) => boolean = internal.isResubmittable
