/**
 * Refusals of a well-formed Messages request by the rules of its model, with the API's messages: a
 * prefill on a model that takes none, a prompt over the model's context window. (More of the API's
 * checks — images, `cache_control`, tool schemas — belong here.)
 *
 * @internal
 */
import * as ApiError from "./apiError.js"
import type { Models } from "./models.js"
import type { ValidRequest } from "./validate.js"

/** A request ending in an assistant turn, on a model that rejects prefill. @internal */
export const prefill = (models: Models, request: ValidRequest): ApiError.ApiErrorSpec | undefined =>
  models.rejectsPrefill(request.model) && request.messages[request.messages.length - 1]?.role === "assistant"
    ? ApiError.invalid(
        "This model does not support assistant message prefill. The conversation must end with a user message."
      )
    : undefined

/** A prompt of more estimated tokens than the model's window. @internal */
export const contextWindow = (
  models: Models,
  request: ValidRequest,
  inputTokens: number
): ApiError.ApiErrorSpec | undefined => {
  const window = models.contextWindow(request.model)
  return inputTokens > window
    ? ApiError.invalid(`prompt is too long: ${inputTokens} tokens > ${window} maximum`)
    : undefined
}
