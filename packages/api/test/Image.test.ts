/**
 * The image header reader on headers written byte by byte from the formats' specifications, and the
 * base64 path against the bytes path. The PNG, GIF, VP8 and JPEG (baseline and progressive, no fill
 * bytes) fixtures were also checked once with file(1) 5.44, which reports the same dimensions; it
 * does not read VP8L or VP8X dimensions.
 */
import { Image } from "@claude-resilience/api"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff]
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff]
const be32 = (n: number) => [...be16(Math.floor(n / 65536)), ...be16(n & 0xffff)]
const bytes = (...parts: ReadonlyArray<ReadonlyArray<number>>) => new Uint8Array(parts.flat())
const base64 = (b: Uint8Array) => Buffer.from(b).toString("base64")

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const png = (width: number, height: number) =>
  bytes(PNG_SIGNATURE, be32(13), ascii("IHDR"), be32(width), be32(height), [8, 2, 0, 0, 0], [0, 0, 0, 0])
const gif = (width: number, height: number) => bytes(ascii("GIF89a"), le16(width), le16(height), [0, 0, 0, 0x3b])
const riff = (chunk: ReadonlyArray<number>) => bytes(ascii("RIFF"), [0, 0, 0, 0], ascii("WEBP"), chunk)
const vp8 = (width: number, height: number) =>
  riff([...ascii("VP8 "), 10, 0, 0, 0, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(width), ...le16(height)])
const vp8l = (width: number, height: number) => {
  const bits = width - 1 + (height - 1) * 16384
  return riff([...ascii("VP8L"), 5, 0, 0, 0, 0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >>> 24])
}
const vp8x = (width: number, height: number) => {
  const w = width - 1
  const h = height - 1
  return riff([
    ...ascii("VP8X"),
    10,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    w & 0xff,
    (w >> 8) & 0xff,
    (w >> 16) & 0xff,
    h & 0xff,
    (h >> 8) & 0xff,
    (h >> 16) & 0xff
  ])
}
const JFIF = [0xff, 0xe0, ...be16(16), ...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
const sof = (marker: number, width: number, height: number) => [
  0xff,
  marker,
  ...be16(17),
  8,
  ...be16(height),
  ...be16(width),
  3,
  1,
  0x22,
  0,
  2,
  0x11,
  1,
  3,
  0x11,
  1
]
const jpeg = (width: number, height: number, marker = 0xc0, fill: ReadonlyArray<number> = []) =>
  bytes([0xff, 0xd8], JFIF, [0xff, 0xe1, ...be16(6), 1, 2, 3, 4], fill, sof(marker, width, height), [0xff, 0xd9])

// The 1×1 PNG of the vision docs' first example.
const ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

describe("Image", () => {
  it("reads each format's dimensions", () => {
    expect(Image.fromBase64(ONE_PIXEL_PNG)).toEqual({ mediaType: "image/png", width: 1, height: 1 })
    expect(Image.fromBytes(png(800, 600))).toEqual({ mediaType: "image/png", width: 800, height: 600 })
    expect(Image.fromBytes(gif(32, 16))).toEqual({ mediaType: "image/gif", width: 32, height: 16 })
    expect(Image.fromBytes(vp8(640, 480))).toEqual({ mediaType: "image/webp", width: 640, height: 480 })
    expect(Image.fromBytes(vp8l(400, 300))).toEqual({ mediaType: "image/webp", width: 400, height: 300 })
    expect(Image.fromBytes(vp8x(20_000, 10))).toEqual({ mediaType: "image/webp", width: 20_000, height: 10 })
    expect(Image.fromBytes(jpeg(1024, 768))).toEqual({ mediaType: "image/jpeg", width: 1024, height: 768 })
    expect(Image.fromBytes(jpeg(9000, 20, 0xc2))).toEqual({ mediaType: "image/jpeg", width: 9000, height: 20 })
    // fill bytes (0xFF) may precede a marker (T.81 B.1.1.2)
    expect(Image.fromBytes(jpeg(30, 40, 0xc0, [0xff, 0xff]))).toEqual({
      mediaType: "image/jpeg",
      width: 30,
      height: 40
    })
  })

  it("knows the format when the header stops before the dimensions", () => {
    expect(Image.fromBytes(bytes(PNG_SIGNATURE))).toEqual({
      mediaType: "image/png",
      width: undefined,
      height: undefined
    })
    expect(Image.fromBytes(bytes([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toEqual({
      mediaType: "image/jpeg",
      width: undefined,
      height: undefined
    })
    // DHT (C4) shares the SOF range but is not a frame header
    expect(Image.fromBytes(jpeg(10, 10, 0xc4))?.width).toBeUndefined()
    expect(Image.fromBytes(riff(ascii("VP8?")))).toEqual({
      mediaType: "image/webp",
      width: undefined,
      height: undefined
    })
  })

  it("is not fooled by what is not an image", () => {
    expect(Image.fromBase64(`data:image/png;base64,${ONE_PIXEL_PNG}`)).toBeUndefined()
    expect(Image.fromBase64("")).toBeUndefined()
    expect(Image.fromBase64("not base64 at all!")).toBeUndefined()
    expect(Image.fromBytes(bytes(ascii("GIF88a")))).toBeUndefined()
    expect(Image.fromBytes(bytes(ascii("RIFF\0\0\0\0WAVE")))).toBeUndefined()
    expect(Image.fromBytes(bytes(ascii("%PDF-1.7")))).toBeUndefined()
  })

  it.prop(
    "reads back the dimensions written in any header",
    [fc.integer({ min: 1, max: 16_383 }), fc.integer({ min: 1, max: 16_383 })],
    ([width, height]) => {
      for (const header of [png(width, height), gif(width, height), vp8(width, height), vp8l(width, height)]) {
        expect(Image.fromBytes(header)).toMatchObject({ width, height })
        expect(Image.fromBase64(base64(header))).toEqual(Image.fromBytes(header))
      }
      expect(Image.fromBytes(vp8x(width * 1000, height))).toMatchObject({ width: width * 1000, height })
      expect(Image.fromBytes(jpeg(width, height))).toMatchObject({ width, height })
    }
  )

  it.prop("the base64 path reads what the bytes path reads", [fc.uint8Array({ maxLength: 64 })], ([random]) => {
    const tail = [...random]
    for (const b of [random, bytes([0x89], tail), bytes([0xff, 0xd8, 0xff], tail), bytes(ascii("RIFF"), tail)]) {
      expect(Image.fromBase64(base64(b))).toEqual(Image.fromBytes(b))
    }
  })
})
