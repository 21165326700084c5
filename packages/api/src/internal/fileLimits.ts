import type * as FileLimits from "../FileLimits.js"

// Files guide, "File storage and limits" (platform.claude.com/docs/en/build-with-claude/files, read
// 2026-12-02): "Maximum file size: 500 MB per file". Taken as 500 × 1024 × 1024.
export const MAX_BYTES = 500 * 1024 * 1024
// SDK 1.16, resources/files.d.ts, `FileUploadParams.expires_in_seconds`: "between 3600 (one hour) and
// 7776000 (ninety days)".
export const MIN_EXPIRES_IN_SECONDS = 3_600
export const MAX_EXPIRES_IN_SECONDS = 7_776_000

// Files guide, "File types and content blocks": PDF and plain text go in `document` blocks, JPEG, PNG,
// GIF and WebP in `image` blocks; other types only in a code-execution container (`container_upload`).
export const BLOCK_TYPES: Readonly<Record<string, FileLimits.BlockType>> = {
  "application/pdf": "document",
  "text/plain": "document",
  "image/jpeg": "image",
  "image/png": "image",
  "image/gif": "image",
  "image/webp": "image"
}

const BY_EXTENSION: Readonly<Record<string, string>> = {
  pdf: "application/pdf",
  txt: "text/plain",
  text: "text/plain",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  csv: "text/csv",
  json: "application/json",
  md: "text/markdown",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
}

export const mimeTypeOf = (filename: string): string | undefined => {
  const dot = filename.lastIndexOf(".")
  const extension = dot < 0 ? "" : filename.slice(dot + 1).toLowerCase()
  return Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined
}

export const blockTypeOf = (mimeType: string): FileLimits.BlockType =>
  Object.hasOwn(BLOCK_TYPES, mimeType) ? BLOCK_TYPES[mimeType]! : "container_upload"
