import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as CE from "../ClaudeError.js"
import type { HeadersInput } from "../ResponseHeaders.js"
import * as header from "./headers.js"
import { isClaudeError } from "./member.js"
import { redact, redactHead } from "./redaction.js"

type Secrets = ReadonlyArray<Redacted.Redacted<string>>

type Tag = CE.Tag
type ApiTag = CE.ApiResponseError["_tag"]

const STATUS_TAGS: Readonly<Record<number, ApiTag>> = {
  400: "InvalidRequestError",
  401: "AuthenticationError",
  402: "BillingError",
  403: "PermissionError",
  404: "NotFoundError",
  408: "RequestTimeoutError",
  409: "ConflictError",
  413: "RequestTooLargeError",
  422: "UnprocessableEntityError",
  429: "RateLimitError",
  500: "ApiError",
  502: "BadGatewayError",
  503: "ServiceUnavailableError",
  504: "GatewayTimeoutError",
  529: "OverloadedError"
}

// `error.type` values the API documents, and the member each one names.
const TYPE_TAGS: Readonly<Record<string, ApiTag>> = {
  invalid_request_error: "InvalidRequestError",
  authentication_error: "AuthenticationError",
  billing_error: "BillingError",
  permission_error: "PermissionError",
  not_found_error: "NotFoundError",
  request_too_large: "RequestTooLargeError",
  rate_limit_error: "RateLimitError",
  api_error: "ApiError",
  timeout_error: "GatewayTimeoutError",
  overloaded_error: "OverloadedError"
}

// The status an error type implies when no HTTP status came with it (an SSE error event).
const TYPE_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529
}

/** An own property only: `error.type` may be "toString" or "__proto__". */
const own = <A>(record: Readonly<Record<string | number, A>>, key: string | number): A | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined

export const tagForStatus = (status: number): Tag => {
  const tag = own(STATUS_TAGS, status)
  if (tag !== undefined) return tag
  return status >= 500 && status <= 599 ? "ApiError" : "UnknownApiError"
}

/**
 * The body's `error.type` refines the status. The status picks the member; a documented
 * type overrides it when they disagree, except that the two catch-all types
 * (`invalid_request_error` for 4xx, `api_error` for 5xx) never override a status that
 * has a member of its own: a 408 whose body says `invalid_request_error` stays a
 * RequestTimeoutError, a 529 whose body says `api_error` stays an OverloadedError, but a
 * 500 whose body says `overloaded_error` is an OverloadedError.
 */
export const resolveTag = (status: number | undefined, errorType: string | undefined): ApiTag => {
  const byType = errorType === undefined ? undefined : own(TYPE_TAGS, errorType)
  if (status === undefined) return byType ?? "UnknownApiError"
  const byStatus = tagForStatus(status) as ApiTag
  if (byType === undefined || byType === byStatus) return byStatus
  const generic = byType === "InvalidRequestError" || byType === "ApiError"
  const statusHasOwnMember = own(STATUS_TAGS, status) !== undefined
  return generic && statusHasOwnMember ? byStatus : byType
}

const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    type: Schema.String,
    message: Schema.optional(Schema.Unknown),
    details: Schema.optional(Schema.Unknown)
  }),
  request_id: Schema.optional(Schema.Unknown)
})

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

const MAX_SNIPPET_BYTES = 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: false })

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** At most 1 KB of UTF-8, control characters replaced, secrets redacted. */
export const snippet = (text: string, secrets?: Secrets): string => {
  let out = redactHead(text.replace(CONTROL, " "), secrets)
  let bytes = encoder.encode(out)
  if (bytes.length <= MAX_SNIPPET_BYTES) return out
  // Cut at a byte boundary, then drop a trailing partial character.
  out = decoder.decode(bytes.subarray(0, MAX_SNIPPET_BYTES))
  if (out.endsWith("\uFFFD")) out = out.slice(0, -1)
  bytes = encoder.encode(out)
  while (bytes.length > MAX_SNIPPET_BYTES) {
    out = out.slice(0, -1)
    bytes = encoder.encode(out)
  }
  return out
}

