/**
 * FakeClaude's Files and Models endpoints through the real SDK over HTTP.
 */
import { toFile } from "@anthropic-ai/sdk"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { attempt, rejection, withFake } from "./helpers.js"

const statusOf = (e: unknown): number | undefined => (e as { status?: number }).status

/** Every byte value, twice: a body that is not UTF-8. */
const BINARY = new Uint8Array(512).map((_, i) => i % 256)

describe("FakeClaude Files", () => {
  it.live("uploads, lists, retrieves and deletes a file with the GA shapes", () =>
    withFake({ seed: 1 }, (fake, client) =>
      Effect.gen(function* () {
        const uploaded = yield* attempt(async () =>
          client.files.upload({
            file: await toFile(Buffer.from("hello, file"), "notes/hello.txt", { type: "text/plain" })
          })
        )
        assert.match(uploaded.id, /^file_01/)
        assert.strictEqual(uploaded.type, "file")
        assert.strictEqual(uploaded.filename, "hello.txt")
        assert.strictEqual(uploaded.mime_type, "text/plain")
        assert.strictEqual(uploaded.size_bytes, 11)
        assert.strictEqual(uploaded.downloadable, false)
        assert.isNull(uploaded.expires_at)
        const listed = yield* attempt(() => client.files.list())
        assert.deepStrictEqual(
          listed.data.map((f) => f.id),
          [uploaded.id]
        )
        assert.deepStrictEqual(yield* attempt(() => client.files.retrieveMetadata(uploaded.id)), uploaded)
        const notDownloadable = yield* rejection(() => client.files.download(uploaded.id))
        assert.strictEqual(statusOf(notDownloadable), 400)
        const deleted = yield* attempt(() => client.files.delete(uploaded.id))
        assert.deepStrictEqual(deleted, { id: uploaded.id, type: "file_deleted" })
        assert.strictEqual(statusOf(yield* rejection(() => client.files.retrieveMetadata(uploaded.id))), 404)
        // no beta header is needed: the Files API is GA in SDK 1.16
        const records = yield* fake.requests
        assert.isUndefined(records[0]?.headers["anthropic-beta"])
      })
    )
  )

  it.live("keeps binary content byte for byte, with the type from the extension and an expiry", () =>
    withFake({ seed: 1, filesDownloadable: true }, (_fake, client) =>
      Effect.gen(function* () {
        const uploaded = yield* attempt(async () =>
          client.files.upload({ file: await toFile(BINARY, "chart.png"), expires_in_seconds: 3600 })
        )
        assert.strictEqual(uploaded.mime_type, "image/png")
        assert.strictEqual(uploaded.size_bytes, BINARY.length)
        assert.isString(uploaded.expires_at)
        const content = yield* attempt(
          async () => new Uint8Array(await (await client.files.download(uploaded.id)).arrayBuffer())
        )
        assert.deepStrictEqual(content, BINARY)
        const tooSoon = yield* rejection(async () =>
          client.files.upload({ file: await toFile(BINARY, "a.png"), expires_in_seconds: 60 })
        )
        assert.strictEqual(statusOf(tooSoon), 400)
      })
    )
  )

  it.live("stores the upload even when its answer is lost (a cut answer)", () =>
    withFake({ seed: 1 }, (fake, client) =>
      Effect.gen(function* () {
        yield* fake.enqueue(Fault.matching(Fault.cutStream(1), (r) => r.method === "POST" && r.path === "/v1/files"))
        const lost = yield* rejection(async () =>
          client.files.upload({ file: await toFile(Buffer.from("data"), "lost.txt") })
        )
        assert.isDefined(lost)
        const listed = yield* attempt(() => client.files.list())
        assert.deepStrictEqual(
          listed.data.map((f) => f.filename),
          ["lost.txt"]
        )
      })
    )
  )

  it.live("pages the list newest first with a cursor", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        for (const name of ["a.txt", "b.txt", "c.txt"]) {
          yield* attempt(async () => client.files.upload({ file: await toFile(Buffer.from(name), name) }))
        }
        const first = yield* attempt(() => client.files.list({ limit: 2 }))
        assert.deepStrictEqual(
          first.data.map((f) => f.filename),
          ["c.txt", "b.txt"]
        )
        assert.isString(first.next_page)
        const all = yield* attempt(async () => {
          const out: Array<string> = []
          for await (const f of client.files.list({ limit: 2 })) out.push(f.filename)
          return out
        })
        assert.deepStrictEqual(all, ["c.txt", "b.txt", "a.txt"])
      })
    )
  )
})

describe("FakeClaude Models", () => {
  it.live("lists the served models from the Model table, and retrieves one by id", () =>
    withFake({ seed: 1 }, (_fake, client) =>
      Effect.gen(function* () {
        const ids = yield* attempt(async () => {
          const out: Array<string> = []
          for await (const m of client.models.list({ limit: 5 })) out.push(m.id)
          return out
        })
        assert.include(ids, "claude-sonnet-4-6")
        assert.notInclude(ids, "claude-sonnet-4-5")
        const info = yield* attempt(() => client.models.retrieve("claude-haiku-4-5"))
        assert.strictEqual(info.type, "model")
        assert.strictEqual(info.display_name, "Claude Haiku 4.5")
        assert.strictEqual(info.line, "haiku")
        assert.isAbove(info.max_input_tokens ?? 0, 0)
        assert.strictEqual(statusOf(yield* rejection(() => client.models.retrieve("claude-nope-1"))), 404)
      })
    )
  )

  it.live("lists exactly Options.models when given", () =>
    withFake({ seed: 1, models: ["claude-haiku-4-5", "my-model"] }, (_fake, client) =>
      Effect.gen(function* () {
        const page = yield* attempt(() => client.models.list())
        assert.deepStrictEqual(
          page.data.map((m) => m.id),
          ["claude-haiku-4-5", "my-model"]
        )
        assert.isFalse(page.has_more)
        assert.include(FakeClaude.defaultModels, "claude-haiku-4-5")
      })
    )
  )
})
