/**
 * The Messages API's fixed limits — request size, image size, dimensions and count, media types,
 * `cache_control` breakpoints, tool names — each with its source, read by the client's preflight
 * checks and by FakeClaude, so both enforce the same figures.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/limits.js"

/**
 * Where a figure comes from: a page, the date it was read, whether it was read in Anthropic's own
 * pages (`verified`) or taken from a third-party copy or reports of the API's messages (`false`),
 * and a note on how it is read.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * const unverified = Object.entries(Limits.sources).filter(([, s]) => !s.verified).map(([name]) => name)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Source {
  readonly url: string
  readonly checked: string
  readonly verified: boolean
  readonly note?: string | undefined
}

/**
 * The sources of the figures of this module, by name.
 *
 * @example
 * ```ts
 * import type { Limits } from "@claude-resilience/api"
 *
 * const url = (sources: Limits.Sources) => sources.requestBytes.url
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Sources {
  readonly requestBytes: Source
  readonly imageBase64Bytes: Source
  readonly imageMaxSide: Source
  readonly imagesPerRequest: Source
  readonly imageMediaTypes: Source
  readonly cacheBreakpoints: Source
  readonly toolName: Source
}

/**
 * A media type the API accepts for a base64 image.
 *
 * @example
 * ```ts
 * import type { Limits } from "@claude-resilience/api"
 *
 * const png: Limits.ImageMediaType = "image/png"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type ImageMediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp"

/**
 * The largest body of a Messages (or token-counting) request, in bytes: 32 MB, read as 32 MiB.
 * A larger one is answered with a 413 `request_too_large` before it reaches the API.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.requestBytes // 33554432
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const requestBytes: number = internal.REQUEST_BYTES

/**
 * The largest base64 `data` of one image, in bytes of base64 text: 5 MB (5,242,880).
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * const fits = (data: string) => data.length <= Limits.imageBase64Bytes
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const imageBase64Bytes: number = internal.IMAGE_BASE64_BYTES

/**
 * The longest side of an image, in pixels: 8000.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.imageMaxSide // 8000
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const imageMaxSide: number = internal.IMAGE_MAX_SIDE

/**
 * Above this many images in one request, {@link manyImagesMaxSide} replaces {@link imageMaxSide}.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * const maxSide = (images: number) => (images > Limits.manyImages ? Limits.manyImagesMaxSide : Limits.imageMaxSide)
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const manyImages: number = internal.MANY_IMAGES

/**
 * The longest side of an image in a request of more than {@link manyImages} images: 2000 px.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.manyImagesMaxSide // 2000
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const manyImagesMaxSide: number = internal.MANY_IMAGES_MAX_SIDE

/**
 * The media types the API accepts for a base64 image.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.imageMediaTypes.includes("image/webp") // true
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const imageMediaTypes: ReadonlyArray<ImageMediaType> = internal.IMAGE_MEDIA_TYPES

/**
 * The most blocks that may carry `cache_control` in one request (a top-level `cache_control`
 * takes one of them): 4.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.cacheBreakpoints // 4
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const cacheBreakpoints: number = internal.CACHE_BREAKPOINTS

/**
 * The pattern a tool's name must match: `^[a-zA-Z0-9_-]{1,64}$`.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.toolName.test("get_weather") // true
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const toolName: RegExp = internal.TOOL_NAME

/**
 * The most images one request may hold, for a model with the given context window: 100 for a
 * window of 200K tokens or less, 600 above.
 *
 * @example
 * ```ts
 * import { Limits, Model } from "@claude-resilience/api"
 *
 * Limits.imagesPerRequest(Model.contextWindow("claude-haiku-4-5")) // 100
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const imagesPerRequest: (contextWindow: number) => number = internal.imagesPerRequest

/**
 * Whether a value is a media type the API accepts for a base64 image.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.isImageMediaType("image/bmp") // false
 * ```
 *
 * @since 0.1.0
 * @category Guards
 */
export const isImageMediaType: (u: unknown) => u is ImageMediaType = internal.isImageMediaType

/**
 * Where each figure comes from.
 *
 * @example
 * ```ts
 * import { Limits } from "@claude-resilience/api"
 *
 * Limits.sources.imageMaxSide.url
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const sources: Sources = internal.SOURCES
