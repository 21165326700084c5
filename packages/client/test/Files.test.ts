/**
 * Files through the client's resilience, with the real SDK over HTTP against FakeClaude.
 */
import { Files } from "@claude-resilience/client"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schedule, Stream } from "effect"
import { calls, withFake } from "./fake.js"

const text = (s: string) => new TextEncoder().encode(s)
const onUpload = (r: Fault.RequestInfo) => r.method === "POST" && r.path === "/v1/files"
const allFiles = Effect.map(Stream.runCollect(Files.list()), Chunk.toArray)

describe("Files.upload", () => {
  it.live("uploads with the GA endpoint: no beta header, type from the extension", () =>
    Effect.gen(function* () {
      const file = yield* Files.upload({ filename: "notes.txt", content: text("hello") })
      expect(file.filename).toBe("notes.txt")
      expect(file.mime_type).toBe("text/plain")
      expect(file.size_bytes).toBe(5)
      const fake = yield* FakeClaude.FakeClaude
      const [request] = yield* fake.requests
      expect(request?.headers["anthropic-beta"]).toBeUndefined()
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("refuses a file too large or of a type not allowed before sending anything", () =>
    Effect.gen(function* () {
      const big = yield* Effect.flip(Files.upload({ filename: "a.pdf", content: new Uint8Array(11) }, { maxBytes: 10 }))
      expect(big._tag).toBe("FileTooLargeError")
      const csv = yield* Effect.flip(Files.upload({ filename: "rows.csv", content: text("a,b\n1,2\n") }))
      expect(csv._tag).toBe("UnsupportedFileTypeError")
      expect(yield* calls).toEqual([])
      const any = yield* Files.upload({ filename: "rows.csv", content: text("a,b\n1,2\n") }, { allowedTypes: "any" })
      expect(any.mime_type).toBe("text/csv")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("finds the file of an attempt whose answer was lost instead of uploading it again", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.matching(Fault.cutStream(1), onUpload))
      const file = yield* Files.upload({ filename: "report.pdf", content: text("%PDF-1.7 ...") })
      const stored = yield* allFiles
      expect(stored.map((f) => f.id)).toEqual([file.id])
      const seen = yield* calls
      expect(seen.filter((c) => c === "POST /v1/files")).toHaveLength(1)
      expect(seen).toContain("GET /v1/files")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("looks once more when the last attempt's answer was lost", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.matching(Fault.cutStream(1), onUpload))
      const file = yield* Files.upload({ filename: "report.pdf", content: text("%PDF") }, { retry: false })
      expect((yield* allFiles).map((f) => f.id)).toEqual([file.id])
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("retries a refusal (529, 429) without looking: nothing was stored", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(
        Fault.matching(Fault.status(529), onUpload),
        Fault.matching(Fault.status(429, { retryAfter: "0" }), onUpload)
      )
      yield* Files.upload({ filename: "a.txt", content: text("a") })
      expect(yield* calls).toEqual(["POST /v1/files", "POST /v1/files", "POST /v1/files"])
      expect(yield* allFiles).toHaveLength(1)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("with a fingerprint, does not take an older file of the same name and size for a lost upload", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const older = yield* Files.upload({ filename: "same.txt", content: text("aaaa") }, { fingerprint: true })
      // a reset before the server read the upload: nothing stored, but the client cannot know
      yield* fake.enqueue(Fault.matching(Fault.reset(), onUpload))
      const newer = yield* Files.upload({ filename: "same.txt", content: text("bbbb") }, { fingerprint: true })
      expect(older.filename).toMatch(/^same\.[0-9a-f]{16}\.txt$/)
      expect(newer.id).not.toBe(older.id)
      expect(newer.filename).not.toBe(older.filename)
      expect(yield* allFiles).toHaveLength(2)
      expect((yield* calls).filter((c) => c === "POST /v1/files")).toHaveLength(3)
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("Files: list, download, remove", () => {
  it.live("downloads whole even when a download is cut", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const content = new Uint8Array(300).map((_, i) => (i * 7) % 256)
      const file = yield* Files.upload({ filename: "chart.png", content })
      yield* fake.enqueue(Fault.matching(Fault.cutStream(1), (r) => r.path.endsWith("/content")))
      const bytes = yield* Files.download(file.id)
      expect(bytes).toEqual(content)
      expect((yield* Files.retrieve(file.id)).size_bytes).toBe(300)
    }).pipe(Effect.provide(withFake({ filesDownloadable: true })))
  )

  it.live("removes, taking a 404 after a lost answer as done; a 404 otherwise fails", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const file = yield* Files.upload({ filename: "a.txt", content: text("a") })
      yield* fake.enqueue(Fault.matching(Fault.cutStream(1), (r) => r.method === "DELETE"))
      expect(yield* Files.remove(file.id)).toEqual({ id: file.id, type: "file_deleted" })
      expect(yield* allFiles).toEqual([])
      const again = yield* Effect.flip(Files.remove(file.id))
      expect(again._tag).toBe("NotFoundError")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("lists every page, retrying a failed page", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      for (const name of ["a.txt", "b.txt", "c.txt"]) yield* Files.upload({ filename: name, content: text(name) })
      yield* fake.enqueue(Fault.matching(Fault.status(500), (r) => r.method === "GET"))
      const names = yield* Stream.runCollect(Files.list({ limit: 2 }).pipe(Stream.map((f) => f.filename)))
      expect(Chunk.toArray(names)).toEqual(["c.txt", "b.txt", "a.txt"])
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("gives up on the retry schedule's terms", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(...Fault.times(Fault.matching(Fault.status(503), onUpload), 10))
      const error = yield* Effect.flip(
        Files.upload({ filename: "a.txt", content: text("a") }, { retry: Schedule.recurs(2) })
      )
      expect(error._tag).toBe("ServiceUnavailableError")
      expect((yield* calls).filter((c) => c === "POST /v1/files")).toHaveLength(3)
    }).pipe(Effect.provide(withFake({})))
  )
})
