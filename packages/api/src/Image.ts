/**
 * What the first bytes of an image say: whether it is a JPEG, PNG, GIF or WebP (the four formats the
 * API accepts) and, when its header tells, its width and height. A base64 image is decoded only where
 * the header is read, so checking an image costs microseconds whatever its size.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/image.js"
import type * as Limits from "./Limits.js"

/**
 * The format of an image and, when its header tells, its dimensions in pixels (`undefined` when
 * the header could not be read that far).
 *
 * @example
 * ```ts
 * import type { Image } from "@claude-resilience/api"
 *
 * const side = (info: Image.Info) => Math.max(info.width ?? 0, info.height ?? 0)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Info {
  readonly mediaType: Limits.ImageMediaType
  readonly width: number | undefined
  readonly height: number | undefined
}

/**
 * Reads the header of an image's bytes: its format and dimensions, or `undefined` when the bytes are
 * not a JPEG, PNG, GIF or WebP file.
 *
 * @example
 * ```ts
 * import { Image } from "@claude-resilience/api"
 *
 * const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x20, 0x00, 0x10, 0x00])
 * Image.fromBytes(gif) // { mediaType: "image/gif", width: 32, height: 16 }
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromBytes: (bytes: Uint8Array) => Info | undefined = internal.fromBytes

/**
 * Reads the header of a base64-encoded image (the `data` of a base64 image source), decoding only
 * the bytes it reads. A string that is not base64 from its first character (a `data:` URL, say) is
 * not an image: `undefined`.
 *
 * @example
 * ```ts
 * import { Image } from "@claude-resilience/api"
 *
 * const onePixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
 * Image.fromBase64(onePixel) // { mediaType: "image/png", width: 1, height: 1 }
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromBase64: (data: string) => Info | undefined = internal.fromBase64
