/**
 * The `batch` scenario's runner and report: each contender against a fresh FakeClaude (in this
 * process; CPU is not measured here), the requests the server received by endpoint, the items that
 * ended with a final outcome, and the targets checked.
 *
 * @since 0.1.0
 */
import { performance } from "node:perf_hooks"
import { FakeClaude } from "@claude-resilience/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as BatchContender from "./BatchContender.js"
import * as BatchScenario from "./BatchScenario.js"
import type * as Scenario from "./Scenario.js"

/**
 * One contender's run.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Row {
  readonly contender: BatchContender.Name
  readonly items: number
  /** items with a final outcome (succeeded, errored, canceled or expired) */
  readonly completed: number
  readonly succeeded: number
  readonly errored: number
  readonly expired: number
  readonly canceled: number
  /** items whose first result was re-runnable, and the item submissions after the first round */
  readonly retryableFirst: number
  readonly rerun: number
  /** items whose final outcome is still re-runnable (the bound reached) */
  readonly retryableLeft: number
  /** every request the server received, and by endpoint */
  readonly requestsSent: number
  readonly byEndpoint: Readonly<Record<string, number>>
  readonly stoppedBy: string | undefined
  readonly wallMs: number
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Results {
  readonly scenario: BatchScenario.BatchScenario
  readonly rows: ReadonlyArray<Row>
}

/** The endpoint of a recorded request. */
const endpointOf = (r: FakeClaude.RecordedRequest): string =>
  r.method === "POST" && r.path === "/v1/messages/batches"
    ? "create"
    : r.path.endsWith("/results")
      ? "results"
      : r.path.endsWith("/cancel")
        ? "cancel"
        : r.method === "GET" && r.path.startsWith("/v1/messages/batches/")
          ? "retrieve"
          : "other"

/**
 * Runs one contender against a fresh FakeClaude.
 *
 * @since 0.1.0
 * @category Running
 */
export const runOne = async (scenario: BatchScenario.BatchScenario, name: BatchContender.Name): Promise<Row> => {
  const scope = await Effect.runPromise(Scope.make())
  try {
    const fake = await Effect.runPromise(Scope.extend(FakeClaude.make(scenario.server), scope))
    await Effect.runPromise(fake.enqueue(...BatchScenario.faults(scenario.requests)))
    const began = performance.now()
    const output = await BatchContender.run(
      name,
      { url: fake.url, apiKey: fake.apiKey, pollMs: scenario.pollMs },
      scenario.requests
    )
    const wallMs = Math.round(performance.now() - began)
    const records = await Effect.runPromise(fake.requests)
    const byEndpoint: Record<string, number> = {}
    for (const r of records) byEndpoint[endpointOf(r)] = (byEndpoint[endpointOf(r)] ?? 0) + 1
    const count = (tag: string) => [...output.outcomes.values()].filter((t) => t === tag).length
    return {
      contender: name,
      items: scenario.requests,
      completed: output.outcomes.size,
      succeeded: count("Succeeded"),
      errored: count("Errored"),
      expired: count("Expired"),
      canceled: count("Canceled"),
      retryableFirst: output.retryableFirst,
      rerun: output.rerun,
      retryableLeft: output.retryableLeft,
      requestsSent: records.length,
      byEndpoint,
      stoppedBy: output.stoppedBy,
      wallMs
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * Both contenders on the scenario.
 *
 * @since 0.1.0
 * @category Running
 */
export const run = async (options: {
  readonly scale: Scenario.Scale
  readonly seed: number
  readonly onProgress?: ((line: string) => void) | undefined
}): Promise<Results> => {
  const scenario = BatchScenario.make(options.scale, options.seed)
  const rows: Array<Row> = []
  for (const name of BatchContender.names) {
    const row = await runOne(scenario, name)
    rows.push(row)
    options.onProgress?.(
      `batch         ${name.padEnd(10)} ${row.completed}/${row.items} with an outcome, ${row.succeeded} succeeded, ${row.requestsSent} requests, ${row.wallMs} ms`
    )
  }
  return { scenario, rows }
}

const pct = (n: number, of: number) => `${of === 0 ? 0 : Math.round((n / of) * 1000) / 10} %`

/**
 * The results table.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const table = (results: Results): string => {
  const lines = [
    "| contender | items with a final outcome | succeeded | errored | expired | re-runnable in round 1 | re-run | still re-runnable | requests sent (create / retrieve / results / cancel) | stopped by | wall |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"
  ]
  for (const r of results.rows) {
    const e = r.byEndpoint
    lines.push(
      `| ${BatchContender.labels[r.contender]} | ${pct(r.completed, r.items)} (${r.completed}/${r.items}) | ${r.succeeded} | ${r.errored} | ${r.expired} | ${r.retryableFirst} | ${r.rerun} | ${r.retryableLeft} | ${r.requestsSent} (${e.create ?? 0} / ${e.retrieve ?? 0} / ${e.results ?? 0} / ${e.cancel ?? 0}) | ${r.stoppedBy ?? "–"} | ${(r.wallMs / 1000).toFixed(1)} s |`
    )
  }
  return lines.join("\n")
}

/**
 * The targets: every item with a final outcome, and every re-runnable item re-run.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const verdicts = (
  results: Results
): ReadonlyArray<{ readonly target: string; readonly measured: string; readonly met: boolean }> => {
  const tk = results.rows.find((r) => r.contender === "toolkit")
  const sdk = results.rows.find((r) => r.contender === "sdk")
  if (tk === undefined || sdk === undefined) return []
  return [
    {
      target: "batch: 100 % of items end with a final outcome",
      measured: `claude-resilience ${pct(tk.completed, tk.items)}, plain SDK loop ${pct(sdk.completed, sdk.items)}`,
      met: tk.completed === tk.items
    },
    {
      target: "batch: every re-runnable item (expired, or errored retryably) is re-run",
      measured: `${tk.retryableFirst} re-runnable after round 1, ${tk.rerun} re-runs, ${tk.retryableLeft} still re-runnable at the bound; plain SDK loop: ${sdk.retryableFirst} left as they were`,
      met: tk.retryableFirst > 0 && tk.rerun >= tk.retryableFirst
    }
  ]
}

/**
 * The section of docs/benchmarks.md.
 *
 * @since 0.1.0
 * @category Rendering
 */
export const markdown = (results: Results): string => `## Message Batches (\`batch\` scenario)

${results.scenario.requests} requests submitted once through the plain SDK's batches calls in a straightforward loop
(create, poll every ${results.scenario.pollMs} ms, read the results; no re-submission) and once through
\`Batches.run\` (\`packages/bench/src/BatchContender.ts\`), each against a fresh FakeClaude: ${results.scenario.description}.

${table(results)}

| target | measured | met |
|---|---|---|
${verdicts(results)
  .map((v) => `| ${v.target} | ${v.measured} | ${v.met ? "yes" : "**no**"} |`)
  .join("\n")}

- **items with a final outcome**: \`custom_id\`s with a result line read (the SDK loop stops at the first error
  its own retries do not absorb: a lost create, poll or cut results download leaves the rest without one).
- **re-run**: item submissions in follow-up batches (up to 2 rounds); **still re-runnable**: items whose last
  result was still expired or retryably errored when the bound was reached.
- **requests sent**: every request the server received, faults included.
`
