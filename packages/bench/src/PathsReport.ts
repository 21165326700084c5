/**
 * The `paths` section as markdown and its targets checked (issue 19: a lean hot path).
 *
 * @since 0.1.0
 */
import * as Paths from "./Paths.js"
import type * as Report from "./Report.js"
import * as Rounds from "./Rounds.js"

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–")

/**
 * A spread as `median (min–max)`.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * // "1.23× (1.00–2.50)"
 * const cell = PathsReport.formatSpread({ median: 1.234, min: 1, max: 2.5 }, 2, "×")
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const formatSpread = (s: Rounds.Spread, digits = 0, unit = ""): string =>
  Number.isFinite(s.median)
    ? `${fixed(s.median, digits)}${unit} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`
    : "–"

/**
 * A verdict's cell: `yes`, `**no**`, or `–` when not measured.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const cell = PathsReport.formatMet(false) // "**no**"
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const formatMet = (met: boolean | undefined): string => (met === undefined ? "–" : met ? "yes" : "**no**")

const groupOf = (results: Paths.Results, group: Paths.Group) => results.groups.find((g) => g.group === group)
const variantOf = (group: Paths.GroupResult | undefined, variant: Paths.Variant) =>
  group?.variants.find((v) => v.variant === variant)

/**
 * The per-round ratio of `variant` to `reference` in a group, as a spread (undefined when either is
 * missing).
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const createRatio = (r: Paths.Results) => PathsReport.ratioOf(r, "create", "default", "sdk")
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const ratioOf = (
  results: Paths.Results,
  group: Paths.Group,
  variant: Paths.Variant,
  reference: Paths.Variant
): Rounds.Spread | undefined => {
  const g = groupOf(results, group)
  const v = variantOf(g, variant)
  const r = variantOf(g, reference)
  return v === undefined || r === undefined ? undefined : Rounds.spread(Rounds.ratios(v.usPerCall, r.usPerCall))
}

/**
 * A ratio target's verdict: met when the median ratio is at most `limit`.
 *
 * @example
 * ```ts
 * import { PathsReport, Rounds } from "@claude-resilience/bench"
 *
 * const v = PathsReport.ratioVerdict("create ≤ 1.2×", Rounds.spread([1.1, 1.3]), 1.2)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const ratioVerdict = (target: string, ratio: Rounds.Spread | undefined, limit: number): Report.Verdict =>
  ratio === undefined
    ? { target, measured: "not measured", met: undefined }
    : {
        target,
        measured: `${fixed(ratio.median, 2)}× (rounds ${fixed(ratio.min, 2)}–${fixed(ratio.max, 2)}×)`,
        met: ratio.median <= limit
      }

const memoryOf = (results: Paths.Results, variant: Paths.MemoryVariant) =>
  results.memory.find((m) => m.variant === variant)

/**
 * The breaker's cost over `Effect.void`, µs per call: the median of the per-repetition differences
 * (the three ran in turn in each repetition).
 *
 * @example
 * ```ts
 * import { PathsReport } from "@claude-resilience/bench"
 *
 * // { closed: 1, rejected: 3 }
 * const o = PathsReport.breakerOverhead({ repetitions: 2, baselineUs: [1, 2], closedUs: [2, 3], rejectedUs: [4, 5] })
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const breakerOverhead = (
  breaker: Paths.BreakerResult
): { readonly closed: number; readonly rejected: number } => {
  const over = (values: ReadonlyArray<number>) => Rounds.spread(Rounds.differences(values, breaker.baselineUs)).median
  return { closed: over(breaker.closedUs), rejected: over(breaker.rejectedUs) }
}

/**
 * One verdict per target of the section.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const missed = (r: Paths.Results) => PathsReport.verdicts(r).filter((v) => v.met === false)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const verdicts = (results: Paths.Results): ReadonlyArray<Report.Verdict> => {
  const out: Array<Report.Verdict> = [
    ratioVerdict(
      "`create`, default layer ≤ 1.2× the plain SDK's client CPU",
      ratioOf(results, "create", "default", "sdk"),
      1.2
    ),
    ratioVerdict(
      "stream, 300 tokens, `claude.messages.stream` ≤ 1.5× the plain SDK's",
      ratioOf(results, "stream300", "stream", "sdk"),
      1.5
    ),
    ratioVerdict(
      "stream, 10k tokens, `claude.messages.stream` ≤ 1.15× the plain SDK's",
      ratioOf(results, "stream10k", "stream", "sdk"),
      1.15
    ),
    ratioVerdict(
      "`ResumableStream` ≤ 1.1× the client's own stream (300 tokens)",
      ratioOf(results, "stream300", "resumable", "stream"),
      1.1
    )
  ]
  const b = results.breaker
  if (b !== undefined) {
    const o = breakerOverhead(b)
    out.push({
      target: "circuit breaker ≤ 2 µs per closed call and per rejection (over `Effect.void`)",
      measured: `closed ${fixed(o.closed, 2)} µs, rejection ${fixed(o.rejected, 2)} µs`,
      met: o.closed <= 2 && o.rejected <= 2
    })
  }
  for (const [ours, sdk] of [
    ["create", "sdk-create"],
    ["stream", "sdk-stream"]
  ] as const) {
    const o = memoryOf(results, ours)
    const s = memoryOf(results, sdk)
    if (o === undefined || s === undefined) continue
    const ratio = o.bytesPerCall / s.bytesPerCall
    out.push({
      target: `memory per ${ours === "create" ? "`create`" : "stream"} in flight ≤ 1.5× the plain SDK's`,
      measured: `${fixed(o.bytesPerCall / 1024, 1)} KB vs ${fixed(s.bytesPerCall / 1024, 1)} KB (${fixed(ratio, 2)}×, ${o.inFlight} at once)`,
      met: ratio <= 1.5
    })
  }
  const create = groupOf(results, "create")
  const sdk = variantOf(create, "sdk")
  const ours = variantOf(create, "default")
  if (sdk !== undefined && ours !== undefined) {
    const diff = ours.wallP50Ms - sdk.wallP50Ms
    out.push({
      target: "fault-free loopback p50 within 1 ms of the plain SDK's (`create`, one call at a time)",
      measured: `${fixed(ours.wallP50Ms, 2)} ms vs ${fixed(sdk.wallP50Ms, 2)} ms (${diff >= 0 ? "+" : ""}${fixed(diff, 2)} ms)`,
      met: diff <= 1
    })
  }
  return out
}

const cpuCell = (v: Paths.VariantResult | undefined) =>
  v === undefined ? "–" : formatSpread(Rounds.spread(v.usPerCall))

/**
 * The paths table: per path the reference's and ours CPU per call, the ratio and the target.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const page = (r: Paths.Results) => PathsReport.table(r)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const table = (results: Paths.Results): string => {
  const rows: Array<[string, Paths.Group, Paths.Variant, Paths.Variant, string, number]> = [
    ["`create`", "create", "sdk", "default", "plain SDK", 1.2],
    ["stream, 300 tokens", "stream300", "sdk", "stream", "plain SDK", 1.5],
    ["stream, 10k tokens", "stream10k", "sdk", "stream", "plain SDK", 1.15],
    ["`ResumableStream`, 300 tokens", "stream300", "stream", "resumable", "`claude.messages.stream`", 1.1],
    ["`ResumableStream`, 10k tokens", "stream10k", "stream", "resumable", "`claude.messages.stream`", 1.1]
  ]
  const lines = [
    "| path | reference | reference µs / call | claude-resilience µs / call | ratio | target | met |",
    "|---|---|---:|---:|---:|---:|---|"
  ]
  for (const [label, group, reference, variant, refLabel, limit] of rows) {
    const g = groupOf(results, group)
    if (g === undefined) continue
    const ratio = ratioOf(results, group, variant, reference)
    lines.push(
      `| ${label} | ${refLabel} | ${cpuCell(variantOf(g, reference))} | ${cpuCell(variantOf(g, variant))} | ${ratio === undefined ? "–" : formatSpread(ratio, 2, "×")} | ≤ ${limit}× | ${formatMet(ratio === undefined ? undefined : ratio.median <= limit)} |`
    )
  }
  return lines.join("\n")
}

/**
 * The ablation table of `create`: each variant's CPU per call, its difference to the default layer
 * (median of the per-round differences) and its ratio to the plain SDK.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const page = (r: Paths.Results) => PathsReport.ablationTable(r)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const ablationTable = (results: Paths.Results): string => {
  const g = groupOf(results, "create")
  if (g === undefined) return ""
  const base = variantOf(g, "default")
  const sdk = variantOf(g, "sdk")
  const lines = [
    "| variant | µs / call | vs default layer, µs / call | × plain SDK | wall p50 |",
    "|---|---:|---:|---:|---:|"
  ]
  for (const v of g.variants) {
    const diff =
      base === undefined || v.variant === "default"
        ? undefined
        : Rounds.spread(Rounds.differences(v.usPerCall, base.usPerCall))
    const ratio = sdk === undefined ? undefined : Rounds.spread(Rounds.ratios(v.usPerCall, sdk.usPerCall))
    const label =
      v.variant === "tracer" && g.spansPerCall !== undefined
        ? `${Paths.labels.tracer}: ${fixed(g.spansPerCall, 1)} spans per call`
        : Paths.labels[v.variant]
    lines.push(
      `| ${label} | ${formatSpread(Rounds.spread(v.usPerCall))} | ${diff === undefined ? "–" : `${diff.median >= 0 ? "+" : ""}${formatSpread(diff)}`} | ${ratio === undefined ? "–" : formatSpread(ratio, 2, "×")} | ${fixed(v.wallP50Ms, 2)} ms |`
    )
  }
  return lines.join("\n")
}

const kb = (bytes: number) => `${fixed(bytes / 1024, 1)} KB`

/**
 * The memory table: bytes per call held in flight.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const page = (r: Paths.Results) => PathsReport.memoryTable(r)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const memoryTable = (results: Paths.Results): string => {
  if (results.memory.length === 0) return ""
  const lines = [
    "| calls in flight | held (at the server when measured) | heap + external per call | heap | external | × plain SDK |",
    "|---|---:|---:|---:|---:|---:|"
  ]
  for (const m of results.memory) {
    const sdk = memoryOf(results, m.variant === "stream" || m.variant === "sdk-stream" ? "sdk-stream" : "sdk-create")
    lines.push(
      `| ${Paths.memoryLabels[m.variant]} | ${m.inFlight} (${m.pendingAtMeasure}) | ${kb(m.bytesPerCall)} | ${kb(m.heapBytesPerCall)} | ${kb(m.externalBytesPerCall)} | ${sdk === undefined ? "–" : `${fixed(m.bytesPerCall / sdk.bytesPerCall, 2)}×`} |`
    )
  }
  return lines.join("\n")
}

/**
 * The breaker table: µs per call over the repetitions.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const page = (b: Paths.BreakerResult) => PathsReport.breakerTable(b)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const breakerTable = (breaker: Paths.BreakerResult): string => {
  const o = breakerOverhead(breaker)
  const row = (label: string, values: ReadonlyArray<number>, over: number | undefined) =>
    `| ${label} | ${formatSpread(Rounds.spread(values), 2)} | ${over === undefined ? "–" : fixed(over, 2)} |`
  return [
    "| | µs / call | over `Effect.void`, µs |",
    "|---|---:|---:|",
    row("`Effect.void`, no breaker", breaker.baselineUs, undefined),
    row("through a closed circuit", breaker.closedUs, o.closed),
    row("rejected by an open circuit", breaker.rejectedUs, o.rejected)
  ].join("\n")
}

/**
 * The section of docs/benchmarks.md.
 *
 * @example
 * ```ts
 * import { Paths, PathsReport } from "@claude-resilience/bench"
 *
 * const section = (r: Paths.Results) => PathsReport.markdown(r)
 * ```
 *
 * @since 0.1.0
 * @category Rendering
 */
