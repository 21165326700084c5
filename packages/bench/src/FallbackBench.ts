/**
 * The `outage-fallback` scenario: model A down (529) for a window while B answers; the same
 * workload through claude-resilience without a fallback plan (it waits A's outage out) and with one
 * (`Fallback.create` for calls, `ResumableStream`'s `fallback` for streams), and once more with the
 * plan on a server without the outage for the fault-free p99 the target is measured against.
 *
 * @since 0.1.0
 */
import { performance } from "node:perf_hooks"
import { Claude, Fallback } from "@claude-resilience/client"
import { ResumableStream } from "@claude-resilience/stream"
import { FakeClaude } from "@claude-resilience/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Contender from "./Contender.js"
import * as Scenario from "./Scenario.js"

/**
 * The scenario: the models, A's outage window (server time since start) and the workload.
 *
 * @since 0.1.0
 * @category Models
 */
export interface FallbackScenario {
  readonly primary: string
  readonly fallback: string
  readonly fromMs: number
  readonly toMs: number
  readonly workload: Scenario.Workload
  readonly description: string
}

/**
 * @since 0.1.0
 * @category Models
 */
export type Variant = "fault-free" | "without" | "with"

/**
 * What a variant is called in the report.
 *
 * @since 0.1.0
 * @category Models
 */
export const labels: Readonly<Record<Variant, string>> = {
  "fault-free": "fallback plan, no outage (baseline)",
  without: "claude-resilience, no fallback",
  with: "claude-resilience + fallback plan"
}

/**
 * One variant over its runs: counts summed, latencies the median over the runs (each run's in
 * `runs`).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Row {
  readonly variant: Variant
  readonly requests: number
  readonly succeeded: number
  readonly successRate: number
  readonly failures: Readonly<Record<string, number>>
  /** latency of successful calls, ms */
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  /** calls started inside A's outage window, and the p99 of those that succeeded */
  readonly duringOutage: number
  readonly p99DuringOutageMs: number | null
  /** successful calls by the model that finished them */
  readonly answeredBy: Readonly<Record<string, number>>
  /** `/v1/messages` requests the server received, by model */
  readonly requestsByModel: Readonly<Record<string, number>>
  readonly wallMs: number
  /** each run's p99s */
  readonly runs: ReadonlyArray<{ readonly p99Ms: number | null; readonly p99DuringOutageMs: number | null }>
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Results {
  readonly date: string
  readonly scenario: FallbackScenario
  readonly rows: ReadonlyArray<Row>
}

/**
 * The scenario at a scale: A (the bench's model) down from 1.5 s to 4.5 s (quick: 0.3 s to 1.3 s),
 * one call starting every 25 ms, 30 % of them streaming.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (scale: Scenario.Scale): FallbackScenario => {
  const quick = scale === "quick"
  const [fromMs, toMs] = quick ? [300, 1300] : [1500, 4500]
  return {
    primary: "claude-sonnet-4-6",
    fallback: "claude-haiku-4-5",
    fromMs,
    toMs,
    workload: { requests: quick ? 60 : 240, concurrency: 256, spacingMs: 25, streamShare: 0.3 },
    description: `claude-sonnet-4-6 answers 529 overloaded_error from ${fromMs / 1000} s to ${toMs / 1000} s, claude-haiku-4-5 answers throughout; one call starts every 25 ms, 30 % stream`
  }
}

interface Answer {
  readonly text: string
  readonly model: string
}

interface Caller {
  readonly create: (prompt: string) => Promise<Answer>
  readonly stream: (prompt: string) => Promise<Answer>
  readonly close: () => Promise<void>
}

/** claude-resilience as `Contender.toolkit` configures it, with or without the plan. */
const caller = (target: Contender.Target, scenario: FallbackScenario, fallback: boolean): Caller => {
  const runtime = ManagedRuntime.make(
    Layer.merge(Contender.toolkitLayer(target), Logger.replace(Logger.defaultLogger, Logger.none))
  )
  const plan = Fallback.make([scenario.primary, scenario.fallback])
  const params = (prompt: string) => ({
    model: scenario.primary,
    max_tokens: target.maxTokens,
    messages: [{ role: "user" as const, content: prompt }]
  })
  const textOf = (message: Claude.Message) => message.content.map((b) => (b.type === "text" ? b.text : "")).join("")
  return {
    create: (prompt) =>
      runtime.runPromise(
        fallback
          ? Effect.map(Fallback.create(plan, params(prompt)), (r) => ({ text: textOf(r.message), model: r.model }))
          : Effect.flatMap(Claude.Claude, (claude) =>
              Effect.map(claude.messages.create(params(prompt)), (m) => ({ text: textOf(m), model: m.model }))
            )
      ),
    stream: (prompt) =>
      runtime.runPromise(
        Stream.runFold(
          ResumableStream.events(params(prompt), fallback ? { fallback: plan } : {}),
          { text: "", model: scenario.primary },
          (acc, event) =>
            event.type === "content_block_delta" && event.delta.type === "text_delta"
              ? { ...acc, text: acc.text + event.delta.text }
              : event.type === "resumption"
                ? { ...acc, model: event.model }
                : acc
        )
      ),
    close: () => runtime.dispose()
  }
}

