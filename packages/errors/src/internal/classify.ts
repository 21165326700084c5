import type * as CE from "../ClaudeError.js"

/** The source article's "Action" column as data, one row per member. */
export const advice: { readonly [K in CE.Tag]: CE.Advice } = {
  InvalidRequestError: {
    retryable: false,
    retry: "never",
    action: "Fix the request (shape, parameters, context window); retrying gives the same 400."
  },
  AuthenticationError: {
    retryable: false,
    retry: "never",
    action: "Check the API key: present, trimmed, not revoked."
  },
  BillingError: {
    retryable: false,
    retry: "never",
    action: "Check billing and credit balance; alert on it (never retried, whatever x-should-retry says)."
  },
  PermissionError: {
    retryable: false,
    retry: "never",
    action: "Check account permissions (is the model enabled for this key?)."
  },
  NotFoundError: { retryable: false, retry: "never", action: "Fix the model name or endpoint." },
  RequestTimeoutError: { retryable: true, retry: "backoff", action: "Retry with backoff." },
  ConflictError: { retryable: true, retry: "backoff", action: "Retry with backoff." },
  RequestTooLargeError: {
    retryable: false,
    retry: "never",
    action: "Shrink the request (32 MB limit); use the Files API for large attachments."
  },
  UnprocessableEntityError: {
    retryable: false,
    retry: "never",
    action: "Fix the schema (a tool's input schema, say)."
  },
  RateLimitError: {
    retryable: true,
    retry: "retry-after",
    action: "Back off: wait at least Retry-After, then retry; reduce request or token rate."
  },
  ApiError: { retryable: true, retry: "backoff", action: "Retry with backoff, few attempts (3)." },
  BadGatewayError: { retryable: true, retry: "ladder", action: "Retry on the ladder 3, 10, 30, 60, 120 s." },
  ServiceUnavailableError: {
    retryable: true,
    retry: "backoff",
    action: "Back off; check the status page."
  },
  GatewayTimeoutError: {
    retryable: true,
    retry: "backoff",
    action: "Retry; switch to streaming for long outputs."
  },
  OverloadedError: { retryable: true, retry: "longer-backoff", action: "Retry with a longer backoff." },
  UnknownApiError: {
    retryable: false,
    retry: "never",
    action: "Undocumented status: retried only when 5xx or x-should-retry says so."
  },
  ConnectionError: { retryable: true, retry: "backoff", action: "Retry; check the network path." },
  TimeoutError: { retryable: true, retry: "backoff", action: "Retry; consider streaming or a longer timeout." },
  CircuitOpenError: {
    retryable: true,
    retry: "after-circuit",
    action: "The circuit is open: wait for its retryAfter, or fail fast."
  },
  QuotaExceededError: {
    retryable: true,
    retry: "retry-after",
    action:
      "Our rate limiter could not admit the call within its wait budget: wait retryAfter, or lower the request rate."
  },
  PreflightError: {
    retryable: false,
    retry: "never",
    action: "Fix the request before sending it: the error's field and advice say what is wrong and how to fix it."
  },
  RefusalError: {
    retryable: false,
    retry: "never",
    action: "The model refused (read stopDetails): rephrase, or try another model (a fallback plan)."
  },
  ContextWindowExceededError: {
    retryable: false,
    retry: "never",
    action: "The answer was cut at the context window: shorten the conversation or use a larger window."
  },
  BulkheadRejectedError: {
    retryable: false,
    retry: "never",
    action:
      "Too many calls of this key in flight: shed the load, raise maxConcurrent, or let calls queue (maxQueue, maxWait)."
  }
}

export const isApiResponseError = (e: CE.ClaudeError): e is CE.ApiResponseError =>
  e._tag !== "ConnectionError" &&
  e._tag !== "TimeoutError" &&
  e._tag !== "CircuitOpenError" &&
  e._tag !== "QuotaExceededError" &&
  e._tag !== "PreflightError" &&
  e._tag !== "RefusalError" &&
  e._tag !== "ContextWindowExceededError" &&
  e._tag !== "BulkheadRejectedError"

export const isRetryable = (error: CE.ClaudeError): boolean => {
  switch (error._tag) {
    case "ConnectionError":
      return error.reason !== "aborted"
    case "TimeoutError":
    case "CircuitOpenError":
    case "QuotaExceededError":
      return true
    case "PreflightError":
    // A retry cannot help: the same request is refused or cut the same way, and a billing
    // problem outlasts any backoff (so a 402 is never retried, whatever x-should-retry says).
    case "RefusalError":
    case "ContextWindowExceededError":
    case "BillingError":
    case "BulkheadRejectedError":
      return false
    default: {
      if (error.shouldRetry !== undefined) return error.shouldRetry
      if (error._tag === "UnknownApiError") return error.status !== undefined && error.status >= 500
      return advice[error._tag].retryable
    }
  }
}

export const isServerFailure = (error: CE.ClaudeError): boolean => {
  switch (error._tag) {
    case "ApiError":
    case "BadGatewayError":
    case "ServiceUnavailableError":
    case "GatewayTimeoutError":
    case "OverloadedError":
    case "TimeoutError":
      return true
    case "ConnectionError":
      return error.reason !== "aborted"
    case "UnknownApiError":
      return error.status !== undefined && error.status >= 500
    default:
      return false
  }
}
