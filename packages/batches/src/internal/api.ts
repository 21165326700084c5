/**
 * The Message Batches endpoints, each one resilient request through `Claude.request` (retry →
 * breaker on the `batches` circuit → attempt timeout → the SDK's `client.messages.batches`).
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { Claude } from "@claude-resilience/client"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Effect from "effect/Effect"
import type * as Batches from "../Batches.js"

/** The SDK's decoder of a results file: its lines as they arrive, and the controller that aborts it. */
export interface ResultsFile extends AsyncIterable<Anthropic.Messages.MessageBatchIndividualResponse> {
  readonly controller: AbortController
}

export const create = (
  claude: Claude.Service,
  requests: ReadonlyArray<Batches.BatchRequest>,
  options: Claude.CallOptions | undefined
) =>
  claude.request(
    "batches.create",
    (sdk, request) => sdk.messages.batches.create({ requests: [...requests] }, request),
    options
  )

export const retrieve = (claude: Claude.Service, batchId: string, options: Claude.CallOptions | undefined) =>
  claude.request("batches.retrieve", (sdk, request) => sdk.messages.batches.retrieve(batchId, {}, request), options)

export const cancel = (claude: Claude.Service, batchId: string, options: Claude.CallOptions | undefined) =>
  claude.request("batches.cancel", (sdk, request) => sdk.messages.batches.cancel(batchId, {}, request), options)

/** The results file, opened (headers read); its lines are read by the caller. One attempt: the caller retries. */
export const openResults = (
  claude: Claude.Service,
  batchId: string,
  options: Claude.CallOptions | undefined
): Effect.Effect<ResultsFile, ClaudeError.ClaudeError> =>
  claude.request<ResultsFile>("batches.results", (sdk, request) => sdk.messages.batches.results(batchId, {}, request), {
    ...options,
    retry: false
  })

/** Only what a request needs of the options: the call's own (retry, timeout, circuit, headers). */
export const callOptions = (options: Claude.CallOptions | undefined): Claude.CallOptions => ({
  ...(options?.retry !== undefined ? { retry: options.retry } : {}),
  ...(options?.timeout !== undefined ? { timeout: options.timeout } : {}),
  ...(options?.circuitKey !== undefined ? { circuitKey: options.circuitKey } : {}),
  ...(options?.headers !== undefined ? { headers: options.headers } : {})
})
