/**
 * The Redis of the fleet benchmark: `REDIS_URL` when set, else a private `redis-server` on a free
 * loopback port (no persistence), stopped when the benchmark ends; `undefined` when neither is
 * available (the Redis contender is then skipped, and the report says so). The test suite's
 * `vitest.redis.ts` does the same for the tests.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import * as net from "node:net"
import * as path from "node:path"

export interface Redis {
  readonly url: string
  readonly source: "REDIS_URL" | "redis-server"
  readonly stop: () => Promise<void>
}

const binary = (): string | undefined =>
  [...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin"]
    .filter((dir) => dir !== "")
    .map((dir) => path.join(dir, "redis-server"))
    .find((candidate) => existsSync(candidate))

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")))
  })

export const start = async (): Promise<Redis | undefined> => {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv !== undefined && fromEnv !== "") return { url: fromEnv, source: "REDIS_URL", stop: async () => {} }
  const found = binary()
  if (found === undefined) return undefined
  const port = await freePort()
  const child: ChildProcess = spawn(
    found,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    { stdio: "ignore" }
  )
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGKILL")
    })
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return undefined
    if (await answersPing(port)) return { url: `redis://127.0.0.1:${port}`, source: "redis-server", stop }
    await new Promise((r) => setTimeout(r, 50))
  }
  await stop()
  return undefined
}
