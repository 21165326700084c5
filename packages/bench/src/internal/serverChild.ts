/**
 * The child process of `Server.childProcess`: starts, summarizes and stops FakeClaude servers on
 * request over IPC.
 */
import type { FakeClaude } from "@claude-resilience/testing"
import * as Server from "../Server.js"

const servers = new Map<number, Server.Handle>()
let next = 0
const host = Server.inProcess()

type Request =
  | { readonly id: number; readonly type: "start"; readonly options: FakeClaude.Options }
  | { readonly id: number; readonly type: "summary" | "pending" | "stop"; readonly server: number }

const handle = async (request: Request): Promise<unknown> => {
  switch (request.type) {
    case "start": {
      const server = next++
      const handle = await host.start(request.options)
      servers.set(server, handle)
      return { server, url: handle.url, apiKey: handle.apiKey }
    }
    case "summary": {
      const handle = servers.get(request.server)
      if (handle === undefined) throw new Error(`no server ${request.server}`)
      return handle.summary()
    }
    case "pending": {
      const handle = servers.get(request.server)
      if (handle === undefined) throw new Error(`no server ${request.server}`)
      return handle.pending()
    }
    case "stop": {
      const handle = servers.get(request.server)
      servers.delete(request.server)
      await handle?.close()
      return undefined
    }
  }
}

process.on("message", (request: Request) => {
  handle(request).then(
    (value) => process.send?.({ id: request.id, ok: true, value }),
    (error: unknown) => process.send?.({ id: request.id, ok: false, error: String(error) })
  )
})
process.on("disconnect", () => process.exit(0))
