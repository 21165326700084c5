import { BatchLimits, FileLimits } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

describe("BatchLimits", () => {
  it("states the batch-processing guide's figures", () => {
    expect(BatchLimits.maxRequests).toBe(100_000)
    expect(BatchLimits.maxBytes).toBe(256 * 1024 * 1024)
    expect(BatchLimits.processingWindowMs).toBe(24 * 3_600_000)
    expect(BatchLimits.resultsAvailableMs).toBe(29 * 24 * 3_600_000)
    expect(BatchLimits.priceFactor).toBe(0.5)
  })

  it("accepts a custom_id of 1 to 64 letters, digits, _ and -, and nothing else", () => {
    const valid = fc.array(fc.constantFrom(...ID_CHARS), { minLength: 1, maxLength: 64 }).map((cs) => cs.join(""))
    fc.assert(fc.property(valid, (id) => BatchLimits.isValidCustomId(id)))
    fc.assert(
      fc.property(valid, fc.constantFrom(" ", ".", "/", "é", "\n", ":"), fc.nat(), (id, bad, at) => {
        const i = at % (id.length + 1)
        return !BatchLimits.isValidCustomId(id.slice(0, i) + bad + id.slice(i))
      })
    )
    expect(BatchLimits.isValidCustomId("")).toBe(false)
    expect(BatchLimits.isValidCustomId("a".repeat(65))).toBe(false)
  })
})

describe("FileLimits", () => {
  it("states the Files guide's and the SDK's figures", () => {
    expect(FileLimits.maxBytes).toBe(500 * 1024 * 1024)
    expect(FileLimits.expiresInSeconds).toEqual({ min: 3_600, max: 7_776_000 })
  })

  it("knows which block each type goes in, and a type from an extension", () => {
    expect(FileLimits.blockTypeOf("application/pdf")).toBe("document")
    expect(FileLimits.blockTypeOf("image/webp")).toBe("image")
    expect(FileLimits.blockTypeOf("text/csv")).toBe("container_upload")
    expect(FileLimits.blockTypeOf("toString")).toBe("container_upload")
    expect(FileLimits.mimeTypeOf("Report.PDF")).toBe("application/pdf")
    expect(FileLimits.mimeTypeOf("photo.jpeg")).toBe("image/jpeg")
    expect(FileLimits.mimeTypeOf("archive.tar.gz")).toBeUndefined()
    expect(FileLimits.mimeTypeOf("README")).toBeUndefined()
    expect(FileLimits.mimeTypeOf("a.constructor")).toBeUndefined()
  })
})
