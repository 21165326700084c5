/**
 * The smallest files whose header says a format and a size: what an image check reads, without an
 * image library. The layouts follow the formats' specifications (PNG IHDR, GIF logical screen,
 * WebP VP8L / VP8X, JPEG JFIF + SOF0).
 *
 * @internal
 */
import type * as FakeImage from "../FakeImage.js"

const ascii = (s: string): Array<number> => Array.from(s, (c) => c.charCodeAt(0))
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff]
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff]
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]
const be32 = (n: number) => [...be16(Math.floor(n / 65536)), ...be16(n & 0xffff)]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (bytes: ReadonlyArray<number>): number => {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const png = (width: number, height: number): Array<number> => {
  const ihdr = [...ascii("IHDR"), ...be32(width), ...be32(height), 8, 2, 0, 0, 0]
  const iend = ascii("IEND")
  return [
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...be32(13),
    ...ihdr,
    ...be32(crc32(ihdr)),
    ...be32(0),
    ...iend,
    ...be32(crc32(iend))
  ]
}

const gif = (width: number, height: number): Array<number> => [
  ...ascii("GIF89a"),
  ...le16(width),
  ...le16(height),
  0,
  0,
  0,
  0x3b
]

const riff = (chunk: ReadonlyArray<number>): Array<number> => [
  ...ascii("RIFF"),
  ...le24(chunk.length + 4),
  0,
  ...ascii("WEBP"),
  ...chunk
]

const webp = (width: number, height: number): Array<number> => {
  if (width <= 16_384 && height <= 16_384) {
    const bits = width - 1 + (height - 1) * 16_384
    return riff([...ascii("VP8L"), 5, 0, 0, 0, 0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >>> 24])
  }
  return riff([...ascii("VP8X"), 10, 0, 0, 0, 0, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)])
}

const jpeg = (width: number, height: number): Array<number> => [
  0xff,
  0xd8,
  ...[0xff, 0xe0, ...be16(16), ...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
  ...[0xff, 0xc0, ...be16(17), 8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
  0xff,
  0xd9
]

/** The largest side each format's header can say. */
export const maxSide = (mediaType: FakeImage.MediaType): number =>
  mediaType === "image/png" ? 0x7fffffff : mediaType === "image/webp" ? 1 << 24 : 0xffff

export const bytes = (
  mediaType: FakeImage.MediaType,
  width: number,
  height: number,
  padding: number = 0
): Uint8Array => {
  const max = maxSide(mediaType)
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > max || height > max) {
    throw new RangeError(`FakeImage: ${width}×${height} does not fit a ${mediaType} header (1 to ${max} a side)`)
  }
  const header =
    mediaType === "image/png"
      ? png(width, height)
      : mediaType === "image/gif"
        ? gif(width, height)
        : mediaType === "image/webp"
          ? webp(width, height)
          : jpeg(width, height)
  const out = new Uint8Array(header.length + Math.max(0, padding))
  out.set(header)
  return out
}

export const base64 = (mediaType: FakeImage.MediaType, width: number, height: number, padding?: number): string =>
  Buffer.from(bytes(mediaType, width, height, padding)).toString("base64")

export const block = (
  mediaType: FakeImage.MediaType,
  width: number,
  height: number,
  padding?: number
): FakeImage.ImageBlock => ({
  type: "image",
  source: { type: "base64", media_type: mediaType, data: base64(mediaType, width, height, padding) }
})
