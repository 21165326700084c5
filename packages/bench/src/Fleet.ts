/**
 * The `fleet` scenario: several client processes share one organisation's rate limits (one
 * FakeClaude enforcing RPM, ITPM and OTPM buckets, a minute lasting a second), each with many
 * callers that always have a call in flight. Contenders: the plain SDK in each process,
 * claude-resilience without its limiter, with the in-memory limiter in each process, with the
 * limiter (and breaker) shared through Redis, and the in-memory limiter in a single process
 * holding all the callers. Measured: goodput as a share of what the tightest limit allowed, the
 * share of attempts answered 429, and the time calls waited.
 *
 * @since 0.1.0
 */
import { fork, type ChildProcess } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import * as QuotaRedis from "@claude-resilience/rate-limit/QuotaStore/Redis"
import * as Cause from "effect/Cause"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Contender from "./Contender.js"
import * as RedisServer from "./internal/redis.js"
import type * as Scenario from "./Scenario.js"
import type * as Server from "./Server.js"

/**
 * @since 0.1.0
 * @category Models
 */
export type Name = "sdk" | "unlimited" | "memory" | "redis" | "memory-single"

/**
 * Every contender, in report order.
 *
 * @since 0.1.0
 * @category Models
 */
export const names: ReadonlyArray<Name> = ["sdk", "unlimited", "memory", "redis", "memory-single"]

/**
 * What a contender is called in the report.
 *
 * @since 0.1.0
 * @category Models
 */
export const labels: Readonly<Record<Name, string>> = {
  sdk: "plain SDK (2 retries) in each process",
  unlimited: "claude-resilience without the limiter (`rateLimit: false`)",
  memory: "claude-resilience, in-memory limiter in each process",
  redis: "claude-resilience, limiter and breaker shared through Redis",
  "memory-single": "claude-resilience, in-memory limiter, all callers in one process"
}

/**
 * The bucket names, as the rate limiter names them.
 *
 * @since 0.1.0
 * @category Models
 */
export type Bucket = "requests" | "inputTokens" | "outputTokens"

/**
 * The fleet at one scale.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Setup {
  readonly processes: number
  readonly callers: number
  readonly durationMs: number
  readonly clockScale: number
  readonly limits: {
    readonly requestsPerMinute: number
    readonly inputTokensPerMinute: number
    readonly outputTokensPerMinute: number
  }
  /** the bucket the workload exhausts first */
  readonly tightest: Bucket
  readonly maxTokens: number
  readonly streamShare: number
  readonly model: string
}

/**
 * The fleet at a scale: 4 processes × 16 callers for 10 s (full), 2 × 8 for 2 s (quick). An answer
 * is about 225 output tokens for a `max_tokens` of 1,024 and a prompt of about 38 input tokens, so
 * the output bucket binds (about 71 answers per minute), with the request and input buckets at
 * about 70 % and 75 % of their limits; the first wave of calls fits in the full buckets.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const setup = (scale: Scenario.Scale): Setup => ({
  processes: scale === "quick" ? 2 : 4,
  callers: scale === "quick" ? 8 : 16,
  durationMs: scale === "quick" ? 2_000 : 10_000,
  clockScale: 60,
  limits: { requestsPerMinute: 100, inputTokensPerMinute: 3_500, outputTokensPerMinute: 16_000 },
  tightest: "outputTokens",
  maxTokens: 1_024,
  streamShare: 0.3,
  model: "claude-haiku-4-5"
})

/**
 * One process's part of a contender's run (sent to `internal/fleetChild.ts`).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Run {
  readonly process: number
  readonly contender: Name
  readonly url: string
  readonly apiKey: string
  readonly model: string
  readonly maxTokens: number
  readonly clockScale: number
  readonly redis?: { readonly url: string; readonly prefix: string } | undefined
  readonly callers: number
  readonly durationMs: number
  readonly seed: number
  readonly streamShare: number
}

/**
 * What one process's callers saw.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ProcessOutcome {
  readonly ok: number
  readonly failures: Readonly<Record<string, number>>
  /** ms from the start of each successful call to its answer */
  readonly latencies: ReadonlyArray<number>
  readonly wallMs: number
}

/**
 * One bucket's use over the measured window (from the server's first request, the run's
 * duration): what the calls answered in it were charged, what the limit allowed (`limit × (1 +
 * minutes)`: a bucket starts full), their ratio.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Use {
  readonly served: number
  readonly allowed: number
  readonly share: number
}

/**
 * One contender's run.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Row {
  readonly contender: Name
  readonly processes: number
  readonly callersPerProcess: number
  /** why it did not run (no Redis) */
  readonly skipped?: string | undefined
  readonly calls: number
  readonly ok: number
  readonly failures: Readonly<Record<string, number>>
  /** `/v1/messages` requests the server received */
  readonly attempts: number
  readonly status429: number
  readonly share429: number
  /** the share of the tightest limit that answered calls used */
  readonly goodput: number
  readonly uses: Readonly<Record<Bucket, Use>>
  /** the server's minutes of the measured window (the run's duration, scaled) */
  readonly minutes: number
  /** call latency of successful calls (almost all of it waiting: FakeClaude answers in milliseconds) */
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  /** how long FakeClaude took to answer (median, ms): the part of a call's latency that is not waiting */
  readonly serverP50Ms: number | null
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Results {
  readonly setup: Setup
  /** where the Redis came from: `REDIS_URL`, a private `redis-server`, or none (the Redis row skipped) */
  readonly redis: "REDIS_URL" | "redis-server" | "none"
  readonly rows: ReadonlyArray<Row>
}

