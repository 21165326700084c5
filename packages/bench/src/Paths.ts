/**
 * The `paths` section of `pnpm bench`: the client CPU of one call on each hot path — `create`, a
 * 300-token and a 10k-token stream, `ResumableStream` — against the plain SDK, with FakeClaude in
 * another process, the variants of a path taking turns in interleaved rounds in one fresh client
 * process; an ablation of `create` (one feature off at a time through public options); the memory of
 * calls held in flight; the circuit breaker's cost per call. All of it runs in one fresh client
 * process (`internal/paths/child.ts`, which also runs one variant alone for a profiler), its
 * FakeClaudes in another.
 *
 * @since 0.1.0
 */
import { fork } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Rounds from "./Rounds.js"
import type * as Scenario from "./Scenario.js"

/**
 * A hot path: the variants measured against each other in one child process.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const group: Paths.Group = "stream300"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Group = "create" | "stream300" | "stream10k"

/**
 * Every group, in report order.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const all: ReadonlyArray<Paths.Group> = Paths.groupNames
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const groupNames: ReadonlyArray<Group> = ["create", "stream300", "stream10k"]

/**
 * One way of making the call of a path.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const variant: Paths.Variant = "no-rate-limit"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Variant =
  | "sdk"
  | "floor"
  | "default"
  | "no-rate-limit"
  | "no-preflight"
  | "no-breaker"
  | "no-retry"
  | "no-logs"
  | "debug-logs"
  | "tracer"
  | "bulkhead"
  | "stream"
  | "resumable"

/**
 * What a variant is, as the report names it.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const label = Paths.labels["no-breaker"]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const labels: Readonly<Record<Variant, string>> = {
  sdk: "plain SDK",
  floor: "floor: the SDK call in `Effect.tryPromise`, `Effect.runPromise`",
  default: "claude-resilience, default `Claude.layer`",
  "no-rate-limit": "− rate limiter (`rateLimit: false`)",
  "no-preflight": "− preflight checks (`preflight: false`)",
  "no-breaker": "− circuit breaker (a pass-through `CircuitBreaker`, `layerWithoutDependencies`)",
  "no-retry": "− retry driver (`retry: false` per call)",
  "no-logs": "− logging (`Logger.minimumLogLevel(LogLevel.None)`)",
  "debug-logs": "+ Debug logs enabled (`Logger.minimumLogLevel(LogLevel.Debug)`)",
  tracer: "+ a tracer installed (`Layer.setTracer`, spans recorded)",
  bulkhead: "+ bulkhead (`bulkhead: { maxConcurrent: 64 }`)",
  stream: "claude-resilience `claude.messages.stream`",
  resumable: "claude-resilience `ResumableStream.events`"
}

/**
 * How a group is measured: its variants (the first is the reference of its ratios), the text
 * deltas of an answer (one word each) for streams, and the batch sizes.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const create: Paths.GroupSpec | undefined = Paths.specs("quick")[0]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface GroupSpec {
  readonly group: Group
  readonly title: string
  readonly stream: boolean
  readonly variants: ReadonlyArray<Variant>
  /** one-word text deltas per streamed answer (0 for `create`, whose answer is FakeClaude's default) */
  readonly deltas: number
  readonly maxTokens: number
  readonly rounds: number
  /** calls per variant per round */
  readonly batch: number
  /** calls per variant before the first round */
  readonly warmup: number
}

/**
 * The groups at a scale.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const batches = Paths.specs("full").map((spec) => `${spec.group}: ${spec.rounds} × ${spec.batch}`)
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const specs = (scale: Scenario.Scale): ReadonlyArray<GroupSpec> => {
  const quick = scale === "quick"
  const rounds = quick ? 3 : 7
  return [
    {
      group: "create",
      title: "`messages.create`",
      stream: false,
      variants: [
        "sdk",
        "floor",
        "default",
        "no-rate-limit",
        "no-preflight",
        "no-breaker",
        "no-retry",
        "no-logs",
        "debug-logs",
        "tracer",
        "bulkhead"
      ],
      deltas: 0,
      maxTokens: 400,
      rounds,
      batch: quick ? 8 : 80,
      warmup: quick ? 5 : 60
    },
    {
      group: "stream300",
      title: "stream, 300 tokens",
      stream: true,
      variants: ["sdk", "stream", "resumable"],
      deltas: 300,
      maxTokens: 1024,
      rounds,
      batch: quick ? 5 : 30,
      warmup: quick ? 5 : 30
    },
    {
      group: "stream10k",
      title: "stream, 10k tokens",
      stream: true,
      variants: ["sdk", "stream", "resumable"],
      deltas: 10_000,
      maxTokens: 20_000,
      rounds,
      batch: quick ? 1 : 3,
      warmup: quick ? 1 : 3
    }
  ]
}

/**
 * One variant of a group over its rounds.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const v: Paths.VariantResult = { variant: "sdk", usPerCall: [600, 610], wallP50Ms: 1.2 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface VariantResult {
  readonly variant: Variant
  /** client CPU (user + system) per call, µs, one value per round */
  readonly usPerCall: ReadonlyArray<number>
  /** wall time of every measured call, ms: its p50 */
  readonly wallP50Ms: number
}

