/**
 * The failure of a stream whose schedule gave up, as a `Schema.TaggedError` (the errors package's
 * base), with the schema of one attempt's accounting so the whole error encodes.
 *
 * @internal
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Schema from "effect/Schema"
import type * as ResumableStream from "../ResumableStream.js"

const AttemptFields = Schema.Struct({
  attempt: Schema.Number,
  kind: Schema.Literal("initial", "retry", "prefill", "continuation", "restart"),
  model: Schema.String,
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  characters: Schema.Number,
  dropped: Schema.Number,
  completed: Schema.Boolean,
  error: Schema.optional(ClaudeError.ClaudeError)
})

/** Typed by the public interface: the struct must have exactly its fields. */
export const Attempt: Schema.Schema<ResumableStream.Attempt, typeof AttemptFields.Encoded> = AttemptFields

/** @internal */
export class ResumeExhaustedError extends Schema.TaggedError<ResumeExhaustedError>()("ResumeExhaustedError", {
  message: Schema.String,
  partialText: Schema.String,
  attempts: Schema.Array(Attempt),
  cause: ClaudeError.ClaudeError
}) {}
