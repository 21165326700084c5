import { ClaudeError } from "@claude-resilience/errors"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, FastCheck as fc, Schema, TestClock } from "effect"

const NOW = Date.UTC(2026, 0, 1)

const envelope = (type: string, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "error", error: { type, message, ...extra }, request_id: "req_body" })

// One row per line of the error table: status, the API's error.type, expected tag, retryable.
const TABLE: ReadonlyArray<readonly [number, string | undefined, ClaudeError.Tag, boolean]> = [
  [400, "invalid_request_error", "InvalidRequestError", false],
  [401, "authentication_error", "AuthenticationError", false],
  [402, "billing_error", "BillingError", false],
  [403, "permission_error", "PermissionError", false],
  [404, "not_found_error", "NotFoundError", false],
  [408, undefined, "RequestTimeoutError", true],
  [409, undefined, "ConflictError", true],
  [413, "request_too_large", "RequestTooLargeError", false],
  [422, undefined, "UnprocessableEntityError", false],
  [429, "rate_limit_error", "RateLimitError", true],
  [500, "api_error", "ApiError", true],
  [502, undefined, "BadGatewayError", true],
  [503, undefined, "ServiceUnavailableError", true],
  [504, "timeout_error", "GatewayTimeoutError", true],
  [529, "overloaded_error", "OverloadedError", true],
  [501, undefined, "ApiError", true],
  [507, undefined, "ApiError", true],
  [418, undefined, "UnknownApiError", false],
  [302, undefined, "UnknownApiError", false]
]

const BODIES: ReadonlyArray<readonly [string, (status: number, type: string | undefined) => string | Uint8Array]> = [
  ["error JSON", (status, type) => envelope(type ?? "api_error_unknown", `status ${status}`)],
  ["HTML page", (status) => `<html><head><title>${status} Bad Gateway</title></head><body>nginx</body></html>`],
  ["empty body", () => ""],
  ["truncated JSON", (_, type) => envelope(type ?? "x", "cut").slice(0, 25)],
  ["JSON of the wrong shape", () => JSON.stringify({ message: "nope", code: 7 })],
  ["binary", () => new Uint8Array([0, 159, 146, 150, 255, 1, 2, 3])]
]

