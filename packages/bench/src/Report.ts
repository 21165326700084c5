/**
 * The benchmark's results as markdown (docs/benchmarks.md) with the targets checked.
 *
 * @since 0.1.0
 */
import type * as Bench from "./Bench.js"
import * as Contender from "./Contender.js"
import * as Fleet from "./Fleet.js"
import * as PathsReport from "./PathsReport.js"
import * as Scenario from "./Scenario.js"

const pct = (rate: number) => `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`
const ms = (n: number | null) => (n === null ? "–" : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`)
const us = (n: number | null) => (n === null ? "–" : `${n.toFixed(0)} µs`)

const failures = (row: Bench.Row) => {
  const entries = Object.entries(row.failures).sort((a, b) => b[1] - a[1])
  return entries.length === 0 ? "" : entries.map(([tag, n]) => `${tag} ${n}`).join(", ")
}

/**
 * The results table: one row per scenario × contender.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const table = (results: Bench.Results): string => {
  const lines = [
    "| scenario | contender | success | p50 | p99 | attempts sent | 429s | reached server in outage | regenerated output tokens | CPU / successful call | failures |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  ]
  for (const scenario of Scenario.names) {
    for (const name of Contender.names) {
      const row = results.rows.find((r) => r.scenario === scenario && r.contender === name)
      if (row === undefined) continue
      lines.push(
        `| ${scenario} | ${Contender.labels[name]} | ${pct(row.successRate)} (${row.succeeded}/${row.requests}) | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${row.attempts} | ${row.status429} | ${row.outageRequests} | ${row.regeneratedTokens}${row.regeneratedTokensInSuccesses !== undefined && row.regeneratedTokens > 0 ? ` (${row.regeneratedTokensInSuccesses} in successful calls)` : ""} | ${us(row.cpuUsPerSuccess)} | ${failures(row)} |`
      )
    }
  }
  return lines.join("\n")
}

/**
 * One verdict per target.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Verdict {
  readonly target: string
  readonly measured: string
  readonly met: boolean | undefined
}

const find = (results: Bench.Results, scenario: Scenario.Name, name: Contender.Name) =>
  results.rows.find((r) => r.scenario === scenario && r.contender === name)

/**
 * Checks the numbers we aim for (never asserted in tests).
 *
 * @since 0.1.0
 * @category Rendering
 */
export const verdicts = (results: Bench.Results): ReadonlyArray<Verdict> => {
  const out: Array<Verdict> = []
  // the per-call CPU targets are per path (create, streams, resumable, breaker, memory): PathsReport.verdicts
  const tk = find(results, "transient", "toolkit")
  const sdk = find(results, "transient", "sdk")
  if (tk !== undefined && sdk !== undefined)
    out.push({
      target: "100 % success under transient chaos where the plain SDK fails some",
      measured: `claude-resilience ${pct(tk.successRate)}, plain SDK ${pct(sdk.successRate)}`,
      met: tk.successRate === 1 && sdk.successRate < 1
    })
  const tkOut = find(results, "outage", "toolkit")
  const sdkOut = find(results, "outage", "sdk")
  if (tkOut !== undefined && sdkOut !== undefined) {
    const factor = sdkOut.outageRequests / Math.max(1, tkOut.outageRequests)
    out.push({
      target: "during the outage ≥ 10× fewer requests reach the server than without a breaker (plain SDK)",
      measured: `${tkOut.outageRequests} vs ${sdkOut.outageRequests} (${factor.toFixed(1)}× fewer)`,
      met: factor >= 10
    })
  }
  const tkCut = find(results, "stream-cut", "toolkit")
  if (tkCut !== undefined)
    out.push({
      target: "zero regenerated output tokens after a text stream cut",
      measured: `${tkCut.regeneratedTokens} tokens`,
      met: tkCut.regeneratedTokens === 0
    })
  return out
}

const fleetRow = (results: Bench.Results, name: Fleet.Name) => results.fleet?.rows.find((r) => r.contender === name)

/**
 * The fleet scenario's table: one row per contender.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const fleetTable = (fleet: Fleet.Results): string => {
  const lines = [
    "| contender | processes × callers | goodput (share of the OTPM limit) | attempts answered 429 | calls ok | time waited p50 | p99 | requests / input / output used |",
    "|---|---|---:|---:|---:|---:|---:|---|"
  ]
  for (const name of Fleet.names) {
    const row = fleet.rows.find((r) => r.contender === name)
    if (row === undefined) continue
    if (row.skipped !== undefined) {
      lines.push(
        `| ${Fleet.labels[name]} | ${row.processes} × ${row.callersPerProcess} | skipped: ${row.skipped} | | | | | |`
      )
      continue
    }
    const failed = Object.entries(row.failures)
      .map(([tag, n]) => `${tag} ${n}`)
      .join(", ")
    lines.push(
      `| ${Fleet.labels[name]} | ${row.processes} × ${row.callersPerProcess} | ${pct(row.goodput)} | ${pct(row.share429)} (${row.status429}/${row.attempts}) | ${row.ok}/${row.calls}${failed === "" ? "" : ` (${failed})`} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${pct(row.uses.requests.share)} / ${pct(row.uses.inputTokens.share)} / ${pct(row.uses.outputTokens.share)} |`
    )
  }
  return lines.join("\n")
}

/**
 * The fleet scenario's targets (never asserted in tests).
 *
 * @since 0.1.0
 * @category Rendering
 */
export const fleetVerdicts = (results: Bench.Results): ReadonlyArray<Verdict> => {
  const out: Array<Verdict> = []
  const check = (name: Fleet.Name, target: string) => {
    const row = fleetRow(results, name)
    if (row === undefined) return
    out.push({
      target,
      measured:
        row.skipped !== undefined
          ? `not measured (${row.skipped})`
          : `goodput ${pct(row.goodput)}, ${pct(row.share429)} of attempts answered 429 (${row.status429}/${row.attempts})`,
      met: row.skipped !== undefined ? undefined : row.goodput >= 0.95 && row.share429 <= 0.01
    })
  }
  check("redis", "fleet, Redis limiter: goodput ≥ 95 % of the tightest limit, ≤ 1 % of attempts answered 429")
  check(
    "memory-single",
    "fleet, in-memory limiter, one process: goodput ≥ 95 % of the tightest limit, ≤ 1 % of attempts answered 429"
  )
  return out
}

const range = (values: ReadonlyArray<number>) => {
  const low = Math.min(...values).toFixed(0)
  const high = Math.max(...values).toFixed(0)
  return low === high ? low : `${low}–${high}`
}

const fleetSection = (results: Bench.Results): string => {
  const fleet = results.fleet
  if (fleet === undefined) return ""
  const f = fleet.setup
  const n = (x: number) => x.toLocaleString("en-US")
  const served = fleet.rows.flatMap((r) => (r.serverP50Ms === null ? [] : [r.serverP50Ms]))
  const redis =
    fleet.redis === "none"
      ? "none found (the Redis row was skipped)"
      : fleet.redis === "REDIS_URL"
        ? "`REDIS_URL`"
        : "a private `redis-server` started by the benchmark"
  return `## Fleet: client processes sharing one organisation's rate limits

${f.processes} client processes × ${f.callers} callers against one FakeClaude that enforces, for the API key,
${f.limits.requestsPerMinute} requests, ${n(f.limits.inputTokensPerMinute)} input tokens and ${n(f.limits.outputTokensPerMinute)} output tokens per minute, with
\`clockScale: ${f.clockScale}\` (a minute lasts ${(60 / f.clockScale).toFixed(0)} s). Each caller always has a call in flight: one call after
another for ${(f.durationMs / 1000).toFixed(0)} s, to \`${f.model}\`, ${Math.round(f.streamShare * 100)} % streaming, \`max_tokens\` ${n(f.maxTokens)}. An answer is
about 225 output tokens and a prompt about 38 input tokens, so the output bucket binds first (the
request and input buckets run at about 70 % and 75 % of theirs). Every contender gets a fresh
FakeClaude; the client processes start once. Redis: ${redis}.

${fleetTable(fleet)}

- **goodput**: output tokens of the calls FakeClaude answered in the measured window ÷ what the output
  limit allowed in it (a bucket starts full: \`limit × (1 + minutes)\`). The window starts at the
  server's first request and lasts the run (${(f.durationMs / 1000).toFixed(0)} s, ${((f.durationMs * f.clockScale) / 60_000).toFixed(0)} scaled minutes), while every caller
  always has a call to make; calls still queued or retrying after it are left out of both sides.
- **attempts answered 429**: counted by FakeClaude over every \`/v1/messages\` request it received.
- **time waited**: the latency of successful calls${served.length === 0 ? "" : `; FakeClaude itself answered in a median of ${range(served)} ms, so the rest is waiting`}:
  in the limiter's queue, or in backoff after 429s (whose \`retry-after\` is at least 1 s: a whole scaled minute).
- **requests / input / output used**: each bucket's share, as goodput.
- Limiters were told only the window (\`limits: { window: "1 second" }\`, as the server's minute is
  scaled); the limits themselves were learned from the \`anthropic-ratelimit-*\` headers of the first
  answers. Until those arrive nothing is known: the first wave of calls goes out unchecked and is not
  in the limiter's buckets until the \`remaining\` headers catch up. The few 429s of the limiters are
  its doing: in a run of this fleet made by hand to look at them, they were all on the output bucket,
  within the first two scaled minutes; and with the limits configured up front
  (\`rateLimit: { limits }\`), the Redis and single-process limiters had none (0/791 and 0/807 attempts).
- **Reading it.** With every caller always busy, the server stays saturated whoever collides: the callers
  that are not backing off keep the bucket full, so goodput barely separates the contenders. What
  does is the refused attempts (each a wasted round trip, and against the real API a request that
  keeps the organisation at its limit) and the waits: without a shared limiter callers race, the
  winners answer fast and the losers wait out \`retry-after\`s (the long p99); with one, every caller
  waits its turn in line (a higher p50, a short tail). In-memory limiters in separate processes each
  believe the whole limit is theirs; the \`remaining\` headers pull their buckets down, which lowers
  the 429s against no limiter at all but does not prevent them.

`
}

