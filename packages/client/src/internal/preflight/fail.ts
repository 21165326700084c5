/**
 * The preflight's failures: a `PreflightError` per check (the value at fault, a message that says
 * what is wrong, the advice that says how to fix it), and the `RequestTooLargeError` of the size
 * check. Built only when a check fails, so the happy path allocates nothing here.
 */
import { ClaudeError } from "@claude-resilience/errors"

/** A value, for a message: short, never an object's contents. */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 80 ? `${u.slice(0, 80)}…` : u)
  if (typeof u === "number" || typeof u === "boolean" || u === null || u === undefined) return String(u)
  return Array.isArray(u) ? "an array" : `a ${typeof u}`
}

export const preflightError = (
  check: ClaudeError.PreflightCheck,
  field: string,
  message: string,
  advice: string,
  suggestions?: ReadonlyArray<string>
): ClaudeError.PreflightError =>
  new ClaudeError.PreflightError({
    message,
    check,
    field,
    advice,
    ...(suggestions !== undefined ? { suggestions } : {})
  })

export const ADVICE = {
  maxTokensInvalid: "Set max_tokens to a whole number of at least 1.",
  maxTokensOver: (model: string, cap: number) =>
    `Lower max_tokens to at most ${cap}, the output cap of ${model}, or let preflight clamp it (maxTokens: "clamp", the default).`,
  unknownModel: (suggestions: ReadonlyArray<string>) =>
    `Use a current model id${suggestions.length > 0 ? ` (did you mean ${suggestions.join(", ")}?)` : ""}; Model.all lists the ids the toolkit knows. To send ids it does not know yet, set unknownModel to "warn" or false.`,
  retiredModel: (suggestions: ReadonlyArray<string>) =>
    `Move to a current model${suggestions.length > 0 ? ` (${suggestions.join(", ")})` : ""}: the API answers a retired id with 404 not_found_error.`,
  image:
    "Send a JPEG, PNG, GIF or WebP image of at most 5 MB of base64 and 8000×8000 px (2000×2000 px when the request holds more than 20 images): resize or re-encode it, or upload it once with the Files API and send its file_id.",
  imageMediaType: (detected: string) => `Set media_type to "${detected}", the format the image's bytes are in.`,
  imageDataUrl:
    'Send only the base64 text: drop the "data:<type>;base64," prefix of a data URL and put the type in media_type.',
  tooManyImages: (max: number) =>
    `Send at most ${max} images in one request: split the work, or drop images the answer does not need.`,
  cacheBreakpoints:
    "Keep at most 4 cache_control breakpoints (a top-level cache_control takes one): the cache works by prefix, so a breakpoint at the end of each stable part (tools, system, the conversation so far) is enough.",
  cacheControlPlacement:
    "Remove cache_control from thinking and redacted_thinking blocks: they are cached as part of the content before a breakpoint, never marked themselves.",
  cacheControlValue:
    'Write cache_control as { type: "ephemeral" }, with ttl "5m" (the default) or "1h" if you need one.',
  toolName: 'Name each tool with 1 to 64 letters, digits, "_" or "-" (^[a-zA-Z0-9_-]{1,64}$), each name once.',
  toolSchema: 'Give each custom tool an input_schema that is a JSON Schema object with type: "object".'
} as const

export const requestTooLarge = (bytes: number, maxBytes: number): ClaudeError.RequestTooLargeError =>
  new ClaudeError.RequestTooLargeError({
    message: `the request body is ${bytes} bytes, above the API's limit of ${maxBytes} bytes: upload large images and documents once with the Files API and send their file_id instead of base64`,
    preflight: true,
    bytes,
    maxBytes
  })
