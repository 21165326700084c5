/**
 * The benchmark runner: every contender against a fresh FakeClaude per scenario (same seed),
 * then the toolkit's CPU overhead against the plain SDK measured interleaved, then the circuit
 * breaker's own cost per call.
 *
 * @since 0.1.0
 */
import * as os from "node:os"
import { performance } from "node:perf_hooks"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude } from "@claude-resilience/testing"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import type * as BatchBench from "./BatchBench.js"
import type * as FallbackBench from "./FallbackBench.js"
import * as Contender from "./Contender.js"
import * as Fleet from "./Fleet.js"
import type * as Paths from "./Paths.js"
import type { Regeneration } from "./Regeneration.js"
import * as Scenario from "./Scenario.js"
import type * as Server from "./Server.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly scale: Scenario.Scale
  readonly seed: number
  readonly host: Server.Host
  /** the toolkit streams through `@claude-resilience/stream` */
  readonly resumable: boolean
  readonly contenders?: ReadonlyArray<Contender.Name> | undefined
  readonly scenarios?: ReadonlyArray<Scenario.Name> | undefined
  /** run the `fleet` scenario (several client processes sharing one organisation's limits); default true */
  readonly fleet?: boolean | undefined
  readonly onProgress?: ((line: string) => void) | undefined
}

/**
 * One contender in one scenario.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Row {
  readonly scenario: Scenario.Name
  readonly contender: Contender.Name
  readonly requests: number
  /** calls that returned the complete, correct answer text */
  readonly succeeded: number
  readonly successRate: number
  readonly failures: Readonly<Record<string, number>>
  /** latency of successful calls, ms */
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  /** `/v1/messages` requests the server received */
  readonly attempts: number
  readonly status429: number
  /** requests that reached the server inside the outage window */
  readonly outageRequests: number
  /** streamed text received by attempts that were thrown away or generated again, in tokens (chars / 4) */
  readonly regeneratedTokens: number
  /** the part of `regeneratedTokens` within calls that succeeded (the rest was received by calls that failed) */
  readonly regeneratedTokensInSuccesses?: number | undefined
  /** process CPU (user + system) of the run divided by successful calls, µs */
  readonly cpuUsPerSuccess: number | null
  readonly wallMs: number
}

/**
 * The interleaved CPU comparison on the fault-free scenario.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Overhead {
  readonly rounds: number
  readonly batch: number
  readonly sdkUsPerCall: ReadonlyArray<number>
  readonly toolkitUsPerCall: ReadonlyArray<number>
  readonly ratios: ReadonlyArray<number>
  readonly medianRatio: number
}

/**
 * The breaker's cost in-process, ns per call (median of repetitions of 1,000-call batches).
 *
 * @since 0.1.0
 * @category Models
 */