const bodyText = (body: unknown): string | undefined => {
  if (typeof body === "string") return body
  if (body instanceof Uint8Array) return decoder.decode(body)
  return undefined
}

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const HTML_TITLE = /<title[^>]*>([^<]{1,200})<\/title>/i
const HTML_H1 = /<h1[^>]*>([^<]{1,200})<\/h1>/i

const summarise = (status: number | undefined, text: string | undefined, body: unknown): string => {
  const prefix = status === undefined ? "Error" : `HTTP ${status}`
  if (text === undefined) {
    return body === undefined || body === null ? `${prefix} with no body` : `${prefix} with an unrecognised body`
  }
  if (text.trim().length === 0) return `${prefix} with an empty body`
  const title = HTML_TITLE.exec(text)?.[1] ?? HTML_H1.exec(text)?.[1]
  if (title !== undefined) return `${prefix}: ${title.trim().replace(/\s+/g, " ")}`
  if (/^\s*[{[]/.test(text)) return `${prefix} with malformed JSON body`
  return `${prefix} with a non-JSON body`
}

const PROMPT_TOO_LONG = /prompt is too long:\s*(\d+)\s*tokens?\s*>\s*(\d+)\s*maximum/i
const MAX_TOKENS_OVER = /max_tokens:\s*(\d+)\s*>\s*(\d+)/i
const INPUT_PLUS_MAX = /input length and `?max_tokens`? exceed context limit:\s*(\d+)\s*\+\s*(\d+)\s*>\s*(\d+)/i

const toCount = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : undefined
}

const tokenLimits = (message: string) => {
  const out: {
    promptTooLong?: { promptTokens: number; maxTokens: number }
    maxTokensTooLarge?: { maxTokens: number; maximum: number; inputTokens?: number }
  } = {}
  const tooLong = PROMPT_TOO_LONG.exec(message)
  if (tooLong) {
    const promptTokens = toCount(tooLong[1])
    const maxTokens = toCount(tooLong[2])
    if (promptTokens !== undefined && maxTokens !== undefined) out.promptTooLong = { promptTokens, maxTokens }
  }
  const inputPlus = INPUT_PLUS_MAX.exec(message)
  if (inputPlus) {
    const inputTokens = toCount(inputPlus[1])
    const maxTokens = toCount(inputPlus[2])
    const maximum = toCount(inputPlus[3])
    if (inputTokens !== undefined && maxTokens !== undefined && maximum !== undefined) {
      out.maxTokensTooLarge = { maxTokens, maximum, inputTokens }
    }
  } else {
    const over = MAX_TOKENS_OVER.exec(message)
    if (over) {
      const maxTokens = toCount(over[1])
      const maximum = toCount(over[2])
      if (maxTokens !== undefined && maximum !== undefined) out.maxTokensTooLarge = { maxTokens, maximum }
    }
  }
  return out
}

const MAX_MESSAGE = 2000

/** What a decoder found: the member to build and its fields; the public module constructs it. */
export interface Decoded {
  readonly _tag: Tag
  readonly fields: Record<string, unknown>
}

/** Drops `undefined` values so optional fields stay absent (exactOptionalPropertyTypes). */
const compact = <A extends Record<string, unknown>>(a: A): A => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(a)) if (a[key] !== undefined) out[key] = a[key]
  return out as A
}

const validStatus = (status: unknown): number | undefined =>
  typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 999 ? status : undefined

export interface ResponseInput {
  readonly status?: number | undefined
  readonly headers?: HeadersInput
  readonly body?: unknown
  readonly phase?: CE.Phase | undefined
  readonly fallbackMessage?: string | undefined
  /** Removed from every string field, in every encoding `Redaction` knows. */
  readonly secrets?: Secrets | undefined
}

/** A server-provided string as it may leave in an error: redacted, then cut to `max` characters. */
const clean = (text: string, max: number, secrets: Secrets | undefined): string =>
  redactHead(text, secrets).slice(0, max)

/** A request id from a header or a body: sanitised, then redacted. */
const cleanId = (value: unknown, secrets: Secrets | undefined): string | undefined => {
  const id = header.sanitizeId(value)
  return id === undefined ? undefined : redact(id, secrets)
}

