/**
 * Redis for the tests that need a real one (the rate limiter's and the circuit breaker's fleet
 * stores). As a Vitest `globalSetup` it provides `redisUrl` to the tests: `REDIS_URL` when set
 * (CI starts a server and sets it), else a private `redis-server` started here on a free port and
 * stopped after the run. Without either it fails with how to get one.
 *
 * `startRedisServer()` is also what tests use to run a server of their own (to kill it mid-run).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string
  }
}

const CANDIDATES = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin"]

/** The `redis-server` binary on PATH or in the usual places, if any. */
export const redisServerBinary = (): string | undefined => {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...CANDIDATES]
  for (const dir of dirs) {
    if (dir === "") continue
    const candidate = path.join(dir, "redis-server")
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

const HOW_TO_GET_REDIS =
  "The Redis tests need a real Redis. Either set REDIS_URL=redis://127.0.0.1:6379 to a running server " +
  "(e.g. `docker run -p 6379:6379 redis:7`), or install the server so the tests can start their own " +
  "(`sudo apt-get install redis-server` on Debian/Ubuntu, `brew install redis` on macOS)."

/** A port nobody listens on right now, from the kernel. */
export const freePort = (): Promise<number> =>
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

/** A private `redis-server` on 127.0.0.1: no persistence, stopped by `stop()`. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Starts it again on the same port (after `stop`). */
  readonly start: () => Promise<void>
  readonly stop: () => Promise<void>
}

export const startRedisServer = async (port?: number): Promise<RedisServer> => {
  const binary = redisServerBinary()
  if (binary === undefined) throw new Error(HOW_TO_GET_REDIS)
  const chosen = port ?? (await freePort())
  let child: ChildProcess | undefined
  const start = async () => {
    const proc = spawn(
      binary,
      ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
      { stdio: "ignore" }
    )
    child = proc
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode} on port ${chosen}`)
      if (await answersPing(chosen)) return
      await new Promise((r) => setTimeout(r, 50))
    }
    proc.kill("SIGKILL")
    throw new Error(`redis-server did not answer on port ${chosen} within 10 s`)
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      const proc = child
      child = undefined
      if (proc === undefined || proc.exitCode !== null) return resolve()
      proc.once("exit", () => resolve())
      proc.kill("SIGKILL")
    })
  await start()
  return { port: chosen, url: `redis://127.0.0.1:${chosen}`, start, stop }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.REDIS_URL
  if (url !== undefined && url !== "") {
    project.provide("redisUrl", url)
    return async () => undefined
  }
  const server = await startRedisServer()
  project.provide("redisUrl", server.url)
  return server.stop
}
