/**
 * A reader of the first bytes of a JPEG, PNG, GIF or WebP file: which of the four it is, and its
 * width and height when the header says. It reads through a byte accessor, so a base64 string is
 * decoded only where it is read (a few dozen bytes), never as a whole.
 *
 * Formats: PNG (ISO/IEC 15948, IHDR), GIF (87a/89a logical screen descriptor), WebP (RIFF with a
 * `VP8 `, `VP8L` or `VP8X` first chunk), JPEG (ITU T.81: the first SOFn segment, walked to by the
 * segment lengths).
 */
import type * as Image from "../Image.js"

/** The byte at an offset, or -1 past the end or where the input is not valid. */
type At = (offset: number) => number

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const SEXTET = new Int8Array(128).fill(-1)
for (let i = 0; i < BASE64.length; i++) SEXTET[BASE64.charCodeAt(i)] = i

const sextet = (data: string, index: number): number => {
  if (index >= data.length) return -1
  const c = data.charCodeAt(index)
  return c < 128 ? SEXTET[c]! : -1
}

/** Byte `offset` of the decoded data: two of the four characters of its group. */
const base64At =
  (data: string): At =>
  (offset) => {
    if (offset < 0) return -1
    const group = (offset / 3) | 0
    const r = offset - group * 3
    const j = group * 4 + r
    const a = sextet(data, j)
    const b = sextet(data, j + 1)
    if (a < 0 || b < 0) return -1
    return r === 0 ? ((a << 2) | (b >> 4)) & 0xff : r === 1 ? ((a << 4) | (b >> 2)) & 0xff : ((a << 6) | b) & 0xff
  }

const bytesAt =
  (bytes: Uint8Array): At =>
  (offset) =>
    offset >= 0 && offset < bytes.length ? bytes[offset]! : -1

const u16be = (at: At, i: number): number => {
  const a = at(i)
  const b = at(i + 1)
  return a < 0 || b < 0 ? -1 : (a << 8) | b
}

const u16le = (at: At, i: number): number => {
  const a = at(i)
  const b = at(i + 1)
  return a < 0 || b < 0 ? -1 : a | (b << 8)
}

const u24le = (at: At, i: number): number => {
  const a = at(i)
  const b = at(i + 1)
  const c = at(i + 2)
  return a < 0 || b < 0 || c < 0 ? -1 : a | (b << 8) | (c << 16)
}

const u32be = (at: At, i: number): number => {
  const hi = u16be(at, i)
  const lo = u16be(at, i + 2)
  return hi < 0 || lo < 0 ? -1 : hi * 65536 + lo
}

const startsWith = (at: At, offset: number, expected: ReadonlyArray<number>): boolean => {
  for (let i = 0; i < expected.length; i++) if (at(offset + i) !== expected[i]) return false
  return true
}

const info = (mediaType: Image.Info["mediaType"], width: number, height: number): Image.Info =>
  width > 0 && height > 0 ? { mediaType, width, height } : { mediaType, width: undefined, height: undefined }

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const IHDR = [0x49, 0x48, 0x44, 0x52]
const GIF = [0x47, 0x49, 0x46, 0x38] // "GIF8", then "7a" or "9a"
const RIFF = [0x52, 0x49, 0x46, 0x46]
const WEBP = [0x57, 0x45, 0x42, 0x50]
const VP8 = [0x56, 0x50, 0x38]

const png = (at: At): Image.Info =>
  startsWith(at, 12, IHDR) ? info("image/png", u32be(at, 16), u32be(at, 20)) : info("image/png", -1, -1)

const gif = (at: At): Image.Info => info("image/gif", u16le(at, 6), u16le(at, 8))

const webp = (at: At): Image.Info => {
  if (!startsWith(at, 12, VP8)) return info("image/webp", -1, -1)
  switch (at(15)) {
    case 0x20: // "VP8 ": a lossy key frame, its start code, then 14-bit width and height
      return startsWith(at, 23, [0x9d, 0x01, 0x2a])
        ? info("image/webp", u16le(at, 26) & 0x3fff, u16le(at, 28) & 0x3fff)
        : info("image/webp", -1, -1)
    case 0x4c: {
      // "VP8L": a signature byte, then width - 1 and height - 1 in 14 bits each
      const b0 = at(21)
      const b1 = at(22)
      const b2 = at(23)
      const b3 = at(24)
      if (at(20) !== 0x2f || b0 < 0 || b1 < 0 || b2 < 0 || b3 < 0) return info("image/webp", -1, -1)
      return info("image/webp", 1 + (((b1 & 0x3f) << 8) | b0), 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | (b1 >> 6)))
    }
    case 0x58: {
      // "VP8X": the canvas, width - 1 and height - 1 in 24 bits each
      const w = u24le(at, 24)
      const h = u24le(at, 27)
      return w < 0 || h < 0 ? info("image/webp", -1, -1) : info("image/webp", w + 1, h + 1)
    }
    default:
      return info("image/webp", -1, -1)
  }
}

/** SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

/** Segment after segment, by their lengths, to the first frame header (bounded). */
const jpeg = (at: At): Image.Info => {
  let pos = 2
  for (let segments = 0; segments < 4096; segments++) {
    if (at(pos) !== 0xff) break
    let marker = at(pos + 1)
    // fill bytes: any number of 0xFF before a marker
    while (marker === 0xff) {
      pos += 1
      marker = at(pos + 1)
    }
    if (marker < 0 || marker === 0xd9 || marker === 0xda) break
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2
      continue
    }
    if (isStartOfFrame(marker)) return info("image/jpeg", u16be(at, pos + 7), u16be(at, pos + 5))
    const length = u16be(at, pos + 2)
    if (length < 2) break
    pos += 2 + length
  }
  return info("image/jpeg", -1, -1)
}

const read = (at: At): Image.Info | undefined => {
  const first = at(0)
  if (first === 0x89) return startsWith(at, 0, PNG) ? png(at) : undefined
  if (first === 0xff) return at(1) === 0xd8 && at(2) === 0xff ? jpeg(at) : undefined
  if (first === 0x47) {
    return startsWith(at, 0, GIF) && (at(4) === 0x37 || at(4) === 0x39) && at(5) === 0x61 ? gif(at) : undefined
  }
  if (first === 0x52) return startsWith(at, 0, RIFF) && startsWith(at, 8, WEBP) ? webp(at) : undefined
  return undefined
}

export const fromBytes = (bytes: Uint8Array): Image.Info | undefined => read(bytesAt(bytes))

export const fromBase64 = (data: string): Image.Info | undefined => read(base64At(data))
