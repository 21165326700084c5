/**
 * The client process of the `paths` section. With `--job` it takes a list of `Paths.Job`s over IPC
 * (a group's interleaved rounds, a memory variant, the breaker), runs them one after the other,
 * reports each answer and exits; its FakeClaudes run in a process of their own
 * (`Server.childProcess`), so `process.cpuUsage()` is the client's.
 *
 * Alone, it runs one variant for a profiler:
 *
 *     node --import tsx --cpu-prof packages/bench/src/internal/paths/child.ts --variant create:default --calls 2000
 *
 * (`--variant <group>:<variant>`, `--calls N`, `--warmup N`; prints the CPU per call).
 */
import { performance } from "node:perf_hooks"
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude } from "@claude-resilience/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Paths from "../../Paths.js"
import * as Rounds from "../../Rounds.js"
import * as Server from "../../Server.js"
import * as Variants from "./variants.js"

const prompt = "Explain circuit breakers"
const seed = 42
/** the model of the warm-up calls of a memory job, which FakeClaude does not hold */
const warmModel = "claude-haiku-4-5"

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) for (let i = 0; i < 3; i++) collect()
}
const words = (text: string) => (text.match(/\s*\S+/g) ?? []).length
const request = { messages: [{ role: "user" as const, content: prompt }] }

/** FakeClaude's `completionChars` for an answer of `deltas` words (one text delta each). */
const charsFor = (deltas: number): number => {
  let chars = deltas * 6
  for (let i = 0; i < 8; i++) {
    const n = words(FakeClaude.completionText(request, seed, chars))
    if (n === deltas) break
    chars = Math.max(1, Math.round((chars * deltas) / n))
  }
  return chars
}

const serverOptions = (spec: Paths.GroupSpec): FakeClaude.Options =>
  spec.stream ? { seed, completionChars: charsFor(spec.deltas), wordsPerDelta: 1 } : { seed }

const expectedChars = (options: FakeClaude.Options) =>
  FakeClaude.completionText(request, seed, options.completionChars).length

/** Calls a runner `n` times in a row, checking every answer; client CPU per call (µs) and each call's wall ms. */
const batch = async (runner: Variants.Runner, n: number, expected: number, walls?: Array<number>) => {
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const began = performance.now()
    const chars = await runner.call()
    walls?.push(performance.now() - began)
    if (chars !== expected) throw new Error(`an answer of ${chars} characters, expected ${expected}`)
  }
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / n
}

const runGroup = async (host: Server.Host, spec: Paths.GroupSpec): Promise<Paths.GroupResult> => {
  const options = serverOptions(spec)
  const server = await host.start(options)
  const expected = expectedChars(options)
  const target = { url: server.url, apiKey: server.apiKey, model: Paths.model, maxTokens: spec.maxTokens, prompt }
  const runners = new Map(spec.variants.map((v) => [v, Variants.make(v, target, spec.stream)] as const))
  try {
    const cpu = new Map(spec.variants.map((v) => [v, [] as Array<number>]))
    const walls = new Map(spec.variants.map((v) => [v, [] as Array<number>]))
    for (const v of spec.variants) await batch(runners.get(v)!, spec.warmup, expected)
    let tracerSpans = 0
    for (const order of Rounds.schedule(spec.variants, spec.rounds))
      for (const v of order) {
        gc()
        const spans = Variants.recordedSpans()
        cpu.get(v)!.push(await batch(runners.get(v)!, spec.batch, expected, walls.get(v)))
        if (v === "tracer") tracerSpans += Variants.recordedSpans() - spans
      }
    return {
      group: spec.group,
      rounds: spec.rounds,
      batch: spec.batch,
      warmup: spec.warmup,
      deltas: spec.stream ? words(FakeClaude.completionText(request, seed, options.completionChars)) : 0,
      ...(spec.variants.includes("tracer") ? { spansPerCall: tracerSpans / (spec.rounds * spec.batch) } : {}),
      variants: spec.variants.map((v) => ({
        variant: v,
        usPerCall: cpu.get(v)!.map((n) => Math.round(n * 10) / 10),
        wallP50Ms: Math.round(Rounds.percentile(walls.get(v)!, 50) * 1000) / 1000
      }))
    }
  } finally {
    for (const runner of runners.values()) await runner.close()
    await server.close()
  }
}

const heap = () => {
  const m = process.memoryUsage()
  return { heap: m.heapUsed, external: m.external }
}

