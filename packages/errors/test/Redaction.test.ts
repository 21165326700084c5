import { ClaudeError, Redaction } from "@claude-resilience/errors"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Redacted } from "effect"

const KEY = "sk-ant-api03-Zq8SECRETxY_7k-Lm2PqRs"
const secret = Redacted.make(KEY)
/** Any 12 characters of the key's random part: their presence in any decoded view is a leak. */
const CORE = "Zq8SECRETxY_"

const percentAll = (text: string) =>
  [...text].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).join("")
const jsonEscapeAll = (text: string) =>
  [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
const base64At = (text: string, offset: number, url = false) => {
  const encoded = Buffer.from("x".repeat(offset) + text).toString(url ? "base64url" : "base64")
  return encoded
}

/** The forms a server may echo the key in. */
const FORMS: ReadonlyArray<readonly [string, (key: string) => string]> = [
  ["raw", (k) => k],
  ["encodeURIComponent", (k) => encodeURIComponent(k)],
  ["hyphens percent-encoded", (k) => k.replace(/-/g, "%2D")],
  ["hyphens percent-encoded, lower case", (k) => k.replace(/-/g, "%2d")],
  ["every character percent-encoded", percentAll],
  ["encoded twice", (k) => percentAll(k).replace(/%/g, "%25")],
  ["JSON-escaped", jsonEscapeAll],
  ["JSON.stringify", (k) => JSON.stringify({ key: k })],
  ["HTML references", (k) => [...k].map((c) => `&#${c.charCodeAt(0)};`).join("")],
  ["base64", (k) => base64At(k, 0)],
  ["base64 inside a longer value (offset 1)", (k) => base64At(k, 1)],
  ["base64 inside a longer value (offset 2)", (k) => base64At(k, 2)],
  ["base64url", (k) => base64At(k, 0, true)],
  ["basic auth", (k) => `Basic ${Buffer.from(`user:${k}`).toString("base64")}`],
  ["hex", (k) => Buffer.from(k).toString("hex")],
  ["bearer", (k) => `Authorization: Bearer ${k}`]
]

/** Every way of reading `text` back that a reader could try: a leak shows in one of them. */
const views = (text: string): ReadonlyArray<string> => {
  const out = [text]
  let decoded = text
  for (let i = 0; i < 2; i++) {
    decoded = decoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    out.push(decoded)
  }
  out.push(text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))))
  out.push(text.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))))
  for (const run of text.match(/[A-Za-z0-9+/_=-]{8,}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(run.slice(skip), "base64").toString("latin1"))
  }
  for (const run of text.match(/[0-9A-Fa-f]{8,}/g) ?? []) {
    for (let skip = 0; skip < 2; skip++) out.push(Buffer.from(run.slice(skip), "hex").toString("latin1"))
  }
  return out
}

const leaks = (text: string, core = CORE) => views(text).some((view) => view.includes(core))

describe("Redaction.redact", () => {
  it.each(FORMS)("removes the key given as a secret: %s", (_, form) => {
    const text = `before ${form(KEY)} after`
    expect(leaks(text)).toBe(true)
    expect(leaks(Redaction.redact(text, [secret]))).toBe(false)
  })

  it.each(FORMS.filter(([name]) => !name.startsWith("base64") && name !== "basic auth" && name !== "hex"))(
    "removes sk-ant keys without being told the secret: %s",
    (_, form) => {
      expect(leaks(Redaction.redact(`before ${form(KEY)} after`))).toBe(false)
    }
  )

  it("removes base64 and hex of sk-ant keys without being told the secret", () => {
    for (const text of [base64At(KEY, 0), base64At(KEY, 1), base64At(KEY, 2), Buffer.from(KEY).toString("hex")]) {
      expect(leaks(Redaction.redact(text))).toBe(false)
    }
  })

  it("removes a secret that is not shaped like a key, in every form", () => {
    const token = "gateway-token-Qw7LEAKYvB9"
    for (const [, form] of FORMS) {
      expect(leaks(Redaction.redact(`x ${form(token)} y`, [Redacted.make(token)]), "Qw7LEAKYvB9")).toBe(false)
    }
  })

  it("leaves ordinary text alone", () => {
    const text = "prompt is too long: 205432 tokens > 200000 maximum (request req_011CS, type overloaded_error)"
    expect(Redaction.redact(text, [secret])).toBe(text)
  })

  it.prop(
    "no form of the key survives, whatever surrounds it",
    [fc.string(), fc.constantFrom(...FORMS.map(([, f]) => f)), fc.string()],
    ([before, form, after]) => {
      expect(leaks(Redaction.redact(`${before}${form(KEY)}${after}`, [secret]))).toBe(false)
    }
  )
})

describe("decoders redact every field", () => {
  it.each(FORMS)("the key echoed into every field of an error response: %s", (_, form) => {
    const echoed = form(KEY)
    const body = JSON.stringify({
      type: "error",
      error: { type: `x_${echoed}`, message: `bad key ${echoed}`, details: { error_code: echoed } },
      request_id: echoed
    })
    for (const headers of [{ "request-id": echoed }, {}]) {
      const e = ClaudeError.fromResponseAt({ status: 401, headers, body, secrets: [secret] }, 0)
      const outputs = [String(e), JSON.stringify(e), e.message, e.requestId, e.errorType, e.errorCode]
      for (const output of outputs) expect(leaks(String(output))).toBe(false)
    }
    const html = ClaudeError.fromResponseAt(
      { status: 502, body: `<html><title>${echoed}</title><p>${echoed}</p></html>`, secrets: [secret] },
      0
    )
    expect(leaks(`${String(html)} ${JSON.stringify(html)} ${html.bodySnippet}`)).toBe(false)
  })

  it("a key cut by the length bound leaves no piece behind", () => {
    for (const [, form] of FORMS) {
      for (const pad of [0, 7, 65_500]) {
        const body = `${"a".repeat(pad)}${form(KEY).repeat(3000)}`
        const e = ClaudeError.fromResponseAt({ status: 500, body, secrets: [secret] }, 0)
        expect(leaks(`${e.message} ${e.bodySnippet}`)).toBe(false)
        const m = ClaudeError.fromResponseAt(
          { status: 500, body: { error: { type: "api_error", message: body } }, secrets: [secret] },
          0
        )
        expect(leaks(m.message)).toBe(false)
      }
    }
  })

  it("fromUnknown and fromStreamEvent take the secrets too", () => {
    const echoed = encodeURIComponent(KEY).replace(/-/g, "%2D")
    const thrown = Object.assign(new Error(`socket to https://x/?key=${echoed} closed`), { requestID: echoed })
    const e = ClaudeError.fromUnknownAt(thrown, 0, { secrets: [secret] })
    expect(leaks(`${String(e)} ${JSON.stringify(e)}`)).toBe(false)
    const s = ClaudeError.fromStreamEvent(
      { type: "error", error: { type: "overloaded_error", message: Buffer.from(KEY).toString("base64") } },
      { "request-id": KEY },
      { secrets: [secret] }
    )
    expect(leaks(`${String(s)} ${JSON.stringify(s)}`)).toBe(false)
    expect(s._tag).toBe("OverloadedError")
  })

  it("a key in a hand-built error is removed from toString (second line of defence)", () => {
    const e = new ClaudeError.ConnectionError({ message: `failed with ${KEY}` })
    expect(leaks(String(e))).toBe(false)
  })
})
