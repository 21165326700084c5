/**
 * The Files helpers over `Claude.request`: an upload that checks size and type first and never leaves a
 * second copy behind (before retrying an attempt whose answer may have been lost, it looks for the
 * file in the list), a download read whole inside the attempt (a cut body is retried), a delete for
 * which a 404 after a lost answer means done, and the list as a stream of pages.
 */
import { toFile } from "@anthropic-ai/sdk"
import { FileLimits } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Claude from "../Claude.js"
import type * as Files from "../Files.js"
import { FileTooLargeError, UnsupportedFileTypeError } from "../ResourceError.js"

/**
 * Whether the request of a failed attempt may have reached the API and done its work: the connection
 * dropped after sending, the attempt timed out, or the API (or a proxy) failed on its side. A 429,
 * 503, 529 or an open circuit are refusals: nothing was done.
 */
export const mayHaveLanded = (e: ClaudeError.ClaudeError): boolean => {
  switch (e._tag) {
    case "ConnectionError":
      return e.reason !== "refused" && e.reason !== "dns"
    case "TimeoutError":
    case "GatewayTimeoutError":
    case "BadGatewayError":
    case "ApiError":
      return true
    case "UnknownApiError":
      return e.status === undefined || e.status >= 500
    default:
      return false
  }
}

/** The call's schedule (`false`: none), else the `RetryPolicy` override, else the client's. */
const scheduleOf = (
  claude: Claude.Service,
  options: Claude.CallOptions | undefined
): Effect.Effect<Schedule.Schedule<unknown, ClaudeError.ClaudeError>> =>
  options?.retry === false
    ? Effect.succeed(Schedule.stop)
    : options?.retry !== undefined
      ? Effect.succeed(options.retry)
      : RetryPolicy.resolve(claude.retrySchedule)

/** Retries `attempt` on the call's schedule; `attempt` sees the failure of the attempt before it. */
const retryWithMemory = <A, R>(
  claude: Claude.Service,
  options: Claude.CallOptions | undefined,
  attempt: (previous: ClaudeError.ClaudeError | undefined) => Effect.Effect<A, ClaudeError.ClaudeError, R>
): Effect.Effect<A, ClaudeError.ClaudeError, R> =>
  Effect.gen(function* () {
    const schedule = yield* scheduleOf(claude, options)
    const last = yield* Ref.make<ClaudeError.ClaudeError | undefined>(undefined)
    const once = Effect.flatMap(Ref.get(last), attempt).pipe(Effect.tapError((e) => Ref.set(last, e)))
    return yield* Effect.retry(once, schedule)
  })

/** One attempt of a call: no retry of its own, the rest of the call's options kept. */
const single = (options: Claude.CallOptions | undefined): Claude.RequestOptions => ({ ...options, retry: false })

/** Every file, newest first, one resilient request per page. */
export const list = (
  options?: Files.ListOptions
): Stream.Stream<Files.FileMetadata, ClaudeError.ClaudeError, Claude.Claude> =>
  Stream.unwrap(
    Effect.map(Claude.Claude, (claude) =>
      Stream.paginateChunkEffect(undefined as string | undefined, (page) =>
        claude
          .request(
            "files.list",
            (sdk, request) =>
              sdk.files.list(
                { ...(options?.limit !== undefined ? { limit: options.limit } : {}), ...(page ? { page } : {}) },
                request
              ),
            options
          )
          .pipe(
            Effect.map((result) => {
              const next = result.next_page
              return [result.data, next === null || next.length === 0 ? Option.none() : Option.some(next)] as const
            }),
            Effect.map(([data, next]) => [Chunk.unsafeFromArray(data), next] as const)
          )
      )
    )
  )

/** The file's bytes as a `Uint8Array`. */
const bytesOf = (content: Uint8Array | Blob): Effect.Effect<Uint8Array> =>
  content instanceof Uint8Array
    ? Effect.succeed(content)
    : Effect.promise(async () => new Uint8Array(await content.arrayBuffer()))

/** `report.pdf` → `report.<16 hex of SHA-256>.pdf`. */
const fingerprinted = (filename: string, bytes: Uint8Array): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new Uint8Array(bytes)))
    const hex = Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("")
    const dot = filename.lastIndexOf(".")
    return dot <= 0 ? `${filename}.${hex}` : `${filename.slice(0, dot)}.${hex}${filename.slice(dot)}`
  })

