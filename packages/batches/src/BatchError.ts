/**
 * The errors a batch submission raises before anything is sent — a `custom_id` the API would refuse,
 * the same `custom_id` twice, a request no batch can hold — and the error of a wait that ran out.
 * Failures of the requests themselves are `ClaudeError`s.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Two or more requests share a `custom_id` ("must be unique for each request within the Message
 * Batch", SDK 1.16). Every duplicated id is listed once.
 *
 * @example
 * ```ts
 * import { BatchError } from "@claude-resilience/batches"
 *
 * const e = new BatchError.DuplicateCustomIdError({ message: "duplicate custom_id: a", customIds: ["a"] })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class DuplicateCustomIdError extends Schema.TaggedError<DuplicateCustomIdError>()("DuplicateCustomIdError", {
  message: Schema.String,
  customIds: Schema.Array(Schema.String)
}) {}

/**
 * A `custom_id` outside the API's rule (`BatchLimits.customIdPattern`: 1 to 64 letters, digits, `_`
 * or `-`).
 *
 * @example
 * ```ts
 * import { BatchError } from "@claude-resilience/batches"
 *
 * const e = new BatchError.InvalidCustomIdError({ message: "bad custom_id", customId: "a b", index: 3 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class InvalidCustomIdError extends Schema.TaggedError<InvalidCustomIdError>()("InvalidCustomIdError", {
  message: Schema.String,
  customId: Schema.String,
  index: Schema.Number
}) {}

/**
 * A single request larger than a whole batch may be (`maxBytesPerBatch`): no split can send it.
 *
 * @example
 * ```ts
 * import { BatchError } from "@claude-resilience/batches"
 *
 * const e = new BatchError.RequestTooLargeError({ message: "too large", customId: "a", bytes: 300e6, maxBytes: 256e6 })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class RequestTooLargeError extends Schema.TaggedError<RequestTooLargeError>()("RequestTooLargeError", {
  message: Schema.String,
  customId: Schema.String,
  bytes: Schema.Number,
  maxBytes: Schema.Number
}) {}

/**
 * What a submission can be refused with before anything is sent.
 *
 * @example
 * ```ts
 * import type { BatchError } from "@claude-resilience/batches"
 *
 * const describe = (e: BatchError.RequestError) => `${e._tag}: ${e.message}`
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export type RequestError = DuplicateCustomIdError | InvalidCustomIdError | RequestTooLargeError

/**
 * A batch that had not ended when the poll schedule ran out (`maxWait`).
 *
 * @example
 * ```ts
 * import { BatchError } from "@claude-resilience/batches"
 *
 * const e = new BatchError.WaitTimeoutError({ message: "still processing", batchId: "msgbatch_01" })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class WaitTimeoutError extends Schema.TaggedError<WaitTimeoutError>()("WaitTimeoutError", {
  message: Schema.String,
  batchId: Schema.String
}) {}