export const fromResponse = (input: ResponseInput, now: number): Decoded & { readonly _tag: ApiTag } => {
  const status = validStatus(input.status)
  const text = bodyText(input.body)
  const parsed = text !== undefined ? parseJson(text) : Option.some(input.body)
  // An SSE payload or an SDK body may be the `error` object itself rather than the envelope.
  const decoded = Option.flatMap(parsed, (value) =>
    Option.orElse(decodeErrorBody(value), () =>
      Predicate.hasProperty(value, "type") && Predicate.hasProperty(value, "message") && value.type !== "error"
        ? decodeErrorBody({ error: value })
        : Option.none()
    )
  )

  const headers = input.headers
  const secrets = input.secrets
  const requestId =
    cleanId(header.requestId(headers), secrets) ??
    (Option.isSome(decoded) ? cleanId(decoded.value.request_id, secrets) : undefined)

  // The type is matched against the documented ones as sent; only what is kept is redacted.
  let rawType: string | undefined
  let errorCode: string | undefined
  let message: string
  let bodySnippet: string | undefined
  if (Option.isSome(decoded)) {
    const error = decoded.value.error
    rawType = error.type
    const details = error.details
    const code = Predicate.hasProperty(details, "error_code") ? details.error_code : undefined
    errorCode = typeof code === "string" ? clean(code, 100, secrets) : undefined
    message =
      typeof error.message === "string" && error.message.length > 0
        ? error.message
        : (input.fallbackMessage ?? summarise(status, undefined, rawType))
  } else {
    message = summarise(status, text, input.body)
    const raw = text ?? (input.body === undefined || input.body === null ? undefined : safeStringify(input.body))
    bodySnippet = raw !== undefined && raw.length > 0 ? snippet(raw, secrets) : undefined
  }
  message = clean(message, MAX_MESSAGE, secrets)
  // Cut after redaction, so a cut never leaves a piece of a secret behind.
  const errorType = rawType === undefined ? undefined : clean(rawType, 100, secrets)

  const effectiveStatus = status ?? (rawType !== undefined ? own(TYPE_STATUS, rawType) : undefined)
  const tag = resolveTag(status, rawType)
  const rateLimit = header.rateLimit(headers)
  const fields: Record<string, unknown> = compact({
    message,
    status: effectiveStatus,
    errorType,
    errorCode,
    requestId,
    retryAfter: header.retryAfter(headers, now),
    rateLimit,
    shouldRetry: header.shouldRetry(headers),
    phase: input.phase ?? "request",
    bodySnippet
  })
  if (tag === "InvalidRequestError") Object.assign(fields, tokenLimits(message))
  if (tag === "RateLimitError") {
    const limit = header.exhausted(rateLimit)
    if (limit !== undefined) fields.limit = limit
  }
  return { _tag: tag, fields }
}

const safeStringify = (u: unknown): string | undefined => {
  try {
    return typeof u === "object" ? JSON.stringify(u) : String(u)
  } catch {
    return undefined
  }
}

/** Constructor names along the prototype chain: robust to several copies of the SDK. */
const classNames = (u: object): ReadonlyArray<string> => {
  const names: Array<string> = []
  let proto: unknown = Object.getPrototypeOf(u)
  while (proto !== null && proto !== undefined && names.length < 16) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor
    if (ctor && typeof ctor.name === "string") names.push(ctor.name)
    proto = Object.getPrototypeOf(proto)
  }
  return names
}

