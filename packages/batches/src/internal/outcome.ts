/** Decoding a results line into a `BatchOutcome`, and the default rule for re-running one. */
import type Anthropic from "@anthropic-ai/sdk"
import { ClaudeError } from "@claude-resilience/errors"
import type * as BatchOutcome from "../BatchOutcome.js"

export const fromResponse = (
  line: Anthropic.Messages.MessageBatchIndividualResponse,
  batchId: string,
  now: number
): BatchOutcome.BatchOutcome => {
  const customId = line.custom_id
  const result = line.result
  switch (result.type) {
    case "succeeded":
      return { _tag: "Succeeded", customId, batchId, message: result.message }
    case "errored":
      return {
        _tag: "Errored",
        customId,
        batchId,
        error: ClaudeError.fromResponseAt({ body: result.error }, now)
      }
    case "canceled":
      return { _tag: "Canceled", customId, batchId }
    case "expired":
      return { _tag: "Expired", customId, batchId }
    default:
      // a result type this SDK does not know yet: kept, as an error nobody retries
      return {
        _tag: "Errored",
        customId,
        batchId,
        error: new ClaudeError.UnknownApiError({
          message: `unknown batch result type ${JSON.stringify((result as { type?: unknown }).type)}`
        })
      }
  }
}

export const isResubmittable = (outcome: BatchOutcome.BatchOutcome): boolean =>
  outcome._tag === "Expired" || (outcome._tag === "Errored" && ClaudeError.isRetryable(outcome.error))

export const errored = (
  customId: string,
  batchId: string | undefined,
  error: ClaudeError.ClaudeError
): BatchOutcome.Errored => ({ _tag: "Errored", customId, batchId, error })