describe("ClaudeError.fromResponseAt: every status × every body", () => {
  for (const [status, type, tag, retryable] of TABLE) {
    for (const [bodyName, body] of BODIES) {
      it(`${status} with ${bodyName} → ${tag}`, () => {
        const e = ClaudeError.fromResponseAt(
          { status, body: body(status, type), headers: { "request-id": "req_1" } },
          NOW
        )
        expect(ClaudeError.isClaudeError(e)).toBe(true)
        expect(e._tag).toBe(tag)
        expect(e.status).toBe(status)
        expect(e.requestId).toBe("req_1")
        expect(ClaudeError.isRetryable(e)).toBe(retryable)
        expect(e.message.length).toBeGreaterThan(0)
        if (bodyName === "error JSON") {
          expect(e.bodySnippet).toBeUndefined()
          expect(e.message).toBe(`status ${status}`)
        } else if (bodyName !== "empty body") {
          expect(e.bodySnippet?.length ?? 0).toBeGreaterThan(0)
        }
      })
    }
  }

  it("summarises an HTML page by its title and keeps a snippet", () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${"x".repeat(5000)}</body></html>`
    const e = ClaudeError.fromResponseAt({ status: 502, body: html }, NOW)
    expect(e._tag).toBe("BadGatewayError")
    expect(e.message).toBe("HTTP 502: 502 Bad Gateway")
    expect(new TextEncoder().encode(e.bodySnippet).length).toBeLessThanOrEqual(1024)
  })

  it("says an empty body is empty", () => {
    expect(ClaudeError.fromResponseAt({ status: 503, body: "" }, NOW).message).toBe("HTTP 503 with an empty body")
  })
})

describe("error.type refines the status", () => {
  it.each([
    [500, "overloaded_error", "OverloadedError"],
    [529, "api_error", "OverloadedError"],
    [503, "api_error", "ServiceUnavailableError"],
    [400, "rate_limit_error", "RateLimitError"],
    [418, "permission_error", "PermissionError"],
    [400, "some_new_error", "InvalidRequestError"],
    [599, "some_new_error", "ApiError"],
    [408, "invalid_request_error", "RequestTimeoutError"],
    [422, "invalid_request_error", "UnprocessableEntityError"],
    [418, "invalid_request_error", "InvalidRequestError"],
    [599, "api_error", "ApiError"],
    [504, "overloaded_error", "OverloadedError"],
    [400, "toString", "InvalidRequestError"],
    [503, "__proto__", "ServiceUnavailableError"],
    [418, "constructor", "UnknownApiError"]
  ] as const)("status %i + type %s → %s", (status, type, tag) => {
    expect(ClaudeError.fromResponseAt({ status, body: envelope(type, "m") }, NOW)._tag).toBe(tag)
  })

  it("keeps type, error code and request id from the body", () => {
    const e = ClaudeError.fromResponseAt(
      { status: 400, body: envelope("invalid_request_error", "bad", { details: { error_code: "prompt_too_long" } }) },
      NOW
    )
    expect(e.errorType).toBe("invalid_request_error")
    expect(e.errorCode).toBe("prompt_too_long")
    expect(e.requestId).toBe("req_body")
  })
})

describe("context-window messages", () => {
  it("parses prompt is too long", () => {
    const e = ClaudeError.fromResponseAt(
      { status: 400, body: envelope("invalid_request_error", "prompt is too long: 205432 tokens > 200000 maximum") },
      NOW
    )
    expect(e._tag === "InvalidRequestError" && e.promptTooLong).toEqual({ promptTokens: 205432, maxTokens: 200000 })
  })

  it("parses max_tokens above the model's limit", () => {
    const message =
      "max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5"
    const e = ClaudeError.fromResponseAt({ status: 400, body: envelope("invalid_request_error", message) }, NOW)
    expect(e._tag === "InvalidRequestError" && e.maxTokensTooLarge).toEqual({ maxTokens: 100000, maximum: 64000 })
  })

  it("parses input + max_tokens over the context limit", () => {
    const message =
      "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"
    const e = ClaudeError.fromResponseAt({ status: 400, body: envelope("invalid_request_error", message) }, NOW)
    expect(e._tag === "InvalidRequestError" && e.maxTokensTooLarge).toEqual({
      maxTokens: 21333,
      maximum: 200000,
      inputTokens: 188240
    })
  })
})

describe("headers on errors", () => {
  it("reads retry-after, the rate-limit snapshot and the exhausted bucket on a 429", () => {
    const e = ClaudeError.fromResponseAt(
      {
        status: 429,
        headers: {
          "retry-after": "12",
          "anthropic-ratelimit-input-tokens-limit": "1000",
          "anthropic-ratelimit-input-tokens-remaining": "0",
          "anthropic-ratelimit-input-tokens-reset": "2026-01-01T00:00:12Z"
        },
        body: envelope("rate_limit_error", "slow down")
      },
      NOW
    )
    expect(e._tag).toBe("RateLimitError")
    expect(e.retryAfter && Duration.toMillis(e.retryAfter)).toBe(12_000)
    expect(e._tag === "RateLimitError" && e.limit).toBe("inputTokens")
    expect(e.rateLimit?.inputTokens?.limit).toBe(1000)
  })

  it("x-should-retry overrides the default decision both ways", () => {
    const no = ClaudeError.fromResponseAt({ status: 529, headers: { "x-should-retry": "false" } }, NOW)
    const yes = ClaudeError.fromResponseAt({ status: 400, headers: { "x-should-retry": "true" } }, NOW)
    expect(ClaudeError.isRetryable(no)).toBe(false)
    expect(ClaudeError.isRetryable(yes)).toBe(true)
  })

  it("a 402 is never retryable, even when x-should-retry says true", () => {
    const billing = ClaudeError.fromResponseAt(
      { status: 402, headers: { "x-should-retry": "true" }, body: envelope("billing_error", "credit balance too low") },
      NOW
    )
    expect(billing._tag).toBe("BillingError")
    expect(billing.shouldRetry).toBe(true)
    expect(ClaudeError.isRetryable(billing)).toBe(false)
    expect(ClaudeError.advice.BillingError.retry).toBe("never")
  })

  it.effect("resolves an HTTP-date retry-after against the Effect Clock (TestClock)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const e = yield* ClaudeError.fromResponse({
        status: 503,
        headers: { "retry-after": new Date(NOW + 30_000).toUTCString() }
      })
      expect(e.retryAfter && Duration.toSeconds(e.retryAfter)).toBe(30)
    })
  )
})

describe("secrets", () => {
  it("never carries an API key in message, snippet or toString", () => {
    const key = "sk-ant-api03-SECRETSECRETSECRET_abc-123"
    const json = ClaudeError.fromResponseAt(
      { status: 401, body: envelope("authentication_error", `invalid x-api-key ${key}`) },
      NOW
    )
    const html = ClaudeError.fromResponseAt({ status: 502, body: `<p>Authorization: Bearer ${key}</p>` }, NOW)
    for (const e of [json, html]) {
      expect(`${e.message} ${e.bodySnippet ?? ""} ${String(e)}`).not.toContain("SECRETSECRET")
    }
  })
})

describe("printing", () => {
  it("toString names tag, status, type, request id and retry-after", () => {
    const e = ClaudeError.fromResponseAt(
      {
        status: 529,
        headers: { "request-id": "req_9", "retry-after": "2" },
        body: envelope("overloaded_error", "Overloaded")
      },
      NOW
    )
    expect(String(e)).toBe("OverloadedError (529, overloaded_error, request-id req_9, retry after 2s): Overloaded")
  })
})

describe("SSE error events", () => {
  it("maps an overloaded_error event to a mid-stream OverloadedError", () => {
    const e = ClaudeError.fromStreamEvent({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })
    expect(e._tag).toBe("OverloadedError")
    expect(e.phase).toBe("stream")
    expect(e.status).toBe(529)
    expect(ClaudeError.isRetryable(e)).toBe(true)
  })
  it("maps a garbage payload to a typed member with a snippet", () => {
    const e = ClaudeError.fromStreamEvent("{not json")
    expect(e._tag).toBe("UnknownApiError")
    expect(e.bodySnippet).toBe("{not json")
  })
})

describe("classification", () => {
  it("has advice for every tag", () => {
    for (const tag of ClaudeError.tags) expect(ClaudeError.advice[tag].action.length).toBeGreaterThan(0)
    expect(ClaudeError.tags).toHaveLength(24)
  })
  it("a bulkhead's rejection is local, never retried, not a server failure", () => {
    const e = new ClaudeError.BulkheadRejectedError({
      message: "bulkhead claude-haiku-4-5 is full",
      key: "claude-haiku-4-5",
      reason: "full",
      maxConcurrent: 2,
      maxQueue: 0,
      waited: Duration.zero
    })
    expect(ClaudeError.isRetryable(e)).toBe(false)
    expect(ClaudeError.isServerFailure(e)).toBe(false)
    expect(ClaudeError.isApiResponseError(e)).toBe(false)
    expect(ClaudeError.advice.BulkheadRejectedError.retry).toBe("never")
    expect(Schema.decodeUnknownSync(ClaudeError.ClaudeError)(Schema.encodeSync(ClaudeError.ClaudeError)(e))).toEqual(e)
  })
  it("a PreflightError is local, never retried, never a server failure, and prints its check and field", () => {
    const e = new ClaudeError.PreflightError({
      message: "max_tokens 200000 is above the output cap of claude-haiku-4-5 (64000)",
      check: "max_tokens",
      field: "max_tokens",
      advice: "Lower max_tokens."
    })
    expect(ClaudeError.isRetryable(e)).toBe(false)
    expect(ClaudeError.isServerFailure(e)).toBe(false)
    expect(ClaudeError.isApiResponseError(e)).toBe(false)
    expect(ClaudeError.advice.PreflightError.retry).toBe("never")
    expect(String(e)).toBe(
      "PreflightError (max_tokens, max_tokens): max_tokens 200000 is above the output cap of claude-haiku-4-5 (64000)"
    )
    const decoded = Schema.decodeSync(ClaudeError.ClaudeError)(Schema.encodeSync(ClaudeError.ClaudeError)(e))
    expect(decoded._tag === "PreflightError" && decoded.field).toBe("max_tokens")
  })
  it("a RequestTooLargeError raised before sending says so", () => {
    const e = new ClaudeError.RequestTooLargeError({
      message: "the request is 40000000 bytes, above the 33554432-byte limit",
      preflight: true,
      bytes: 40_000_000,
      maxBytes: 33_554_432
    })
    expect(ClaudeError.isRetryable(e)).toBe(false)
    expect(String(e)).toBe(
      "RequestTooLargeError (preflight): the request is 40000000 bytes, above the 33554432-byte limit"
    )
    const fromApi = ClaudeError.fromResponseAt({ status: 413 }, NOW)
    expect(fromApi._tag === "RequestTooLargeError" && fromApi.preflight).toBeUndefined()
  })
  it("an aborted connection is not retryable, a reset one is", () => {
    expect(ClaudeError.isRetryable(new ClaudeError.ConnectionError({ message: "x", reason: "aborted" }))).toBe(false)
    expect(ClaudeError.isRetryable(new ClaudeError.ConnectionError({ message: "x", reason: "reset" }))).toBe(true)
  })
  it("server failures exclude 4xx and 429", () => {
    const at = (status: number) => ClaudeError.fromResponseAt({ status }, NOW)
    expect([500, 502, 503, 504, 529, 599].every((s) => ClaudeError.isServerFailure(at(s)))).toBe(true)
    expect([400, 401, 404, 408, 409, 429].some((s) => ClaudeError.isServerFailure(at(s)))).toBe(false)
  })
  it.effect("matches with Effect.catchTags", () =>
    Effect.gen(function* () {
      const result = yield* Effect.fail(ClaudeError.fromResponseAt({ status: 401 }, NOW)).pipe(
        Effect.catchTags({ AuthenticationError: (e) => Effect.succeed(`auth ${e.status}`) })
      )
      expect(result).toBe("auth 401")
    })
  )
  it("refusals and answers cut at the context window: typed, never retried, not server failures", () => {
    const response = {
      id: "msg_01",
      model: "claude-sonnet-4-6",
      content: [{ type: "text", text: "I can't" }],
      stop_reason: "refusal",
      stop_details: { type: "refusal", category: "cyber", explanation: "policy" },
      usage: { input_tokens: 10, output_tokens: 2, service_tier: "standard" }
    }
    const refusal = new ClaudeError.RefusalError({
      message: "refused",
      model: "claude-sonnet-4-6",
      stopDetails: response.stop_details,
      response,
      requestId: "req_7"
    })
    const cut = new ClaudeError.ContextWindowExceededError({
      message: "cut",
      model: "claude-haiku-4-5",
      response: { ...response, model: "claude-haiku-4-5", stop_reason: "model_context_window_exceeded" }
    })
    for (const e of [refusal, cut]) {
      expect(ClaudeError.isClaudeError(e)).toBe(true)
      expect(ClaudeError.isRetryable(e)).toBe(false)
      expect(ClaudeError.isServerFailure(e)).toBe(false)
      expect(ClaudeError.isApiResponseError(e)).toBe(false)
      expect(ClaudeError.advice[e._tag].retry).toBe("never")
    }
    expect(String(refusal)).toBe("RefusalError (claude-sonnet-4-6, cyber, request-id req_7): refused")
    expect(String(cut)).toBe("ContextWindowExceededError (claude-haiku-4-5): cut")
    const decoded = Schema.decodeSync(ClaudeError.ClaudeError)(Schema.encodeSync(ClaudeError.ClaudeError)(refusal))
    expect(decoded._tag === "RefusalError" && decoded.response).toEqual(response)
    expect(decoded._tag === "RefusalError" && decoded.stopDetails?.category).toBe("cyber")
  })

  it("round-trips through the union schema", () => {
    const e = ClaudeError.fromResponseAt({ status: 429, headers: { "retry-after": "3" } }, NOW)
    const encoded = Schema.encodeSync(ClaudeError.ClaudeError)(e)
    const decoded = Schema.decodeSync(ClaudeError.ClaudeError)(encoded)
    expect(decoded._tag).toBe("RateLimitError")
    expect(Duration.toMillis(ClaudeError.retryAfterOf(decoded) ?? Duration.zero)).toBe(3000)
  })
})

describe("fromUnknownAt on plain values", () => {
  it.each([
    [new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }), "refused"],
    [new TypeError("terminated", { cause: new Error("other side closed") }), "reset"],
    [Object.assign(new Error("The operation was aborted"), { name: "AbortError" }), "aborted"],
    [new SyntaxError("Unexpected end of JSON input"), "protocol"]
  ] as const)("%s → ConnectionError(%s)", (error, reason) => {
    const e = ClaudeError.fromUnknownAt(error, NOW)
    expect(e._tag).toBe("ConnectionError")
    expect(e._tag === "ConnectionError" && e.reason).toBe(reason)
  })
  it("anything else becomes UnknownApiError, never a throw", () => {
    for (const u of [undefined, null, 42, "boom", Symbol("s"), { weird: true }, new Error("plain")]) {
      expect(ClaudeError.isClaudeError(ClaudeError.fromUnknownAt(u, NOW))).toBe(true)
    }
  })
  it("passes a ClaudeError through unchanged", () => {
    const e = new ClaudeError.OverloadedError({ message: "m", status: 529 })
    expect(ClaudeError.fromUnknownAt(e, NOW)).toBe(e)
  })
})

const arbHeaderValue = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.constantFrom("true", "false", "NaN", "-1", "1e999", "")
)
const arbHeaders = fc.dictionary(
  fc.constantFrom(
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "request-id",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-tokens-reset",
    "content-type"
  ),
  arbHeaderValue
)
const arbBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 4096 }),
  fc.json(),
  fc.constantFrom(envelope("overloaded_error", "Overloaded"), envelope("rate_limit_error", "x").slice(0, 30)),
  fc.record({ type: fc.constant("error"), error: fc.record({ type: fc.string(), message: fc.anything() }) }),
  fc.constant(undefined)
)

describe("properties", () => {
  it.prop(
    "any status, headers and body bytes give a typed member that prints",
    [fc.integer({ min: -5, max: 1200 }), arbHeaders, arbBody],
    ([status, headers, body]) => {
      const e = ClaudeError.fromResponseAt({ status, headers, body }, NOW)
      expect(ClaudeError.tags).toContain(e._tag)
      expect(typeof String(e)).toBe("string")
      expect(typeof ClaudeError.isRetryable(e)).toBe("boolean")
      if (e.bodySnippet !== undefined) expect(new TextEncoder().encode(e.bodySnippet).length).toBeLessThanOrEqual(1024)
      if (e.retryAfter !== undefined) {
        const m = Duration.toMillis(e.retryAfter)
        expect(m >= 0 && m <= 3_600_000).toBe(true)
      }
    }
  )

  it.prop("the tag is a function of status and type alone", [fc.integer({ min: 100, max: 999 })], ([status]) => {
    const a = ClaudeError.fromResponseAt({ status, body: "<html></html>" }, NOW)
    const b = ClaudeError.fromResponseAt({ status, body: "" }, NOW)
    expect(a._tag).toBe(ClaudeError.tagForStatus(status))
    expect(b._tag).toBe(a._tag)
  })

  it.prop("fromUnknownAt is total", [fc.anything()], ([u]) => {
    expect(ClaudeError.isClaudeError(ClaudeError.fromUnknownAt(u, NOW))).toBe(true)
  })
})
