/**
 * The Files endpoints (the GA shapes of SDK 1.16's `client.files`), after the router's common steps:
 * upload (multipart, size checked against `FileLimits`), list (newest first, cursor pages), metadata,
 * content (only when `filesDownloadable`, as the API allows only tool-created files) and delete.
 *
 * @internal
 */
import { FileLimits } from "@claude-resilience/api"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Exchange from "./exchange.js"
import * as Multipart from "./multipart.js"
import type { StoredFile } from "./resource.js"
import * as Resource from "./resource.js"

/** The SDK's `FileMetadata`. */
const metadata = (exchange: Exchange.Exchange, file: StoredFile) => ({
  id: file.id,
  type: "file" as const,
  filename: file.filename,
  mime_type: file.mimeType,
  size_bytes: file.bytes.length,
  created_at: Resource.iso(file.createdAt),
  downloadable: exchange.state.config.filesDownloadable,
  expires_at: file.expiresAt === undefined ? null : Resource.iso(file.expiresAt)
})

/** The file the path names (`/v1/files/:id/...`), or the API's 404. */
const found = (exchange: Exchange.Exchange) =>
  Effect.suspend(() => {
    const id = Resource.segments(exchange)[2] ?? ""
    const file = exchange.state.files.get(id)
    return file === undefined ? Resource.notFound(exchange, `File not found: ${id}`) : Effect.succeed(file)
  })

/** "Only the final path component of the part's `filename` is kept" (SDK 1.16, `FileUploadParams.file`). */
const basename = (filename: string | undefined, mimeType: string): string => {
  const last = (filename ?? "").split(/[/\\]/).pop() ?? ""
  if (last.length > 0) return last
  const extension = Object.entries({ pdf: "application/pdf", txt: "text/plain", png: "image/png" }).find(
    ([, type]) => type === mimeType
  )?.[0]
  return extension === undefined ? "unnamed" : `unnamed.${extension}`
}

/** `POST /v1/files`: multipart with a `file` part and an optional `expires_in_seconds`. @internal */
export const upload: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const { state } = exchange
    const parts = Multipart.parse(incoming.bytes, incoming.request.headers["content-type"] ?? "")
    const part = parts?.find((p) => p.name === "file")
    if (part === undefined) return yield* Resource.invalid(exchange, "file: Field required")
    if (part.data.length > FileLimits.maxBytes) {
      return yield* Exchange.refuse(exchange, {
        status: 413,
        type: "request_too_large",
        message: `File exceeds the maximum size of ${FileLimits.maxBytes} bytes`
      })
    }
    const expiresIn = parts?.find((p) => p.name === "expires_in_seconds")?.data.toString("utf8")
    const seconds = expiresIn === undefined ? undefined : Number(expiresIn)
    if (
      seconds !== undefined &&
      !(
        Number.isInteger(seconds) &&
        seconds >= FileLimits.expiresInSeconds.min &&
        seconds <= FileLimits.expiresInSeconds.max
      )
    ) {
      return yield* Resource.invalid(
        exchange,
        `expires_in_seconds: must be between ${FileLimits.expiresInSeconds.min} and ${FileLimits.expiresInSeconds.max}`
      )
    }
    const declared = part.contentType?.split(";")[0]?.trim()
    const mimeType =
      declared === undefined || declared === "application/octet-stream"
        ? (FileLimits.mimeTypeOf(part.filename ?? "") ?? "application/octet-stream")
        : declared
    const createdAt = state.time.epoch()
    const file: StoredFile = {
      id: Resource.nextId(state, "file"),
      filename: basename(part.filename, mimeType),
      mimeType,
      bytes: new Uint8Array(part.data),
      createdAt,
      expiresAt: seconds === undefined ? undefined : createdAt + seconds * 1000
    }
    state.files.set(file.id, file)
    return yield* Resource.json(exchange, fault, metadata(exchange, file))
  }).pipe(Effect.merge)

/** `GET /v1/files`: newest first, `PageCursor` pages. @internal */
export const list: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const files = [...exchange.state.files.values()].reverse().map((file) => metadata(exchange, file))
    return yield* Resource.json(exchange, fault, Resource.cursorPage(files, Resource.query(exchange)))
  }).pipe(Effect.merge)

/** `GET /v1/files/:id`. @internal */
export const retrieve: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const file = yield* found(exchange)
    return yield* Resource.json(exchange, fault, metadata(exchange, file))
  }).pipe(Effect.merge)

/** `DELETE /v1/files/:id`. @internal */
export const remove: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const file = yield* found(exchange)
    exchange.state.files.delete(file.id)
    return yield* Resource.json(exchange, fault, { id: file.id, type: "file_deleted" })
  }).pipe(Effect.merge)

/** `GET /v1/files/:id/content`: the bytes; a `cutStream` fault sends half of them, then destroys the socket. @internal */
export const content: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming, true)
    const file = yield* found(exchange)
    if (!exchange.state.config.filesDownloadable) {
      return yield* Resource.invalid(exchange, `File ${file.id} is not downloadable: only files a tool created are`)
    }
    if (fault?._tag === "Latency") yield* exchange.state.time.sleep(fault.millis)
    if (fault?._tag !== "CutStream") {
      return yield* Effect.sync(() => {
        Exchange.finish(exchange, 200, file.bytes.length)
        return HttpServerResponse.uint8Array(file.bytes, {
          status: 200,
          contentType: file.mimeType,
          headers: Exchange.headers(exchange)
        })
      })
    }
    exchange.socket.writeHead(200, {
      ...Exchange.headers(exchange),
      "content-type": file.mimeType,
      "content-length": String(file.bytes.length)
    })
    yield* Effect.async<void>((resume) => {
      exchange.socket.write(file.bytes.subarray(0, Math.floor(file.bytes.length / 2)), () => resume(Effect.void))
    })
    return yield* Exchange.destroy(exchange, "cut")
  }).pipe(Effect.merge)
