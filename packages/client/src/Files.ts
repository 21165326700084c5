/**
 * The Files API with the client's resilience: an upload checked for size and type before any byte is
 * sent, retried without ever leaving a second copy behind, and list, metadata, download and delete
 * retried like messages. Every call goes through `Claude.request` (retry → breaker on the `files`
 * circuit → attempt timeout → the SDK's `client.files`).
 *
 * The Files API is generally available in SDK 1.16 (since 0.119.0): `client.files` sends no
 * `anthropic-beta` header, and the old `files-api-2025-04-14` value would select the beta response
 * shapes. A gateway that still wants the beta header gets it through `headers`.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import type { ClaudeError } from "@claude-resilience/errors"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Claude from "./Claude.js"
import * as internal from "./internal/files.js"
import type { FileTooLargeError, UnsupportedFileTypeError } from "./ResourceError.js"

/**
 * A file's metadata, as the SDK types it.
 *
 * @example
 * ```ts
 * import type { Files } from "@claude-resilience/client"
 *
 * const label = (file: Files.FileMetadata) => `${file.filename} (${file.size_bytes} bytes)`
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type FileMetadata = Anthropic.FileMetadata

/**
 * The answer of a delete.
 *
 * @example
 * ```ts
 * import type { Files } from "@claude-resilience/client"
 *
 * const gone = (d: Files.DeletedFile) => d.id
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type DeletedFile = Anthropic.DeletedFile

/**
 * What to upload: the bytes (a `Uint8Array`, a Node `Buffer` or a `Blob`), the filename, and
 * optionally the MIME type (default: from the extension, see `FileLimits.mimeTypeOf`, else
 * `application/octet-stream`) and an expiry (`FileLimits.expiresInSeconds`: 1 hour to 90 days).
 *
 * @example
 * ```ts
 * import type { Files } from "@claude-resilience/client"
 *
 * const input: Files.UploadInput = { filename: "report.pdf", content: new Uint8Array([37, 80, 68, 70]) }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface UploadInput {
  readonly filename: string
  readonly content: Uint8Array | Blob
  readonly mimeType?: string | undefined
  readonly expiresInSeconds?: number | undefined
}

/**
 * Options of {@link upload}, besides those of a call (`retry`, `timeout`, `headers`, ...).
 *
 * | option | default |
 * |---|---|
 * | `maxBytes` | `FileLimits.maxBytes` (500 MB) |
 * | `allowedTypes` | the types of a `document` or `image` block (`FileLimits.blockTypes`); `"any"` for a code-execution container |
 * | `fingerprint` | `false`; `true` puts 16 hex digits of the content's SHA-256 in the filename, so a lost upload is recognised by content, not only by name and size |
 * | `clockSkew` | 5 minutes: how far the API's clock may be behind ours when looking for a lost upload |
 *
 * @example
 * ```ts
 * import type { Files } from "@claude-resilience/client"
 *
 * const options: Files.UploadOptions = { allowedTypes: "any", fingerprint: true, timeout: "2 minutes" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface UploadOptions extends Claude.CallOptions {
  readonly maxBytes?: number | undefined
  readonly allowedTypes?: ReadonlyArray<string> | "any" | undefined
  readonly fingerprint?: boolean | undefined
  readonly clockSkew?: Duration.DurationInput | undefined
}

/**
 * Options of {@link list}: those of a call, and the page size.
 *
 * @example
 * ```ts
 * import type { Files } from "@claude-resilience/client"
 *
 * const options: Files.ListOptions = { limit: 100 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface ListOptions extends Claude.CallOptions {
  readonly limit?: number | undefined
}

/**
 * Uploads a file. Its size and type are checked first (a typed error, nothing sent). Each attempt is
 * one request; before retrying after a failure that may have reached the API (a dropped connection,
 * a timeout, a 5xx), the list is searched for a file of the same name and size created since the
 * upload began, and that file is the answer — so a lost response never leaves a second copy. The
 * same search runs once more if the last attempt fails that way.
 *
 * @example
 * ```ts
 * import { Files } from "@claude-resilience/client"
 *
 * const uploaded = Files.upload({ filename: "notes.txt", content: new TextEncoder().encode("hello") })
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const upload: (
  input: UploadInput,
  options?: UploadOptions
) => Effect.Effect<
  FileMetadata,
  ClaudeError.ClaudeError | FileTooLargeError | UnsupportedFileTypeError,
  Claude.Claude
> = internal.upload

/**
 * Every file, newest first, as a stream: one resilient request per page.
 *
 * @example
 * ```ts
 * import { Files } from "@claude-resilience/client"
 * import { Stream } from "effect"
 *
 * const names = Files.list().pipe(Stream.map((file) => file.filename), Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const list: (options?: ListOptions) => Stream.Stream<FileMetadata, ClaudeError.ClaudeError, Claude.Claude> =
  internal.list

/**
 * A file's metadata.
 *
 * @example
 * ```ts
 * import { Files } from "@claude-resilience/client"
 *
 * const meta = Files.retrieve("file_011CNha8iCJcU1wXNR6q4V8w")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retrieve: (
  fileId: string,
  options?: Claude.CallOptions
) => Effect.Effect<FileMetadata, ClaudeError.ClaudeError, Claude.Claude> = internal.retrieve

/**
 * A file's content, read whole inside the attempt, so a download cut mid-way is retried. The API
 * serves only files a tool created (`downloadable: true`); others answer 400.
 *
 * @example
 * ```ts
 * import { Files } from "@claude-resilience/client"
 *
 * const bytes = Files.download("file_011CNha8iCJcU1wXNR6q4V8w")
 * ```
 *
 * @since 0.1.0
 * @category Accessors
 */
export const download: (
  fileId: string,
  options?: Claude.CallOptions
) => Effect.Effect<Uint8Array, ClaudeError.ClaudeError, Claude.Claude> = internal.download

/**
 * Deletes a file, with retry. A 404 after an attempt whose answer may have been lost means that
 * attempt deleted it: the delete succeeds.
 *
 * @example
 * ```ts
 * import { Files } from "@claude-resilience/client"
 *
 * const deleted = Files.remove("file_011CNha8iCJcU1wXNR6q4V8w")
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const remove: (
  fileId: string,
  options?: Claude.CallOptions
) => Effect.Effect<DeletedFile, ClaudeError.ClaudeError, Claude.Claude> = internal.remove