interface Sample {
  readonly ok: boolean
  readonly startedMs: number
  readonly ms: number
  readonly model: string | undefined
  readonly tag: string | undefined
}

const percentile = (values: ReadonlyArray<number>, p: number): number | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return Math.round((sorted[index] ?? 0) * 10) / 10
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : error instanceof Error
      ? error.name
      : "Unknown"

/** The workload, each call starting no earlier than its slot; start times relative to `origin`. */
const drive = async (call: Caller, workload: Scenario.Workload, seed: number, origin: number) => {
  const samples: Array<Sample> = []
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (true) {
      const i = next++
      if (i >= workload.requests) return
      const wait = start + i * workload.spacingMs - performance.now()
      if (wait > 0) await sleep(wait)
      const prompt = Scenario.prompt(i)
      const expected = FakeClaude.completionText({ messages: [{ role: "user", content: prompt }] }, seed)
      const began = performance.now()
      try {
        const answer = Scenario.isStream(workload, i) ? await call.stream(prompt) : await call.create(prompt)
        const ok = answer.text === expected
        samples.push({
          ok,
          startedMs: began - origin,
          ms: performance.now() - began,
          model: answer.model,
          tag: ok ? undefined : "WrongText"
        })
      } catch (error) {
        samples.push({
          ok: false,
          startedMs: began - origin,
          ms: performance.now() - began,
          model: undefined,
          tag: tagOf(error)
        })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(workload.concurrency, workload.requests) }, worker))
  return samples
}

/**
 * Runs one variant against a fresh FakeClaude in this process.
 *
 * @since 0.1.0
 * @category Running
 */
export const runOne = async (scenario: FallbackScenario, variant: Variant, seed: number): Promise<Row> => {
  const outage = variant !== "fault-free"
  const options: FakeClaude.Options = {
    seed,
    ...(outage
      ? {
          outages: [
            {
              from: `${scenario.fromMs} millis`,
              to: `${scenario.toMs} millis`,
              status: 529,
              models: [scenario.primary]
            }
          ]
        }
      : {})
  }
  const scope = await Effect.runPromise(Scope.make())
  const fake = await Effect.runPromise(Scope.extend(FakeClaude.make(options), scope))
  // the window is in server time since the server started (a few ms before this): calls share the origin
  const origin = performance.now()
  const call = caller(
    { url: fake.url, apiKey: fake.apiKey, model: scenario.primary, maxTokens: 400, resumable: true },
    scenario,
    variant !== "without"
  )
  try {
    const began = performance.now()
    const samples = await drive(call, scenario.workload, seed, origin)
    const wallMs = Math.round(performance.now() - began)
    const records = await Effect.runPromise(fake.requests)
    const ok = samples.filter((s) => s.ok)
    const inWindow = samples.filter((s) => s.startedMs >= scenario.fromMs && s.startedMs < scenario.toMs)
    const count = (keys: ReadonlyArray<string>) => {
      const out: Record<string, number> = {}
      for (const key of keys) out[key] = (out[key] ?? 0) + 1
      return out
    }
    return {
      variant,
      requests: samples.length,
      succeeded: ok.length,
      successRate: samples.length === 0 ? 0 : ok.length / samples.length,
      failures: count(samples.flatMap((s) => (s.tag === undefined ? [] : [s.tag]))),
      p50Ms: percentile(
        ok.map((s) => s.ms),
        50
      ),
      p99Ms: percentile(
        ok.map((s) => s.ms),
        99
      ),
      duringOutage: inWindow.length,
      p99DuringOutageMs: percentile(
        inWindow.filter((s) => s.ok).map((s) => s.ms),
        99
      ),
      answeredBy: count(ok.map((s) => s.model ?? "unknown")),
      requestsByModel: count(
        records
          .filter((r) => r.path === "/v1/messages")
          .map((r) => (r.body as { readonly model?: string } | undefined)?.model ?? "unknown")
      ),
      wallMs,
      runs: [
        {
          p99Ms: percentile(
            ok.map((s) => s.ms),
            99
          ),
          p99DuringOutageMs: percentile(
            inWindow.filter((s) => s.ok).map((s) => s.ms),
            99
          )
        }
      ]
    }
  } finally {
    await call.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const median = (values: ReadonlyArray<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b)
  if (known.length === 0) return null
  const mid = Math.floor(known.length / 2)
  return known.length % 2 === 1 ? known[mid]! : Math.round(((known[mid - 1]! + known[mid]!) / 2) * 10) / 10
}

const sum = (records: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const record of records) for (const [key, n] of Object.entries(record)) out[key] = (out[key] ?? 0) + n
  return out
}

