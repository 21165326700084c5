/**
 * Where the benchmark's FakeClaude servers run: in this process (fast to start, used by the
 * smoke test) or in a child process, so that `process.cpuUsage()` measures the client alone.
 *
 * @since 0.1.0
 */
import { fork } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { FakeClaude } from "@claude-resilience/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

/**
 * What the server saw during one contender's run.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Summary {
  /** `/v1/messages` requests received (first tries and retries) */
  readonly attempts: number
  /** requests answered 429 */
  readonly status429: number
  /** requests that arrived inside an outage window (`faultSource: "outage"`) */
  readonly duringOutage: number
  readonly byOutcome: Readonly<Record<string, number>>
  /** what the answered (200) requests were charged: requests, input and output tokens */
  readonly served: { readonly requests: number; readonly inputTokens: number; readonly outputTokens: number }
  /** real ms since the server started: the first request's arrival, the end of the last answer */
  readonly firstAt: number
  readonly lastEnd: number
  /** every answered request as `[arrival (real ms since start), input tokens, output tokens, ms to answer]` */
  readonly answers: ReadonlyArray<readonly [number, number, number, number]>
}

/**
 * One running FakeClaude.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Handle {
  readonly url: string
  readonly apiKey: string
  readonly summary: () => Promise<Summary>
  /** requests received and not yet answered to the end (FakeClaude's `stats.pending`) */
  readonly pending: () => Promise<number>
  readonly close: () => Promise<void>
}

/**
 * Starts fresh FakeClaude servers.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Host {
  /** whether the servers share this process (then CPU figures include the server's work) */
  readonly inProcess: boolean
  readonly start: (options: FakeClaude.Options) => Promise<Handle>
  readonly close: () => Promise<void>
}

/**
 * Counts the records of one server.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const summarize = (records: ReadonlyArray<FakeClaude.RecordedRequest>): Summary => {
  const byOutcome: Record<string, number> = {}
  let attempts = 0
  let status429 = 0
  let duringOutage = 0
  const served = { requests: 0, inputTokens: 0, outputTokens: 0 }
  let firstAt = Number.POSITIVE_INFINITY
  let lastEnd = 0
  const answers: Array<readonly [number, number, number, number]> = []
  for (const r of records) {
    if (r.path !== "/v1/messages") continue
    attempts += 1
    if (r.outcome === 429) status429 += 1
    if (r.faultSource === "outage") duringOutage += 1
    byOutcome[String(r.outcome)] = (byOutcome[String(r.outcome)] ?? 0) + 1
    if (r.outcome === 200) {
      served.requests += 1
      served.inputTokens += r.inputTokens ?? 0
      served.outputTokens += r.outputTokens ?? 0
      answers.push([r.time, r.inputTokens ?? 0, r.outputTokens ?? 0, r.durationMs ?? 0])
    }
    firstAt = Math.min(firstAt, r.time)
    lastEnd = Math.max(lastEnd, r.time + (r.durationMs ?? 0))
  }
  return {
    attempts,
    status429,
    duringOutage,
    byOutcome,
    served,
    firstAt: attempts === 0 ? 0 : firstAt,
    lastEnd,
    answers
  }
}

/**
 * Servers in this process, each in its own `Scope`.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const inProcess = (): Host => ({
  inProcess: true,
  start: async (options) => {
    const scope = await Effect.runPromise(Scope.make())
    const fake = await Effect.runPromise(Scope.extend(FakeClaude.make(options), scope))
    return {
      url: fake.url,
      apiKey: fake.apiKey,
      summary: () => Effect.runPromise(Effect.map(fake.requests, summarize)),
      pending: () => Effect.runPromise(Effect.map(fake.stats, (stats) => stats.pending)),
      close: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  },
  close: async () => {}
})

type Reply = { readonly id: number; readonly ok: boolean; readonly value?: unknown; readonly error?: string }

/**
 * Servers in one child process (`internal/serverChild.ts`, run through tsx), driven over IPC.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const childProcess = (): Host => {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "internal", "serverChild.ts")
  const child = fork(entry, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] })
  let next = 0
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  child.on("message", (message: Reply) => {
    const waiter = pending.get(message.id)
    if (waiter === undefined) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(new Error(message.error ?? "server child failed"))
  })
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`server child exited (${code})`))
    pending.clear()
  })
  const ask = <A>(body: Record<string, unknown>): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const id = next++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ id, ...body })
    })
  return {
    inProcess: false,
    start: async (options) => {
      const started = await ask<{ readonly server: number; readonly url: string; readonly apiKey: string }>({
        type: "start",
        options
      })
      return {
        url: started.url,
        apiKey: started.apiKey,
        summary: () => ask<Summary>({ type: "summary", server: started.server }),
        pending: () => ask<number>({ type: "pending", server: started.server }),
        close: () => ask<void>({ type: "stop", server: started.server })
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill()
      })
  }
}