/**
 * One group: what it ran and each variant's rounds.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const sdkOf = (g: Paths.GroupResult) => g.variants.find((v) => v.variant === "sdk")
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface GroupResult {
  readonly group: Group
  readonly rounds: number
  readonly batch: number
  readonly warmup: number
  /** text deltas per answer, counted on the plain SDK's warm-up */
  readonly deltas: number
  /** spans the installed tracer recorded per call of the `tracer` variant (when the group has it) */
  readonly spansPerCall?: number | undefined
  readonly variants: ReadonlyArray<VariantResult>
}

/**
 * What a memory variant holds in flight.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const variant: Paths.MemoryVariant = "stream"
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type MemoryVariant = "sdk-create" | "create" | "sdk-stream" | "stream"

/**
 * Every memory variant, in report order.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const all = Paths.memoryVariants.length
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const memoryVariants: ReadonlyArray<MemoryVariant> = ["sdk-create", "create", "sdk-stream", "stream"]

/**
 * What a memory variant is called in the report.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const label = Paths.memoryLabels["sdk-create"]
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const memoryLabels: Readonly<Record<MemoryVariant, string>> = {
  "sdk-create": "plain SDK `messages.create`",
  create: "claude-resilience `messages.create` (default layer)",
  "sdk-stream": "plain SDK stream",
  stream: "claude-resilience `claude.messages.stream` (default layer)"
}

/**
 * Memory of calls held in flight: `heapUsed + external` after a full GC with the calls open, minus
 * the same before they started, divided by the calls.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const kb = (m: Paths.MemoryResult) => m.bytesPerCall / 1024
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface MemoryResult {
  readonly variant: MemoryVariant
  readonly inFlight: number
  /** requests FakeClaude was holding when the heap was measured */
  readonly pendingAtMeasure: number
  readonly heapBytesPerCall: number
  readonly externalBytesPerCall: number
  readonly bytesPerCall: number
}

/**
 * The breaker's cost per call, in-process: 1,000-call batches with `runSync`, per repetition.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const closed = (b: Paths.BreakerResult) => b.closedUs.length
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface BreakerResult {
  readonly repetitions: number
  /** µs per call, one value per repetition */
  readonly baselineUs: ReadonlyArray<number>
  readonly closedUs: ReadonlyArray<number>
  readonly rejectedUs: ReadonlyArray<number>
}

/**
 * The whole `paths` section.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const paths = (r: Paths.Results) => r.groups.map((g) => g.group)
 * ```
 *
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
    readonly model: string
  }
  readonly groups: ReadonlyArray<GroupResult>
  readonly memory: ReadonlyArray<MemoryResult>
  readonly breaker: BreakerResult | undefined
}

/**
 * The model every call of the section names.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const model: string = Paths.model
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const model = "claude-sonnet-4-6"

/**
 * What the child process is asked to do.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const job: Paths.Job = { type: "breaker", repetitions: 5 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export type Job =
  | { readonly type: "group"; readonly spec: GroupSpec }
  | {
      readonly type: "memory"
      readonly variant: MemoryVariant
      readonly inFlight: number
      readonly holdMs: number
      readonly warmup: number
    }
  | { readonly type: "breaker"; readonly repetitions: number }

const childEntry = () => path.join(path.dirname(fileURLToPath(import.meta.url)), "internal", "paths", "child.ts")

/**
 * Runs jobs one after the other in one fresh client process (`--expose-gc`, tsx) whose FakeClaudes
 * run in a process of their own; `onResult` sees each job's answer as it comes.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const answers = Paths.runJobs([{ type: "breaker", repetitions: 5 }])
 * ```
 *
 * @since 0.1.0
 * @category Running
 */