/**
 * The runs of one variant as one row: counts summed, p50 and p99 the median over the runs.
 *
 * @since 0.1.0
 * @category Running
 */
export const combine = (runs: ReadonlyArray<Row>): Row => {
  const first = runs[0]!
  const requests = runs.reduce((n, r) => n + r.requests, 0)
  const succeeded = runs.reduce((n, r) => n + r.succeeded, 0)
  return {
    variant: first.variant,
    requests,
    succeeded,
    successRate: requests === 0 ? 0 : succeeded / requests,
    failures: sum(runs.map((r) => r.failures)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    duringOutage: runs.reduce((n, r) => n + r.duringOutage, 0),
    p99DuringOutageMs: median(runs.map((r) => r.p99DuringOutageMs)),
    answeredBy: sum(runs.map((r) => r.answeredBy)),
    requestsByModel: sum(runs.map((r) => r.requestsByModel)),
    wallMs: runs.reduce((n, r) => n + r.wallMs, 0),
    runs: runs.flatMap((r) => r.runs)
  }
}

/**
 * The three variants, after a warm-up run: the baseline without the outage, then the outage without
 * and with the plan; `rounds` times (default 3, quick 1), the variants taking turns, so that a
 * moment of load on the machine does not fall on one variant only.
 *
 * @since 0.1.0
 * @category Running
 */
export const run = async (options: {
  readonly scale: Scenario.Scale
  readonly seed: number
  readonly rounds?: number | undefined
  readonly onProgress?: ((line: string) => void) | undefined
}): Promise<Results> => {
  const scenario = make(options.scale)
  const rounds = Math.max(1, options.rounds ?? (options.scale === "quick" ? 1 : 3))
  // a warm-up run, not reported: the first run in a process pays for loading and compiling the code
  await runOne({ ...scenario, workload: { ...scenario.workload, requests: 20 } }, "fault-free", options.seed)
  const variants = ["fault-free", "without", "with"] as const
  const runs: Record<Variant, Array<Row>> = { "fault-free": [], without: [], with: [] }
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const row = await runOne(scenario, variant, options.seed)
      runs[variant].push(row)
      options.onProgress?.(
        `outage-fallback ${variant.padEnd(10)} ${row.succeeded}/${row.requests} ok, p99 ${row.p99Ms} ms, in outage p99 ${row.p99DuringOutageMs} ms, ${row.wallMs} ms`
      )
    }
  }
  return { date: new Date().toISOString(), scenario, rows: variants.map((v) => combine(runs[v])) }
}

