/**
 * Images for tests of anything that checks images (the client's preflight, FakeClaude): the
 * smallest JPEG, PNG, GIF or WebP file whose header says the given width and height, as bytes, as
 * base64, or as an image block. Only the header is real; the pixels are not there.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import * as internal from "./internal/fakeImage.js"

/**
 * The formats the API accepts.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { FakeImage } from "@claude-resilience/testing"
 *
 * const png: FakeImage.MediaType = "image/png"
 * ```
 */
export type MediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp"

/**
 * An image block of a request, with a base64 source.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import type { FakeImage } from "@claude-resilience/testing"
 *
 * const data = (block: FakeImage.ImageBlock) => block.source.data
 * ```
 */
export interface ImageBlock extends Anthropic.Messages.ImageBlockParam {
  readonly source: Anthropic.Messages.Base64ImageSource
}

/**
 * The largest side a format's header can say: 65535 for JPEG and GIF, 2^24 for WebP (VP8X),
 * 2^31 - 1 for PNG.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeImage } from "@claude-resilience/testing"
 *
 * FakeImage.maxSide("image/gif") // 65535
 * ```
 */
export const maxSide: (mediaType: MediaType) => number = internal.maxSide

/**
 * The bytes of an image of that format and size, followed by `padding` zero bytes (to reach a
 * size). Throws a `RangeError` for a size the format cannot say.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeImage } from "@claude-resilience/testing"
 *
 * const png = FakeImage.bytes("image/png", 800, 600)
 * ```
 */
export const bytes: (mediaType: MediaType, width: number, height: number, padding?: number) => Uint8Array =
  internal.bytes

/**
 * {@link bytes} as base64, the `data` of an image source.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeImage } from "@claude-resilience/testing"
 *
 * const data = FakeImage.base64("image/webp", 9000, 100)
 * ```
 */
export const base64: (mediaType: MediaType, width: number, height: number, padding?: number) => string = internal.base64

/**
 * An image block with a base64 source of {@link bytes}.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { FakeImage } from "@claude-resilience/testing"
 *
 * const message = { role: "user" as const, content: [FakeImage.block("image/jpeg", 640, 480), { type: "text" as const, text: "What is this?" }] }
 * ```
 */
export const block: (mediaType: MediaType, width: number, height: number, padding?: number) => ImageBlock =
  internal.block