export const runJobs = (
  jobs: ReadonlyArray<Job>,
  onResult: (index: number, value: unknown) => void = () => {}
): Promise<ReadonlyArray<unknown>> =>
  new Promise((resolve, reject) => {
    const child = fork(childEntry(), ["--job"], {
      execArgv: ["--import", "tsx", "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let settled = false
    type Message =
      | { readonly progress: number; readonly value: unknown }
      | { readonly ok: boolean; readonly value?: ReadonlyArray<unknown>; readonly error?: string }
    child.on("message", (message: Message) => {
      if ("progress" in message) return onResult(message.progress, message.value)
      settled = true
      if (message.ok) resolve(message.value ?? [])
      else reject(new Error(message.error ?? "paths child failed"))
      child.disconnect()
    })
    child.on("exit", (code) => {
      if (!settled) reject(new Error(`paths child exited (${code}) before answering`))
    })
    child.send(jobs)
  })

/**
 * Options of {@link run}.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const options: Paths.Options = { scale: "quick", groups: ["create"] }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly scale: Scenario.Scale
  /** groups to run (default all); memory and breaker run only when no group is named */
  readonly groups?: ReadonlyArray<Group> | undefined
  readonly onProgress?: ((line: string) => void) | undefined
}

/**
 * New results over saved ones: each group measured again replaces the saved one; memory and the
 * breaker are kept from the saved results when they were not measured again.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const update = (saved: Paths.Results | undefined, fresh: Paths.Results) => Paths.merge(saved, fresh)
 * ```
 *
 * @since 0.1.0
 * @category Running
 */
export const merge = (saved: Results | undefined, fresh: Results): Results =>
  saved === undefined
    ? fresh
    : {
        meta: fresh.meta,
        groups: groupNames.flatMap((name) => {
          const g = fresh.groups.find((x) => x.group === name) ?? saved.groups.find((x) => x.group === name)
          return g === undefined ? [] : [g]
        }),
        memory: fresh.memory.length > 0 ? fresh.memory : saved.memory,
        breaker: fresh.breaker ?? saved.breaker
      }

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–")

/**
 * Runs the section: each group, each memory variant and the breaker in a child process of its own.
 *
 * @example
 * ```ts
 * import { Paths } from "@claude-resilience/bench"
 *
 * const results = Paths.run({ scale: "quick", groups: ["create"], onProgress: console.error })
 * ```
 *
 * @since 0.1.0
 * @category Running
 */
export const run = async (options: Options): Promise<Results> => {
  const progress = options.onProgress ?? (() => {})
  const quick = options.scale === "quick"
  const all = options.groups === undefined
  const jobs: Array<Job> = [
    ...specs(options.scale)
      .filter((spec) => options.groups === undefined || options.groups.includes(spec.group))
      .map((spec): Job => ({ type: "group", spec })),
    ...(all
      ? memoryVariants.map(
          (variant): Job => ({
            type: "memory",
            variant,
            inFlight: quick ? 100 : 1000,
            holdMs: quick ? 2000 : 10_000,
            warmup: quick ? 10 : 30
          })
        )
      : []),
    ...(all ? [{ type: "breaker", repetitions: quick ? 15 : 60 } as const] : [])
  ]
  const answers = await runJobs(jobs, (index, value) => {
    const job = jobs[index]!
    if (job.type === "group") {
      const result = value as GroupResult
      const ref = result.variants[0]!
      for (const v of result.variants)
        progress(
          `paths ${job.spec.group.padEnd(9)} ${v.variant.padEnd(13)} ${fixed(Rounds.spread(v.usPerCall).median).padStart(6)} µs/call  ×${fixed(Rounds.spread(Rounds.ratios(v.usPerCall, ref.usPerCall)).median, 2)}`
        )
    } else if (job.type === "memory") {
      const result = value as MemoryResult
      progress(
        `paths memory    ${job.variant.padEnd(13)} ${fixed(result.bytesPerCall / 1024, 1)} KB/call (${result.pendingAtMeasure}/${result.inFlight} held)`
      )
    } else {
      const b = value as BreakerResult
      const over = (values: ReadonlyArray<number>) =>
        fixed(Rounds.spread(Rounds.differences(values, b.baselineUs)).median, 2)
      progress(`paths breaker   closed ${over(b.closedUs)} µs, rejection ${over(b.rejectedUs)} µs over Effect.void`)
    }
  })
  const groups = answers.filter((_, i) => jobs[i]!.type === "group") as Array<GroupResult>
  const memory = answers.filter((_, i) => jobs[i]!.type === "memory") as Array<MemoryResult>
  const breaker = answers.find((_, i) => jobs[i]!.type === "breaker") as BreakerResult | undefined
  const cpu = os.cpus()
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      scale: options.scale,
      model
    },
    groups,
    memory,
    breaker
  }
}
