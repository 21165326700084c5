import type * as Limits from "../Limits.js"

const CHECKED = "2026-12-03"

const MIB = 1024 * 1024

// `verified: true`: read in Anthropic's own pages (through the stored copies the search index
// holds) on the `checked` date; `false`: a third-party copy or reports of the API's own error
// messages, see the comment beside the figure.
const source = (url: string, verified: boolean, note?: string): Limits.Source => ({
  url,
  checked: CHECKED,
  verified,
  ...(note !== undefined ? { note } : {})
})

const OVERVIEW = "https://platform.claude.com/docs/en/api/overview#request-size-limits"
const VISION = "https://platform.claude.com/docs/en/build-with-claude/vision"
const CACHING = "https://platform.claude.com/docs/en/build-with-claude/prompt-caching"
const TOOLS = "https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use"

/** "32 MB for standard endpoints (Messages, Token Counting)", answered by Cloudflare with a 413. */
export const REQUEST_BYTES = 32 * MIB

/**
 * The per-image cap of the API. Anthropic's pages name "5 MB" (the API's own 400 reads "image
 * exceeds 5 MB maximum: N bytes > 5242880 bytes", measured on the base64 text).
 */
export const IMAGE_BASE64_BYTES = 5 * MIB

export const IMAGE_MAX_SIDE = 8000
export const MANY_IMAGES = 20
export const MANY_IMAGES_MAX_SIDE = 2000
export const IMAGES_PER_REQUEST_200K = 100
export const IMAGES_PER_REQUEST = 600
export const IMAGE_MEDIA_TYPES: ReadonlyArray<Limits.ImageMediaType> = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp"
]
export const CACHE_BREAKPOINTS = 4
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

export const SOURCES: Limits.Sources = {
  requestBytes: source(
    OVERVIEW,
    true,
    '"32 MB": read as 32 MiB (33,554,432 bytes), the larger reading, so no request the API accepts is refused'
  ),
  imageBase64Bytes: source(
    VISION,
    false,
    "5 MB per image: third-party copies of the vision page and reports of the API's 400 (5,242,880 bytes of base64)"
  ),
  imageMaxSide: source(VISION, true, "8000×8000 px; 2000×2000 px when a request holds more than 20 images"),
  imagesPerRequest: source(VISION, true, "100 per request for models with a 200K-token window, 600 for the others"),
  imageMediaTypes: source(VISION, false, "image/jpeg, image/png, image/gif, image/webp (the SDK's media_type union)"),
  cacheBreakpoints: source(
    CACHING,
    false,
    'at most 4 blocks with cache_control; the API\'s 400 reads "A maximum of 4 blocks with cache_control may be provided. Found N." and a top-level cache_control takes one of the 4 (reports of that 400)'
  ),
  toolName: source(TOOLS, false, "^[a-zA-Z0-9_-]{1,64}$, from a third-party copy of the API's tool schema")
}

export const imagesPerRequest = (contextWindow: number): number =>
  contextWindow <= 200_000 ? IMAGES_PER_REQUEST_200K : IMAGES_PER_REQUEST

export const isImageMediaType = (u: unknown): u is Limits.ImageMediaType =>
  u === "image/jpeg" || u === "image/png" || u === "image/gif" || u === "image/webp"