export const markdown = (results: Paths.Results): string => {
  const m = results.meta
  const g = (group: Paths.Group) => groupOf(results, group)
  const describe = (group: Paths.Group) => {
    const r = g(group)
    return r === undefined
      ? "not run"
      : `${r.rounds} rounds × ${r.batch} calls per variant after ${r.warmup} warm-up calls`
  }
  const s300 = g("stream300")
  const s10k = g("stream10k")
  return `## Hot paths: client CPU per call (interleaved)

Measured ${m.date} (${m.scale} run) on ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}, model \`${m.model}\`.
Each path runs in a fresh client process with FakeClaude in another one, so the CPU is the client's
alone (\`process.cpuUsage()\`, user + system); the variants of a path take turns, one batch of calls
each per round (round _r_ starts with variant _r_, so each takes every position), after a warm-up,
with a full GC before each batch. Calls are made one at a time and every answer is checked. Shown: the
median over the rounds and the range (min–max); a ratio is taken per round against the reference of
the same round. \`create\`: ${describe("create")}; streams of ${s300?.deltas ?? 300} and ${s10k?.deltas ?? "10,000"} one-word text deltas: ${describe("stream300")} / ${describe("stream10k")}.
The plain SDK is \`new Anthropic({ apiKey, baseURL })\` (2 retries, unused here); a stream is
\`messages.create({ stream: true })\` read to its end. claude-resilience is \`Claude.layer({ apiKey,
baseURL })\` with every default (in-memory rate limiter, breaker, retry policy, preflight), one
\`ManagedRuntime\` per variant and one \`runPromise\` per call; its log lines are formatted (logfmt) and
dropped, as a logger without its I/O.

### Targets

| target | measured | met |
|---|---|---|
${verdicts(results)
  .map((v) => `| ${v.target} | ${v.measured} | ${formatMet(v.met)} |`)
  .join("\n")}

### Per path

${table(results)}

${
  g("create") === undefined
    ? ""
    : `### What each feature costs on \`create\` (ablation)

The default layer with one thing switched off (or on) at a time through public options, in the same
rounds; "floor" is the SDK call in \`Effect.tryPromise\` run with \`Effect.runPromise\`: the price of
entering Effect at all.

${ablationTable(results)}

`
}${
  results.memory.length === 0
    ? ""
    : `### Memory per call in flight

In the section's process (\`--expose-gc\`), one row after the other: after a few warm-up calls (to
another model), \`heapUsed + external\` after a full GC, then ${results.memory[0]?.inFlight ?? 0} calls started at once, which FakeClaude holds (a create before its answer, a
stream after its first event); once the server holds them all, a full GC and the same reading; the
difference ÷ the calls. Streams are compared with the SDK's stream, calls with its \`create\`.

${memoryTable(results)}

`
}${
  results.breaker === undefined
    ? ""
    : `### Circuit breaker per call

${results.breaker.repetitions} repetitions of 1,000 calls in one \`runSync\` each (as \`packages/circuit-breaker/bench\`); the three
take turns in each repetition, and "over \`Effect.void\`" is the median of the per-repetition differences:

${breakerTable(results.breaker)}

`
}To run one path alone: \`pnpm bench --only paths --paths create\` (or \`stream300\`, \`stream10k\`; comma-separated),
which puts the new numbers into docs/benchmarks.json; to profile one variant, see [development.md](development.md#finding-the-hot-spot).

`
}
