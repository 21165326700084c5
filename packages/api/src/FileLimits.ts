/**
 * What the Files API allows, in one place for the toolkit and FakeClaude: the size of a file, its
 * expiry bounds, and which content block each type can be used in. Each figure names its source.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/fileLimits.js"

/**
 * The content block a file can be referenced from: `document` (PDF, plain text), `image` (JPEG, PNG,
 * GIF, WebP), or only from a code-execution container (`container_upload`: CSV, spreadsheets, ...).
 *
 * @example
 * ```ts
 * import type { FileLimits } from "@claude-resilience/api"
 *
 * const usable: FileLimits.BlockType = "document"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type BlockType = "document" | "image" | "container_upload"

/**
 * Bytes per file: 500 MB, taken as 500 × 1024 × 1024 (Files guide, "File storage and limits"; SDK
 * 1.16's types state no limit).
 *
 * @example
 * ```ts
 * import { FileLimits } from "@claude-resilience/api"
 *
 * const fits = (bytes: number) => bytes <= FileLimits.maxBytes
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const maxBytes: number = internal.MAX_BYTES

/**
 * The bounds of `expires_in_seconds` at upload: one hour to ninety days (SDK 1.16,
 * `FileUploadParams.expires_in_seconds`).
 *
 * @example
 * ```ts
 * import { FileLimits } from "@claude-resilience/api"
 *
 * const ok = (s: number) => s >= FileLimits.expiresInSeconds.min && s <= FileLimits.expiresInSeconds.max
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const expiresInSeconds: { readonly min: number; readonly max: number } = {
  min: internal.MIN_EXPIRES_IN_SECONDS,
  max: internal.MAX_EXPIRES_IN_SECONDS
}

/**
 * The MIME types a `document` or `image` block accepts, and the block each goes in (Files guide,
 * "File types and content blocks"). Any other type is only usable in a code-execution container.
 *
 * @example
 * ```ts
 * import { FileLimits } from "@claude-resilience/api"
 *
 * Object.keys(FileLimits.blockTypes) // ["application/pdf", "text/plain", "image/jpeg", ...]
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const blockTypes: Readonly<Record<string, BlockType>> = internal.BLOCK_TYPES

/**
 * The block a MIME type can be referenced from.
 *
 * @example
 * ```ts
 * import { FileLimits } from "@claude-resilience/api"
 *
 * FileLimits.blockTypeOf("text/csv") // "container_upload"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const blockTypeOf: (mimeType: string) => BlockType = internal.blockTypeOf

/**
 * The MIME type of a filename from its extension (`undefined` for an unknown one).
 *
 * @example
 * ```ts
 * import { FileLimits } from "@claude-resilience/api"
 *
 * FileLimits.mimeTypeOf("report.PDF") // "application/pdf"
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const mimeTypeOf: (filename: string) => string | undefined = internal.mimeTypeOf