const cellsOf = (line: string): Array<string> =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim())

const isDelimiter = (line: string | undefined) => line !== undefined && /^\|\s*:?-+/.test(line)

/**
 * Pads every markdown table of a page into aligned columns (as the repository's formatter
 * leaves them), so the generated page needs no formatting pass.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const alignTables = (page: string): string => {
  const lines = page.split("\n")
  const out: Array<string> = []
  let fenced = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith("```")) fenced = !fenced
    if (fenced || !line.startsWith("|") || !isDelimiter(lines[i + 1])) {
      out.push(line)
      continue
    }
    let end = i
    while (end < lines.length && lines[end]!.startsWith("|")) end++
    const rows = lines.slice(i, end).map(cellsOf)
    const columns = Math.max(...rows.map((r) => r.length))
    const delimiter = rows[1]!
    const widths = Array.from({ length: columns }, (_, c) =>
      Math.max(3, ...rows.filter((_, r) => r !== 1).map((r) => [...(r[c] ?? "")].length))
    )
    rows.forEach((row, r) => {
      const cells = widths.map((w, c) => {
        const align = delimiter[c] ?? ""
        const right = align.endsWith(":") && !align.startsWith(":")
        if (r === 1)
          return right ? `${"-".repeat(w - 1)}:` : align.startsWith(":") ? `:${"-".repeat(w - 1)}` : "-".repeat(w)
        const cell = row[c] ?? ""
        const pad = " ".repeat(w - [...cell].length)
        return right ? pad + cell : cell + pad
      })
      out.push(`| ${cells.join(" | ")} |`)
    })
    i = end - 1
  }
  return out.join("\n").replace(/\n+$/, "\n")
}

/**
 * The whole docs/benchmarks.md.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const markdown = (results: Bench.Results, notes: string): string => {
  const m = results.meta
  const b = results.breaker
  const o = results.overhead
  return alignTables(`# Benchmarks

\`pnpm bench\` runs four contenders against the same seeded FakeClaude scenarios and writes this page
and \`docs/benchmarks.json\`. Generated ${m.date} (${m.scale} run).

- **machine**: ${m.cpu}, ${m.cores} cores, ${m.os}
- **Node**: ${m.node}
- **seed**: ${m.seed}, model \`${m.model}\`; FakeClaude ${m.serverInProcess ? "in the benchmark's process (CPU figures include the server)" : "in a child process (CPU figures are the client's alone)"}
- **claude-resilience streams**: ${m.resumableStream ? "through `@claude-resilience/stream` (`ResumableStream.events`, prefill strategy)" : "through `claude.messages.stream` (no resumption: `@claude-resilience/stream` was not used)"}

## Results

${table(results)}

- **success**: the call returned the complete answer, byte for byte (FakeClaude's text is deterministic),
  so a stream that ends early without an error counts as \`TruncatedText\`, not as a success.
- **p50 / p99**: latency of successful calls, including retries and waits.
- **attempts sent**, **429s**, **reached server in outage**: counted by the server (\`fake.requests\`, \`faultSource: "outage"\`).
- **regenerated output tokens**: streamed text (chars / 4, FakeClaude's estimate) received by attempts that
  were thrown away (a failed call) or generated again (a retried stream started over).
- **CPU / successful call**: \`process.cpuUsage()\` (user + system) over the run ÷ successful calls.

## Targets

| target | measured | met |
|---|---|---|
${[...verdicts(results), ...fleetVerdicts(results)]
  .map((v) => `| ${v.target} | ${v.measured} | ${v.met === undefined ? "–" : v.met ? "yes" : "**no**"} |`)
  .join("\n")}

${fleetSection(results)}## claude-resilience overhead (fault-free, interleaved)

${o.rounds} rounds; each runs ${o.batch} calls (30 % streaming, 4 at once) with the plain SDK and with
claude-resilience against one fault-free server, alternating which goes first; the ratio is toolkit CPU ÷
SDK CPU of the same round.

| | per round |
|---|---|
| plain SDK, µs / call | ${o.sdkUsPerCall.join(", ")} |
| claude-resilience, µs / call | ${o.toolkitUsPerCall.join(", ")} |
| ratio | ${o.ratios.join(", ")} |
| **median ratio** | **${o.medianRatio.toFixed(3)}×** |

## Circuit breaker cost (in-process)

Median over repetitions of 1,000-call batches run with \`runSync\` (as \`packages/circuit-breaker/bench\`):

| | ns / call |
|---|---:|
| \`Effect.void\`, no breaker | ${b.baselineNs} |
| through a closed circuit | ${b.closedNs} (+${b.closedOverheadNs}) |
| rejected by an open circuit | ${b.openRejectionNs} (+${b.rejectionOverheadNs}) |

${results.paths === undefined ? "" : PathsReport.markdown(results.paths)}${
  results.regeneration === undefined
    ? ""
    : `## Output regenerated per stream cut, by resumption strategy

The same ${results.regeneration[0]?.cuts ?? 0} seeded cut points (FakeClaude seed 7, whose continuation turn repeats the last
4 words, as models do), one stream per cut, through \`ResumableStream\` with each strategy
(\`packages/bench/src/Regeneration.ts\`).

| strategy | chars regenerated per cut | output tokens per cut | repeated chars dropped by the stitcher | exact answers |
|---|---:|---:|---:|---:|
${results.regeneration
  .map((r) => `| ${r.strategy} | ${r.charsPerCut} | ${r.tokensPerCut} | ${r.droppedChars} | ${r.exact}/${r.cuts} |`)
  .join("\n")}

`
}## Scenarios

| scenario | FakeClaude | calls |
|---|---|---|
${results.scenarios
  .map(
    (s) =>
      `| ${s.name} | ${s.description} | ${s.workload.requests}, ${s.workload.concurrency} at once${s.workload.spacingMs > 0 ? `, one every ${s.workload.spacingMs} ms` : ""}, ${Math.round(s.workload.streamShare * 100)} % streaming |`
  )
  .join("\n")}

Every contender gets a fresh FakeClaude with the same seed and options per scenario, so the random fault
sequence is the same per request _order_ (which differs once contenders retry differently).

${notes}
`)
}