/** The checks before any byte is sent: size, then type. */
const check = (
  input: Files.UploadInput,
  bytes: Uint8Array,
  mimeType: string,
  options: Files.UploadOptions | undefined
): Effect.Effect<void, FileTooLargeError | UnsupportedFileTypeError> => {
  const maxBytes = options?.maxBytes ?? FileLimits.maxBytes
  if (bytes.byteLength > maxBytes) {
    return Effect.fail(
      new FileTooLargeError({
        message: `${input.filename} has ${bytes.byteLength} bytes; the limit is ${maxBytes}`,
        filename: input.filename,
        sizeBytes: bytes.byteLength,
        maxBytes
      })
    )
  }
  const allowed = options?.allowedTypes ?? Object.keys(FileLimits.blockTypes)
  if (allowed !== "any" && !allowed.includes(mimeType)) {
    return Effect.fail(
      new UnsupportedFileTypeError({
        message: `${input.filename} is ${mimeType}; allowed: ${allowed.join(", ")} (pass allowedTypes: "any" for a code-execution container)`,
        filename: input.filename,
        mimeType,
        allowed
      })
    )
  }
  return Effect.void
}

/** The newest file with this name and size created since `since` (epoch ms), if the list has one. */
const findUploaded = (filename: string, size: number, since: number, options: Files.UploadOptions | undefined) =>
  list(options).pipe(
    Stream.takeWhile((file) => Date.parse(file.created_at) >= since),
    Stream.filter((file) => file.filename === filename && file.size_bytes === size),
    Stream.runHead
  )

/** Upload with the checks first and no duplicate left behind. */
export const upload = (
  input: Files.UploadInput,
  options?: Files.UploadOptions
): Effect.Effect<
  Files.FileMetadata,
  ClaudeError.ClaudeError | FileTooLargeError | UnsupportedFileTypeError,
  Claude.Claude
> =>
  Effect.gen(function* () {
    const claude = yield* Claude.Claude
    const bytes = yield* bytesOf(input.content)
    const mimeType = input.mimeType ?? FileLimits.mimeTypeOf(input.filename) ?? "application/octet-stream"
    yield* check(input, bytes, mimeType, options)
    const filename = options?.fingerprint === true ? yield* fingerprinted(input.filename, bytes) : input.filename
    const since = (yield* Clock.currentTimeMillis) - Duration.toMillis(options?.clockSkew ?? Duration.minutes(5))
    const landed = findUploaded(filename, bytes.byteLength, since, options)
    const send = claude.request(
      "files.upload",
      async (sdk, request) =>
        sdk.files.upload(
          {
            file: await toFile(bytes, filename, { type: mimeType }),
            ...(input.expiresInSeconds !== undefined ? { expires_in_seconds: input.expiresInSeconds } : {})
          },
          request
        ),
      single(options)
    )
    const attempt = (previous: ClaudeError.ClaudeError | undefined) =>
      previous === undefined || !mayHaveLanded(previous)
        ? send
        : Effect.flatMap(landed, Option.match({ onNone: () => send, onSome: Effect.succeed }))
    return yield* retryWithMemory(claude, options, attempt).pipe(
      // the last attempt's answer may have been lost too
      Effect.catchIf(mayHaveLanded, (e) =>
        Effect.flatMap(landed, Option.match({ onNone: () => Effect.fail(e), onSome: Effect.succeed }))
      ),
      Effect.withSpan("claude.files.upload_deduplicated", { attributes: { "claude.file.name": filename } })
    )
  })

/** Metadata of one file. */
export const retrieve = (fileId: string, options?: Claude.CallOptions) =>
  Effect.flatMap(Claude.Claude, (claude) =>
    claude.request("files.retrieve", (sdk, request) => sdk.files.retrieveMetadata(fileId, {}, request), options)
  )

/** The content, read whole within the attempt, so a cut download is retried. */
export const download = (fileId: string, options?: Claude.CallOptions) =>
  Effect.flatMap(Claude.Claude, (claude) =>
    claude.request(
      "files.download",
      async (sdk, request) => new Uint8Array(await (await sdk.files.download(fileId, {}, request)).arrayBuffer()),
      options
    )
  )

/** Delete; a 404 after an attempt whose answer may have been lost means the file is gone: done. */
export const remove = (
  fileId: string,
  options?: Claude.CallOptions
): Effect.Effect<Files.DeletedFile, ClaudeError.ClaudeError, Claude.Claude> =>
  Effect.flatMap(Claude.Claude, (claude) =>
    retryWithMemory(claude, options, (previous) =>
      claude
        .request("files.delete", (sdk, request) => sdk.files.delete(fileId, {}, request), single(options))
        .pipe(
          Effect.catchIf(
            (e) => e._tag === "NotFoundError" && previous !== undefined && mayHaveLanded(previous),
            () => Effect.succeed<Files.DeletedFile>({ id: fileId, type: "file_deleted" })
          )
        )
    )
  )
