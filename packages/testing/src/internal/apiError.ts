/**
 * The API's error shapes: the status, `error.type` and message of an error answer, and the HTML page a
 * proxy in front of the API sends.
 *
 * @internal
 */

/** An error answer: status, `error.type`, `error.message`. @internal */
export interface ApiErrorSpec {
  readonly status: number
  readonly type: string
  readonly message: string
  /** `error.details` (an `error_code` and its fields), for the errors the API details */
  readonly details?: Readonly<Record<string, unknown>> | undefined
}

/** A 400 `invalid_request_error`. @internal */
export const invalid = (message: string): ApiErrorSpec => ({ status: 400, type: "invalid_request_error", message })

/** The `error.type` the API sends with a status. @internal */
export const typeOf = (status: number): string => {
  switch (status) {
    case 400:
      return "invalid_request_error"
    case 401:
      return "authentication_error"
    case 402:
      return "billing_error"
    case 403:
      return "permission_error"
    case 404:
      return "not_found_error"
    case 413:
      return "request_too_large"
    case 429:
      return "rate_limit_error"
    case 504:
      return "timeout_error"
    case 529:
      return "overloaded_error"
    default:
      return status >= 500 ? "api_error" : "invalid_request_error"
  }
}

/** The `error.message` the API sends with a status when nothing more specific is known. @internal */
export const messageOf = (status: number): string => {
  switch (status) {
    case 429:
      return "Number of requests has exceeded your rate limit. Please try again later."
    case 500:
      return "Internal server error"
    case 503:
      return "Service unavailable"
    case 504:
      return "Request timed out"
    case 529:
      return "Overloaded"
    default:
      return `Error ${status}`
  }
}

/** The error for a status, with the given type and message or the API's defaults. @internal */
export const forStatus = (
  status: number,
  options: { readonly errorType?: string | undefined; readonly message?: string | undefined } = {}
): ApiErrorSpec => ({
  status,
  type: options.errorType ?? typeOf(status),
  message: options.message ?? messageOf(status)
})

/** The JSON body of an error answer. @internal */
export const body = (
  requestId: string,
  type: string,
  message: string,
  details?: Readonly<Record<string, unknown>> | undefined
): string =>
  JSON.stringify({
    type: "error",
    error: details === undefined ? { type, message } : { type, message, details },
    request_id: requestId
  })

/** A proxy's HTML error page (Cloudflare's, as seen in front of the API). @internal */
export const htmlPage = (status: number): string => {
  const title = status === 502 ? "502 Bad Gateway" : status === 504 ? "504 Gateway Time-out" : `${status} Error`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`
}