/**
 * The tag of a failure, whatever threw it.
 *
 * @since 0.1.0
 * @category Models
 */
export const tagOf = (error: unknown): string => {
  if (Runtime.isFiberFailure(error)) return tagOf(Cause.squash(error[Runtime.FiberFailureCauseId]))
  if (ClaudeError.isClaudeError(error)) return error._tag
  if (typeof error === "object" && error !== null) {
    if ("_tag" in error && typeof error._tag === "string") return error._tag
    if (error instanceof Error) return error.constructor.name === "Error" ? error.name : error.constructor.name
  }
  return "Unknown"
}

/**
 * The caller of a contender in one process of the fleet (built in the child process).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const caller = (run: Run): Contender.Caller => {
  const target: Contender.Target = {
    url: run.url,
    apiKey: run.apiKey,
    model: run.model,
    maxTokens: run.maxTokens,
    resumable: true,
    clockScale: run.clockScale
  }
  const options = Contender.toolkitOptions(target)
  switch (run.contender) {
    case "sdk":
      return Contender.sdk(target)
    case "unlimited":
      return Contender.toolkit(target, Claude.layer({ ...options, rateLimit: false }).pipe(Layer.orDie))
    case "memory":
    case "memory-single":
      return Contender.toolkit(target, Claude.layer(options).pipe(Layer.orDie))
    case "redis": {
      if (run.redis === undefined) throw new Error("the Redis contender needs a Redis")
      return Contender.toolkit(
        target,
        Claude.layerWithoutStores(options).pipe(
          Layer.provide(
            QuotaRedis.layerFleet({
              url: run.redis.url,
              quota: { prefix: `${run.redis.prefix}quota:`, keyTtl: "10 minutes" },
              circuitBreaker: { prefix: `${run.redis.prefix}circuit:` }
            })
          ),
          Layer.orDie
        )
      )
    }
  }
}

interface Child {
  readonly process: ChildProcess
  readonly ask: (run: Run) => Promise<ProcessOutcome>
  readonly close: () => Promise<void>
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

const spawn = (): Promise<Child> =>
  new Promise((resolve, reject) => {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "internal", "fleetChild.ts")
    const child = fork(entry, [], {
      cwd: root,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let next = 0
    const pending = new Map<number, { resolve: (o: ProcessOutcome) => void; reject: (e: Error) => void }>()
    child.on(
      "message",
      (message: {
        readonly ready?: boolean
        readonly id?: number
        readonly ok?: boolean
        readonly value?: ProcessOutcome
        readonly error?: string
      }) => {
        if (message.ready === true) {
          return resolve({
            process: child,
            ask: (run) =>
              new Promise<ProcessOutcome>((res, rej) => {
                const id = next++
                pending.set(id, { resolve: res, reject: rej })
                child.send({ type: "run", id, ...run })
              }),
            close: () =>
              new Promise<void>((done) => {
                if (child.exitCode !== null) return done()
                child.once("exit", () => done())
                child.send({ type: "exit", id: -1 })
                setTimeout(() => child.kill(), 5_000).unref()
              })
          })
        }
        const waiter = message.id === undefined ? undefined : pending.get(message.id)
        if (waiter === undefined || message.id === undefined) return
        pending.delete(message.id)
        if (message.ok === true && message.value !== undefined) waiter.resolve(message.value)
        else waiter.reject(new Error(message.error ?? "fleet process failed"))
      }
    )
    child.on("exit", (code) => {
      reject(new Error(`fleet process exited (${code}) before it was ready`))
      for (const waiter of pending.values()) waiter.reject(new Error(`fleet process exited (${code})`))
      pending.clear()
    })
  })

const percentile = (sorted: ReadonlyArray<number>, p: number): number | null => {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? null
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * A row from what the server counted and what the processes saw.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const row = (
  contender: Name,
  fleet: Setup,
  processes: number,
  summary: Server.Summary,
  outcomes: ReadonlyArray<ProcessOutcome>
): Row => {
  // The window in which every caller always had a call to make: from the server's first request
  // for the run's duration. Calls still waiting or retrying after it (a 429's retry-after is a
  // whole scaled minute) are left out on both sides of the ratio.
  const windowEnd = summary.firstAt + fleet.durationMs
  const minutes = (fleet.durationMs * fleet.clockScale) / 60_000
  const inWindow = summary.answers.filter(([at]) => at <= windowEnd)
  const use = (served: number, limit: number): Use => {
    const allowed = limit * (1 + minutes)
    return { served, allowed: Math.round(allowed), share: round(served / allowed, 4) }
  }
  const uses: Record<Bucket, Use> = {
    requests: use(inWindow.length, fleet.limits.requestsPerMinute),
    inputTokens: use(
      inWindow.reduce((n, [, input]) => n + input, 0),
      fleet.limits.inputTokensPerMinute
    ),
    outputTokens: use(
      inWindow.reduce((n, [, , output]) => n + output, 0),
      fleet.limits.outputTokensPerMinute
    )
  }
  const failures: Record<string, number> = {}
  for (const o of outcomes) for (const [tag, n] of Object.entries(o.failures)) failures[tag] = (failures[tag] ?? 0) + n
  const ok = outcomes.reduce((n, o) => n + o.ok, 0)
  const latencies = outcomes.flatMap((o) => o.latencies).sort((a, b) => a - b)
  const p50 = percentile(latencies, 50)
  const p99 = percentile(latencies, 99)
  const server = percentile(
    summary.answers.map(([, , , ms]) => ms).sort((a, b) => a - b),
    50
  )
  return {
    contender,
    processes,
    callersPerProcess: (fleet.processes * fleet.callers) / processes,
    calls: ok + Object.values(failures).reduce((a, b) => a + b, 0),
    ok,
    failures,
    attempts: summary.attempts,
    status429: summary.status429,
    share429: summary.attempts === 0 ? 0 : round(summary.status429 / summary.attempts, 4),
    goodput: uses[fleet.tightest].share,
    uses,
    minutes: round(minutes, 2),
    p50Ms: p50 === null ? null : round(p50),
    p99Ms: p99 === null ? null : round(p99),
    serverP50Ms: server === null ? null : round(server)
  }
}

const skippedRow = (contender: Name, fleet: Setup, reason: string): Row => {
  const none: Use = { served: 0, allowed: 0, share: 0 }
  return {
    contender,
    processes: fleet.processes,
    callersPerProcess: fleet.callers,
    skipped: reason,
    calls: 0,
    ok: 0,
    failures: {},
    attempts: 0,
    status429: 0,
    share429: 0,
    goodput: 0,
    uses: { requests: none, inputTokens: none, outputTokens: none },
    minutes: 0,
    p50Ms: null,
    p99Ms: null,
    serverP50Ms: null
  }
}

/**
 * Runs the fleet scenario: the client processes start once and run every contender in turn,
 * each against a fresh FakeClaude (from `host`) with the same seed and limits.
 *
 * @since 0.1.0
 * @category Running
 */