export interface BreakerCost {
  readonly baselineNs: number
  readonly closedNs: number
  readonly openRejectionNs: number
  /** closed − baseline */
  readonly closedOverheadNs: number
  /** open rejection − baseline */
  readonly rejectionOverheadNs: number
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Results {
  readonly meta: {
    readonly date: string
    readonly node: string
    readonly os: string
    readonly cpu: string
    readonly cores: number
    readonly scale: Scenario.Scale
    readonly seed: number
    readonly serverInProcess: boolean
    readonly resumableStream: boolean
    readonly model: string
    /**
     * whether claude-resilience ran with its rate limiter (the default `Claude.layer` since issue
     * 18); absent in results measured before
     */
    readonly rateLimiter?: boolean | undefined
  }
  readonly scenarios: ReadonlyArray<Scenario.Scenario>
  readonly rows: ReadonlyArray<Row>
  readonly overhead: Overhead
  readonly breaker: BreakerCost
  /** output generated twice per stream cut, per resumption strategy, on the same seeded cuts */
  readonly regeneration?: ReadonlyArray<Regeneration> | undefined
  /** the `batch` scenario (Message Batches), run by main.ts */
  readonly batch?: BatchBench.Results | undefined
  /** the `fleet` scenario: client processes sharing one organisation's rate limits */
  readonly fleet?: Fleet.Results | undefined
  /** the `outage-fallback` scenario (a model down, with and without a fallback plan), run by main.ts */
  readonly outageFallback?: FallbackBench.Results | undefined
  /** the hot paths: client CPU per call against the plain SDK, the ablation, memory, the breaker; run by main.ts */
  readonly paths?: Paths.Results | undefined
}

/** The model every call names. */
export const model = "claude-sonnet-4-6"
const maxTokens = 400

interface Sample {
  readonly ok: boolean
  readonly stream: boolean
  readonly ms: number
  readonly received: number
  readonly final: number
  readonly tag: string | undefined
}

const tagOf = (error: unknown): string => {
  if (Runtime.isFiberFailure(error)) return tagOf(Cause.squash(error[Runtime.FiberFailureCauseId]))
  if (ClaudeError.isClaudeError(error)) return error._tag
  if (typeof error === "object" && error !== null) {
    if ("_tag" in error && typeof error._tag === "string") return error._tag
    if (error instanceof Error) return error.constructor.name === "Error" ? error.name : error.constructor.name
  }
  return "Unknown"
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Runs a workload with a caller: a pool of `concurrency` workers taking calls in order. */
const drive = async (caller: Contender.Caller, workload: Scenario.Workload, seed: number) => {
  const samples: Array<Sample> = []
  const start = performance.now()
  let next = 0
  const worker = async () => {
    while (true) {
      const i = next++
      if (i >= workload.requests) return
      if (workload.spacingMs > 0) {
        const wait = start + i * workload.spacingMs - performance.now()
        if (wait > 0) await sleep(wait)
      }
      const prompt = Scenario.prompt(i)
      const expected = FakeClaude.completionText({ messages: [{ role: "user", content: prompt }] }, seed)
      const stream = Scenario.isStream(workload, i)
      let received = 0
      const onText = (text: string) => {
        received += text.length
      }
      const began = performance.now()
      try {
        const text = stream ? await caller.stream(prompt, onText) : await caller.create(prompt)
        const ok = text === expected
        samples.push({
          ok,
          stream,
          ms: performance.now() - began,
          received,
          final: ok ? text.length : 0,
          tag: ok ? undefined : text.length < expected.length ? "TruncatedText" : "WrongText"
        })
      } catch (error) {
        samples.push({ ok: false, stream, ms: performance.now() - began, received, final: 0, tag: tagOf(error) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(workload.concurrency, workload.requests) }, worker))
  return { samples, wallMs: performance.now() - start }
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number | null => {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? null
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const delta = process.cpuUsage(since)
  return delta.user + delta.system
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * Runs one contender in one scenario against a fresh FakeClaude.
 *
 * @since 0.1.0
 * @category Running
 */
export const runOne = async (
  scenario: Scenario.Scenario,
  name: Contender.Name,
  options: Pick<Options, "host" | "resumable" | "seed">
): Promise<Row> => {
  const server = await options.host.start(scenario.server)
  const caller = Contender.make(name, {
    url: server.url,
    apiKey: server.apiKey,
    model,
    maxTokens,
    resumable: options.resumable,
    clockScale: scenario.server.clockScale
  })
  try {
    const cpu = process.cpuUsage()
    const { samples, wallMs } = await drive(caller, scenario.workload, options.seed)
    const cpuUs = cpuMicros(cpu)
    const summary = await server.summary()
    const ok = samples.filter((s) => s.ok)
    const latencies = ok.map((s) => s.ms).sort((a, b) => a - b)
    const failures: Record<string, number> = {}
    for (const s of samples) if (s.tag !== undefined) failures[s.tag] = (failures[s.tag] ?? 0) + 1
    const wastedChars = samples.reduce((n, s) => n + (s.stream ? Math.max(0, s.received - s.final) : 0), 0)
    const wastedInSuccesses = ok.reduce((n, s) => n + (s.stream ? Math.max(0, s.received - s.final) : 0), 0)
    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    return {
      scenario: scenario.name,
      contender: name,
      requests: samples.length,
      succeeded: ok.length,
      successRate: samples.length === 0 ? 0 : ok.length / samples.length,
      failures,
      p50Ms: p50 === null ? null : round(p50),
      p99Ms: p99 === null ? null : round(p99),
      attempts: summary.attempts,
      status429: summary.status429,
      outageRequests: summary.duringOutage,
      regeneratedTokens: Math.ceil(wastedChars / 4),
      regeneratedTokensInSuccesses: Math.ceil(wastedInSuccesses / 4),
      cpuUsPerSuccess: ok.length === 0 ? null : round(cpuUs / ok.length),
      wallMs: Math.round(wallMs)
    }
  } finally {
    await caller.close()
    await server.close()
  }
}

/**
 * claude-resilience's CPU per call against the plain SDK's on the fault-free workload, in
 * alternating batches (A B, then B A, …) against one server, after a warm-up of each.
 *
 * @since 0.1.0
 * @category Running
 */
export const overhead = async (
  options: Pick<Options, "host" | "resumable" | "seed">,
  rounds: number,
  batch: number
): Promise<Overhead> => {
  const server = await options.host.start({ seed: options.seed })
  const target = { url: server.url, apiKey: server.apiKey, model, maxTokens, resumable: options.resumable }
  const sdk = Contender.sdk(target)
  const toolkit = Contender.toolkit(target)
  const workload: Scenario.Workload = { requests: batch, concurrency: 4, spacingMs: 0, streamShare: 0.3 }
  const measure = async (caller: Contender.Caller) => {
    const cpu = process.cpuUsage()
    const { samples } = await drive(caller, workload, options.seed)
    const us = cpuMicros(cpu)
    if (samples.some((s) => !s.ok)) throw new Error("a fault-free call failed during the overhead measurement")
    return us / batch
  }
  try {
    await measure(sdk)
    await measure(toolkit)
    const sdkUs: Array<number> = []
    const toolkitUs: Array<number> = []
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        sdkUs.push(await measure(sdk))
        toolkitUs.push(await measure(toolkit))
      } else {
        toolkitUs.push(await measure(toolkit))
        sdkUs.push(await measure(sdk))
      }
    }
    const ratios = sdkUs.map((s, i) => (toolkitUs[i] ?? 0) / s)
    return {
      rounds,
      batch,
      sdkUsPerCall: sdkUs.map((n) => round(n)),
      toolkitUsPerCall: toolkitUs.map((n) => round(n)),
      ratios: ratios.map((n) => round(n, 3)),
      medianRatio: round(median(ratios), 3)
    }
  } finally {
    await toolkit.close()
    await sdk.close()
    await server.close()
  }
}

/**
 * The breaker's own cost in-process: 1,000-call batches of `Effect.void` without a breaker,
 * through a closed circuit, and rejected by an open one (as `packages/circuit-breaker/bench`).
 *
 * @since 0.1.0
 * @category Running
 */
export const breakerCost = async (repetitions: number): Promise<BreakerCost> => {
  const batch = 1_000
  const runtime = ManagedRuntime.make(
    Layer.merge(
      CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 hour" }),
      Logger.replace(Logger.defaultLogger, Logger.none)
    )
  )
  try {
    const breaker = await runtime.runPromise(CircuitBreaker.CircuitBreaker)
    const overloaded = new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })
    await runtime.runPromise(Effect.either(breaker.execute(model, Effect.fail(overloaded))))
    const baseline = Effect.repeatN(Effect.void, batch - 1)
    const closed = Effect.repeatN(breaker.execute("closed", Effect.void), batch - 1)
    const rejected = Effect.repeatN(Effect.either(breaker.execute(model, Effect.void)), batch - 1)
    const time = (effect: Effect.Effect<unknown, unknown>) => {
      runtime.runSync(effect)
      const ns: Array<number> = []
      for (let r = 0; r < repetitions; r++) {
        const start = process.hrtime.bigint()
        runtime.runSync(effect)
        ns.push(Number(process.hrtime.bigint() - start) / batch)
      }
      return median(ns)
    }
    const baselineNs = time(baseline)
    const closedNs = time(closed)
    const openRejectionNs = time(rejected)
    return {
      baselineNs: round(baselineNs),
      closedNs: round(closedNs),
      openRejectionNs: round(openRejectionNs),
      closedOverheadNs: round(closedNs - baselineNs),
      rejectionOverheadNs: round(openRejectionNs - baselineNs)
    }
  } finally {
    await runtime.dispose()
  }
}

/**
 * The whole benchmark.
 *
 * @since 0.1.0
 * @category Running
 */
export const run = async (options: Options): Promise<Results> => {
  const progress = options.onProgress ?? (() => {})
  const scenarios = Scenario.all(options.scale, options.seed).filter(
    (s) => options.scenarios === undefined || options.scenarios.includes(s.name)
  )
  const contenders = options.contenders ?? Contender.names
  const rows: Array<Row> = []
  for (const scenario of scenarios) {
    for (const name of contenders) {
      const row = await runOne(scenario, name, options)
      rows.push(row)
      progress(
        `${scenario.name.padEnd(13)} ${name.padEnd(10)} ${row.succeeded}/${row.requests} ok, ${row.attempts} attempts, ${row.wallMs} ms`
      )
    }
  }
  const quick = options.scale === "quick"
  const overheadResult = await overhead(options, quick ? 2 : 10, quick ? 20 : 150)
  progress(`overhead      median CPU ratio toolkit / sdk = ${overheadResult.medianRatio}`)
  const breaker = await breakerCost(quick ? 5 : 50)
  progress(`breaker       closed +${breaker.closedOverheadNs} ns, open rejection +${breaker.rejectionOverheadNs} ns`)
  const fleet =
    options.fleet === false
      ? undefined
      : await Fleet.run({ scale: options.scale, seed: options.seed, host: options.host, onProgress: progress })
  const cpu = os.cpus()
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      scale: options.scale,
      seed: options.seed,
      serverInProcess: options.host.inProcess,
      resumableStream: options.resumable,
      model,
      rateLimiter: true
    },
    scenarios,
    rows,
    overhead: overheadResult,
    breaker,
    ...(fleet === undefined ? {} : { fleet })
  }
}