const errorCodes = (u: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  let current: unknown = u
  for (let depth = 0; depth < 5 && Predicate.isObject(current); depth++) {
    if (Predicate.hasProperty(current, "code") && typeof current.code === "string") codes.push(current.code)
    if (Predicate.hasProperty(current, "name") && typeof current.name === "string") codes.push(current.name)
    if (Predicate.hasProperty(current, "message") && typeof current.message === "string") codes.push(current.message)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return codes
}

const connectionReason = (u: unknown): CE.ConnectionReason => {
  const codes = errorCodes(u).join(" ")
  if (/ECONNREFUSED/.test(codes)) return "refused"
  if (/ENOTFOUND|EAI_AGAIN/.test(codes)) return "dns"
  if (/SyntaxError|JSON|Unexpected (token|end)|could not parse/i.test(codes)) return "protocol"
  if (/ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed|terminated|socket hang up|closed/i.test(codes)) return "reset"
  return "unknown"
}

const messageOf = (u: unknown, fallback: string, secrets: Secrets | undefined): string => {
  const raw = Predicate.hasProperty(u, "message") && typeof u.message === "string" ? u.message : ""
  return clean(raw.length > 0 ? raw : fallback, MAX_MESSAGE, secrets)
}

const decoded = (tag: Tag, fields: Record<string, unknown>): Decoded => ({ _tag: tag, fields })

/** An error of the union passes through as it is; anything else is described for the public module to build. */
export const fromUnknown = (
  u: unknown,
  now: number,
  options?: { readonly phase?: CE.Phase | undefined; readonly secrets?: Secrets | undefined }
): CE.ClaudeError | Decoded => {
  if (isClaudeError(u)) return u
  const phase = options?.phase ?? "request"
  const secrets = options?.secrets
  if (!Predicate.isObject(u)) {
    return decoded("UnknownApiError", { message: clean(String(u), MAX_MESSAGE, secrets), phase })
  }
  const names = classNames(u)
  const requestId = cleanId(Predicate.hasProperty(u, "requestID") ? u.requestID : undefined, secrets)
  const extra = requestId !== undefined ? { requestId } : {}
  if (names.includes("APIUserAbortError") || (Predicate.hasProperty(u, "name") && u.name === "AbortError")) {
    return decoded("ConnectionError", {
      message: messageOf(u, "Request was aborted", secrets),
      reason: "aborted",
      phase,
      ...extra
    })
  }
  if (names.includes("APIConnectionTimeoutError")) {
    return decoded("TimeoutError", { message: messageOf(u, "Request timed out", secrets), phase, ...extra })
  }
  if (names.includes("APIConnectionError")) {
    const cause = Predicate.hasProperty(u, "cause") ? u.cause : undefined
    return decoded("ConnectionError", {
      message: messageOf(cause ?? u, "Connection error", secrets),
      reason: connectionReason(u),
      phase,
      ...extra
    })
  }
  if (names.includes("APIError") || (Predicate.hasProperty(u, "status") && Predicate.hasProperty(u, "headers"))) {
    const status = Predicate.hasProperty(u, "status") ? validStatus(u.status) : undefined
    const parsedBody = Predicate.hasProperty(u, "error") ? u.error : undefined
    const headers = (Predicate.hasProperty(u, "headers") ? u.headers : undefined) as HeadersInput
    // For a non-JSON body the SDK keeps no `error` and puts the raw text in its message
    // ("502 <html>…"); recover the text so it is summarised and kept as a snippet.
    const rawText =
      (parsedBody === undefined || parsedBody === null) &&
      Predicate.hasProperty(u, "message") &&
      typeof u.message === "string"
        ? u.message.replace(/^\d{3}\s/, "").replace(/^status code \(no body\)$/, "")
        : undefined
    const body = parsedBody ?? rawText
    const hasBody = body !== undefined && body !== null
    // With no status, the SDK is reporting an SSE `error` event mid-stream.
    const error = fromResponse(
      {
        status,
        headers,
        body,
        phase: status === undefined ? "stream" : phase,
        fallbackMessage: hasBody ? undefined : messageOf(u, "API error", secrets),
        secrets
      },
      now
    )
    if (requestId !== undefined && error.fields.requestId === undefined) error.fields.requestId = requestId
    return error
  }
  const reason = connectionReason(u)
  if (reason !== "unknown" || names.includes("TypeError")) {
    return decoded("ConnectionError", { message: messageOf(u, "Connection error", secrets), reason, phase, ...extra })
  }
  return decoded("UnknownApiError", { message: messageOf(u, "Unknown error", secrets), phase, ...extra })
}

export const retryAfterOf = (error: unknown): Duration.Duration | undefined => {
  if (!Predicate.hasProperty(error, "retryAfter")) return undefined
  const value = error.retryAfter
  return Duration.isDuration(value) ? value : undefined
}
