/**
 * Our failures as `@effect/ai`'s `AiError`, the original kept as the `cause`.
 *
 * An API error becomes `HttpResponseError` (what `@effect/ai-anthropic` gives for a status; an SSE
 * `error` event has the status of its type, as its `ClaudeError` does), a transport failure
 * `HttpRequestError` (`reason: "Transport"`), anything else (an open circuit, a local check)
 * `UnknownError`. `HttpResponseError`
 * has no `cause` field in its schema, so the original rides on the standard `Error.cause`, set at
 * construction (as `Data.Error` does for the members that have the field); it is not encoded.
 *
 * @internal
 */
import { ClaudeError } from "@claude-resilience/errors"
import type { ResumableStream } from "@claude-resilience/stream"
import * as AiError from "@effect/ai/AiError"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as ClaudeAiError from "../ClaudeAiError.js"

/** The module name every mapped error carries, as `AnthropicClient` names its own. */
export const MODULE = "ClaudeLanguageModel"

/** A `ClaudeError` member (its brand) or a `ResumeExhaustedError`. */
export const isOriginal = (u: unknown): u is ClaudeAiError.Original =>
  ClaudeError.isClaudeError(u) ||
  (Predicate.isTagged(u, "ResumeExhaustedError") && Predicate.hasProperty(u, "partialText"))

/** The failure that decides the member: a resumed stream's last failure. */
const decisive = (error: ClaudeAiError.Original): ClaudeError.ClaudeError =>
  error._tag === "ResumeExhaustedError" ? (error as ResumableStream.ResumeExhaustedError).cause : error

const statusOf = (error: ClaudeError.ClaudeError): number | undefined =>
  "status" in error && typeof error.status === "number" ? error.status : undefined

const responseHeaders = (error: ClaudeError.ClaudeError): Record<string, string> => {
  const headers: Record<string, string> = {}
  if ("requestId" in error && error.requestId !== undefined) headers["request-id"] = error.requestId
  if ("retryAfter" in error && error.retryAfter !== undefined) {
    headers["retry-after"] = String(Math.ceil(Duration.toSeconds(error.retryAfter)))
    headers["retry-after-ms"] = String(Math.ceil(Duration.toMillis(error.retryAfter)))
  }
  return headers
}

const body = (error: ClaudeError.ClaudeError): string | undefined => {
  if ("bodySnippet" in error && error.bodySnippet !== undefined) return error.bodySnippet
  if ("errorType" in error && error.errorType !== undefined) {
    return JSON.stringify({ type: "error", error: { type: error.errorType, message: error.message } })
  }
  return undefined
}

/** Where the call went, for the `request` field (no headers: nothing there could leak the key). */
export interface RequestInfo {
  readonly method: string
  readonly url: string
}

/**
 * The `AiError` for one of our failures. `info.method` names the `LanguageModel` method
 * (`generateText`, `streamText`, ...), `info.url` the endpoint.
 */
export const fromOriginal = (error: ClaudeAiError.Original, info: RequestInfo): AiError.AiError => {
  const last = decisive(error)
  const description = error._tag === "ResumeExhaustedError" ? `${error.message} (last: ${last.message})` : last.message
  const request = {
    method: "POST" as const,
    url: info.url,
    urlParams: [],
    hash: Option.none(),
    headers: {}
  }
  const status = statusOf(last)
  if (status !== undefined) {
    // The schema of HttpResponseError has no `cause`; `Data.Error` passes it to `Error` as `cause`.
    const props = {
      module: MODULE,
      method: info.method,
      reason: "StatusCode" as const,
      request,
      response: { status, headers: responseHeaders(last) },
      body: body(last),
      description,
      cause: error
    }
    return new AiError.HttpResponseError(props, { disableValidation: true })
  }
  if (last._tag === "ConnectionError" || last._tag === "TimeoutError") {
    return new AiError.HttpRequestError(
      { module: MODULE, method: info.method, reason: "Transport", request, description, cause: error },
      { disableValidation: true }
    )
  }
  return new AiError.UnknownError(
    { module: MODULE, method: info.method, description: `${last._tag}: ${description}`, cause: error },
    { disableValidation: true }
  )
}

/** The original failure inside an `AiError` built here, if any. */
export const originalOf = (error: AiError.AiError): Option.Option<ClaudeAiError.Original> => {
  const cause: unknown = (error as { readonly cause?: unknown }).cause
  return isOriginal(cause) ? Option.some(cause) : Option.none()
}