const pct = (n: number, of: number) => `${of === 0 ? 0 : Math.round((n / of) * 1000) / 10} %`
const ms = (n: number | null) => (n === null ? "–" : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`)
const each = (values: ReadonlyArray<number | null>) => (values.length > 1 ? ` (${values.map(ms).join(" / ")})` : "")
const byModel = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([model, n]) => `${model} ${n}`)
    .join(", ")

/**
 * The results table.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const table = (results: Results): string => {
  const lines = [
    "| variant | success | p50 | p99 (each run) | calls started in the outage | their p99 (each run) | answered by | requests sent by model | failures |",
    "|---|---:|---:|---:|---:|---:|---|---|---|"
  ]
  for (const r of results.rows) {
    lines.push(
      `| ${labels[r.variant]} | ${pct(r.succeeded, r.requests)} (${r.succeeded}/${r.requests}) | ${ms(r.p50Ms)} | ${ms(r.p99Ms)}${each(r.runs.map((x) => x.p99Ms))} | ${r.variant === "fault-free" ? "–" : r.duringOutage} | ${r.variant === "fault-free" ? "–" : `${ms(r.p99DuringOutageMs)}${each(r.runs.map((x) => x.p99DuringOutageMs))}`} | ${byModel(r.answeredBy)} | ${byModel(r.requestsByModel)} | ${byModel(r.failures)} |`
    )
  }
  return lines.join("\n")
}

/**
 * The targets: with the plan, every call succeeds, and the p99 of the calls started during the
 * outage is at most twice the fault-free p99.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const verdicts = (
  results: Results
): ReadonlyArray<{ readonly target: string; readonly measured: string; readonly met: boolean }> => {
  const base = results.rows.find((r) => r.variant === "fault-free")
  const without = results.rows.find((r) => r.variant === "without")
  const withPlan = results.rows.find((r) => r.variant === "with")
  if (base === undefined || without === undefined || withPlan === undefined) return []
  const limit = base.p99Ms === null ? null : 2 * base.p99Ms
  return [
    {
      target: "outage-fallback: 100 % success with a fallback plan while the primary model is down",
      measured: `with the plan ${pct(withPlan.succeeded, withPlan.requests)}, without ${pct(without.succeeded, without.requests)}`,
      met: withPlan.succeeded === withPlan.requests
    },
    {
      target: "outage-fallback: p99 of calls started during the outage ≤ 2× the fault-free p99",
      measured: `${ms(withPlan.p99DuringOutageMs)} with the plan (without: ${ms(without.p99DuringOutageMs)}); fault-free p99 ${ms(base.p99Ms)}, so the limit is ${ms(limit)}`,
      met: limit !== null && withPlan.p99DuringOutageMs !== null && withPlan.p99DuringOutageMs <= limit
    }
  ]
}

/**
 * The section of docs/benchmarks.md.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const markdown = (results: Results): string => `## Model fallback (\`outage-fallback\` scenario)

Measured ${results.date}. ${results.scenario.workload.requests} calls against a fresh FakeClaude (in the benchmark's
process) per run: ${results.scenario.description}. Each variant ran ${results.rows[0]?.runs.length ?? 0} time(s), the
variants taking turns, after a warm-up run; counts are summed over the runs, p50 and p99 are the median of
the runs' (each run's p99 in parentheses). claude-resilience as configured for the other scenarios
(\`benchPolicy\`, a breaker opening after 5 consecutive failures for 1 s), once without a fallback plan and once
with \`Fallback.make(["${results.scenario.primary}", "${results.scenario.fallback}"])\` — \`Fallback.create\` for calls,
\`ResumableStream.events(params, { fallback: plan })\` for streams (\`packages/bench/src/FallbackBench.ts\`); the
baseline runs the plan against the same workload without the outage.

${table(results)}

| target | measured | met |
|---|---|---|
${verdicts(results)
  .map((v) => `| ${v.target} | ${v.measured} | ${v.met ? "yes" : "**no**"} |`)
  .join("\n")}

- **calls started in the outage**: calls whose start fell inside the window (server time; the server started
  a few ms before the first call), and the p99 latency of those that succeeded.
- **answered by**: the model that finished each successful call (\`Fallback.Result.model\`, the last
  \`resumption\` notice's \`model\` for a stream); **requests sent by model**: \`/v1/messages\` requests the
  server received, failed ones included — the primary's include the 529s before its circuit opened and the
  half-open probes after.
`