const runMemory = async (
  host: Server.Host,
  job: Extract<Paths.Job, { type: "memory" }>
): Promise<Paths.MemoryResult> => {
  const stream = job.variant === "sdk-stream" || job.variant === "stream"
  // every request for the model is held: before its answer (create) or after its first SSE event (stream)
  const options: FakeClaude.Options = {
    seed,
    chaos: {
      rates: stream ? { stall: 1 } : { latency: 1 },
      latencyMs: job.holdMs,
      stallMs: job.holdMs,
      maxAfterEvents: 1,
      models: [Paths.model]
    }
  }
  const server = await host.start(options)
  const expected = expectedChars(options)
  const runner = Variants.memoryRunner(job.variant, {
    url: server.url,
    apiKey: server.apiKey,
    model: Paths.model,
    maxTokens: 1024,
    prompt
  })
  try {
    for (let i = 0; i < job.warmup; i++) await runner.call(warmModel)
    gc()
    const before = heap()
    // starting a call runs its work up to the first await: under load, starting them all can take
    // seconds, so wait for the server to hold them all, or for the first one to come back (its hold over)
    let done = 0
    const calls = Array.from({ length: job.inFlight }, () =>
      runner.call().then(
        (n) => {
          done++
          return n
        },
        () => {
          done++
          return -1
        }
      )
    )
    const deadline = performance.now() + 120_000
    let pending = await server.pending()
    while (pending < job.inFlight && done === 0 && performance.now() < deadline) {
      await sleep(50)
      pending = await server.pending()
    }
    gc()
    const after = heap()
    const answers = await Promise.all(calls)
    const failed = answers.filter((n) => n !== expected).length
    if (failed > 0) throw new Error(`${failed} of ${job.inFlight} held calls did not answer in full`)
    const heapBytesPerCall = Math.round((after.heap - before.heap) / job.inFlight)
    const externalBytesPerCall = Math.round((after.external - before.external) / job.inFlight)
    return {
      variant: job.variant,
      inFlight: job.inFlight,
      pendingAtMeasure: pending,
      heapBytesPerCall,
      externalBytesPerCall,
      bytesPerCall: heapBytesPerCall + externalBytesPerCall
    }
  } finally {
    await runner.close()
    await server.close()
  }
}

/** As `packages/circuit-breaker/bench`: 1,000-call batches with `runSync`, µs per call per repetition. */
const runBreaker = async (repetitions: number): Promise<Paths.BreakerResult> => {
  const n = 1_000
  const runtime = ManagedRuntime.make(
    Layer.merge(
      CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 hour" }),
      Logger.replace(Logger.defaultLogger, Logger.none)
    )
  )
  try {
    const breaker = await runtime.runPromise(CircuitBreaker.CircuitBreaker)
    const overloaded = new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })
    await runtime.runPromise(Effect.either(breaker.execute(Paths.model, Effect.fail(overloaded))))
    const effects = [
      Effect.repeatN(Effect.void, n - 1),
      Effect.repeatN(breaker.execute("closed", Effect.void), n - 1),
      Effect.repeatN(Effect.either(breaker.execute(Paths.model, Effect.void)), n - 1)
    ] as const
    for (const effect of effects) for (let i = 0; i < 3; i++) runtime.runSync(effect)
    // the three take turns in each repetition, so a moment of load hits a pair, not one side
    const us: [Array<number>, Array<number>, Array<number>] = [[], [], []]
    for (const order of Rounds.schedule([0, 1, 2] as const, repetitions))
      for (const i of order) {
        const start = process.hrtime.bigint()
        runtime.runSync(effects[i])
        us[i].push(Math.round(Number(process.hrtime.bigint() - start) / n) / 1000)
      }
    const [baselineUs, closedUs, rejectedUs] = us
    return { repetitions, baselineUs, closedUs, rejectedUs }
  } finally {
    await runtime.dispose()
  }
}

const runJob = (host: Server.Host, job: Paths.Job): Promise<unknown> => {
  switch (job.type) {
    case "group":
      return runGroup(host, job.spec)
    case "memory":
      return runMemory(host, job)
    case "breaker":
      return runBreaker(job.repetitions)
  }
}

/** The jobs one after the other, their FakeClaudes in one server process. */
const runJobs = async (jobs: ReadonlyArray<Paths.Job>): Promise<ReadonlyArray<unknown>> => {
  const host = Server.childProcess()
  try {
    const out: Array<unknown> = []
    for (const job of jobs) {
      out.push(await runJob(host, job))
      process.send?.({ progress: out.length - 1, value: out[out.length - 1] })
    }
    return out
  } finally {
    await host.close()
  }
}

/** One variant alone, for `--cpu-prof` or callgrind. */
const runAlone = async (args: ReadonlyArray<string>) => {
  const value = (name: string) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const [group, variant] = (value("--variant") ?? "create:default").split(":") as [Paths.Group, Paths.Variant]
  const spec = Paths.specs("full").find((s) => s.group === group)
  if (spec === undefined || !spec.variants.includes(variant))
    throw new Error(`--variant ${group}:${variant}: not one of the section's (see Paths.specs)`)
  const calls = Number(value("--calls") ?? "1000")
  const warmup = Number(value("--warmup") ?? String(spec.warmup))
  const host = Server.childProcess()
  try {
    const options = serverOptions(spec)
    const server = await host.start(options)
    const runner = Variants.make(
      variant,
      { url: server.url, apiKey: server.apiKey, model: Paths.model, maxTokens: spec.maxTokens, prompt },
      spec.stream
    )
    try {
      const expected = expectedChars(options)
      await batch(runner, warmup, expected)
      const walls: Array<number> = []
      const us = await batch(runner, calls, expected, walls)
      process.stdout.write(
        `${group}:${variant}: ${calls} calls, ${us.toFixed(1)} µs client CPU per call, wall p50 ${Rounds.percentile(walls, 50).toFixed(3)} ms\n`
      )
    } finally {
      await runner.close()
      await server.close()
    }
  } finally {
    await host.close()
  }
}

if (process.argv.includes("--job")) {
  process.once("message", (jobs: ReadonlyArray<Paths.Job>) => {
    runJobs(jobs).then(
      (value) => process.send?.({ ok: true, value }),
      (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) })
    )
  })
  process.on("disconnect", () => process.exit(0))
} else {
  runAlone(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
      process.exit(1)
    }
  )
}