export const run = async (options: {
  readonly scale: Scenario.Scale
  readonly seed: number
  readonly host: Server.Host
  readonly contenders?: ReadonlyArray<Name> | undefined
  readonly onProgress?: ((line: string) => void) | undefined
}): Promise<Results> => {
  const fleet = setup(options.scale)
  const progress = options.onProgress ?? (() => {})
  const contenders = options.contenders ?? names
  const redis = contenders.includes("redis") ? await RedisServer.start() : undefined
  const children = await Promise.all(Array.from({ length: fleet.processes }, spawn))
  const rows: Array<Row> = []
  try {
    for (const contender of contenders) {
      if (contender === "redis" && redis === undefined) {
        rows.push(skippedRow(contender, fleet, "no Redis: set REDIS_URL or install redis-server"))
        progress(`fleet         ${contender.padEnd(13)} skipped: no Redis`)
        continue
      }
      const server = await options.host.start({
        seed: options.seed,
        clockScale: fleet.clockScale,
        rateLimits: fleet.limits,
        maxRecords: 100_000
      })
      try {
        const single = contender === "memory-single"
        const taking = single ? children.slice(0, 1) : children
        const prefix = `bench:fleet:${process.pid}:${Date.now().toString(36)}:`
        const outcomes = await Promise.all(
          taking.map((child, i) =>
            child.ask({
              process: i,
              contender,
              url: server.url,
              apiKey: server.apiKey,
              model: fleet.model,
              maxTokens: fleet.maxTokens,
              clockScale: fleet.clockScale,
              redis: redis === undefined ? undefined : { url: redis.url, prefix },
              callers: single ? fleet.processes * fleet.callers : fleet.callers,
              durationMs: fleet.durationMs,
              seed: options.seed,
              streamShare: fleet.streamShare
            })
          )
        )
        const result = row(contender, fleet, taking.length, await server.summary(), outcomes)
        rows.push(result)
        progress(
          `fleet         ${contender.padEnd(13)} goodput ${(result.goodput * 100).toFixed(1)} %, ${result.status429}/${result.attempts} answered 429, ${result.ok}/${result.calls} calls ok`
        )
      } finally {
        await server.close()
      }
    }
  } finally {
    await Promise.all(children.map((child) => child.close()))
    await redis?.stop()
  }
  return { setup: fleet, redis: redis?.source ?? "none", rows }
}
