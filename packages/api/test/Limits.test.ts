import { Limits, Model } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"

describe("Limits", () => {
  it("holds the API's figures", () => {
    expect(Limits.requestBytes).toBe(32 * 1024 * 1024)
    expect(Limits.imageBase64Bytes).toBe(5 * 1024 * 1024)
    expect([Limits.imageMaxSide, Limits.manyImages, Limits.manyImagesMaxSide]).toEqual([8000, 20, 2000])
    expect(Limits.cacheBreakpoints).toBe(4)
  })

  it("allows 100 images on a 200K-token model, 600 on a 1M one", () => {
    expect(Limits.imagesPerRequest(Model.contextWindow("claude-haiku-4-5"))).toBe(100)
    expect(Limits.imagesPerRequest(Model.contextWindow("claude-sonnet-5-5"))).toBe(600)
  })

  it("knows the four media types and the tool name pattern", () => {
    for (const type of Limits.imageMediaTypes) expect(Limits.isImageMediaType(type)).toBe(true)
    expect(["image/bmp", "image/jpg", "IMAGE/PNG", undefined].some(Limits.isImageMediaType)).toBe(false)
    expect(["get_weather", "a", "A-1_b", "x".repeat(64)].every((n) => Limits.toolName.test(n))).toBe(true)
    expect(["", "get weather", "tool.name", "x".repeat(65), "ünïcode"].some((n) => Limits.toolName.test(n))).toBe(false)
  })

  it("names a dated source for every figure", () => {
    for (const source of Object.values(Limits.sources)) {
      expect(source.url).toMatch(/^https:\/\/platform\.claude\.com\/docs\//)
      expect(source.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
  })
})
