/**
 * The errors the Files and Models helpers raise themselves, before (or instead of) a request: a file
 * too large or of a type the caller did not allow, a model the API does not serve. Failures of the
 * requests themselves stay `ClaudeError`s.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A file larger than the Files API accepts (`FileLimits.maxBytes`, or the caller's `maxBytes`),
 * refused before any byte is sent.
 *
 * @example
 * ```ts
 * import { Files, ResourceError } from "@claude-resilience/client"
 * import { Effect } from "effect"
 *
 * const upload = Files.upload({ filename: "big.pdf", content: new Uint8Array(10) }, { maxBytes: 5 }).pipe(
 *   Effect.catchTag("FileTooLargeError", (e: ResourceError.FileTooLargeError) => Effect.succeed(e.sizeBytes))
 * )
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class FileTooLargeError extends Schema.TaggedError<FileTooLargeError>()("FileTooLargeError", {
  message: Schema.String,
  filename: Schema.String,
  sizeBytes: Schema.Number,
  maxBytes: Schema.Number
}) {}

/**
 * A file whose MIME type is not among the allowed ones (by default the types a `document` or `image`
 * block accepts: `FileLimits.blockTypes`), refused before any byte is sent.
 *
 * @example
 * ```ts
 * import { ResourceError } from "@claude-resilience/client"
 *
 * const e = new ResourceError.UnsupportedFileTypeError({
 *   message: "text/csv is not allowed",
 *   filename: "rows.csv",
 *   mimeType: "text/csv",
 *   allowed: ["application/pdf"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class UnsupportedFileTypeError extends Schema.TaggedError<UnsupportedFileTypeError>()(
  "UnsupportedFileTypeError",
  {
    message: Schema.String,
    filename: Schema.String,
    mimeType: Schema.String,
    allowed: Schema.Array(Schema.String)
  }
) {}

/**
 * A model id the API answers with 404: retired, misspelt, or not enabled for the key. Carries the
 * nearest ids the toolkit knows.
 *
 * @example
 * ```ts
 * import { ResourceError } from "@claude-resilience/client"
 *
 * const hint = (e: ResourceError.ModelNotServedError) => `${e.model}: did you mean ${e.suggestions.join(", ")}?`
 * ```
 *
 * @since 0.1.0
 * @category Errors
 */
export class ModelNotServedError extends Schema.TaggedError<ModelNotServedError>()("ModelNotServedError", {
  message: Schema.String,
  model: Schema.String,
  suggestions: Schema.Array(Schema.String)
}) {}
