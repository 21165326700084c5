/**
 * Terminal output for the drill: a progress line and the side-by-side table.
 *
 * @since 0.1.0
 */
import type * as Workload from "./Workload.js"

const WIDTH = 24

/**
 * One progress line: a bar, counts, failures by tag.
 *
 * @since 0.1.0
 * @category Rendering
 * @example
 * ```ts
 * import { Render, Workload } from "@claude-resilience/demo"
 *
 * console.log(Render.progressLine("sdk", 10, { ...Workload.emptyTally, started: 4, finished: 3, succeeded: 3 }))
 * ```
 */
export const progressLine = (contender: Workload.Contender, total: number, tally: Workload.Tally): string => {
  const filled = total === 0 ? WIDTH : Math.round((tally.finished / total) * WIDTH)
  const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`
  const failures = Object.entries(tally.failedByTag)
    .sort(([, a], [, b]) => b - a)
    .map(([tag, n]) => `${tag} ${n}`)
    .join(", ")
  const name = contender === "sdk" ? "plain SDK        " : "claude-resilience"
  return `${name} ${bar} ${String(tally.finished).padStart(4)}/${total}  ok ${tally.succeeded}  failed ${
    tally.finished - tally.succeeded
  }${failures.length > 0 ? ` (${failures})` : ""}  resumed ${tally.resumed}  in flight ${tally.started - tally.finished}`
}

const cell = (value: number | string | undefined) => (value === undefined ? "n/a" : String(value))

/**
 * The side-by-side table of two (or one) reports, as Markdown-ish plain text.
 *
 * @since 0.1.0
 * @category Rendering
 * @example
 * ```ts
 * import { Render, Workload } from "@claude-resilience/demo"
 *
 * const tally = { ...Workload.emptyTally, finished: 10, succeeded: 10 }
 * const options = { requests: 10, concurrency: 2, model: "claude-sonnet-5-5" }
 * const extra = { wallMs: 900, attemptsSent: 10, breakerRejections: 0, resumedStreams: 0 }
 * console.log(Render.table([Workload.report("toolkit", options, tally, extra)]))
 * ```
 */
export const table = (reports: ReadonlyArray<Workload.Report>): string => {
  const tags = [...new Set(reports.flatMap((r) => Object.keys(r.failedByTag)))].sort()
  const rows: Array<readonly [string, ...Array<string>]> = [
    ["", ...reports.map((r) => (r.contender === "sdk" ? "plain SDK" : "claude-resilience"))],
    ["requests", ...reports.map((r) => cell(r.requests))],
    [
      "succeeded",
      ...reports.map((r) => `${r.succeeded} (${((100 * r.succeeded) / Math.max(1, r.requests)).toFixed(1)} %)`)
    ],
    ["failed", ...reports.map((r) => cell(r.failed))],
    ...tags.map((tag) => [`  ${tag}`, ...reports.map((r) => cell(r.failedByTag[tag] ?? 0))] as const),
    ["attempts sent", ...reports.map((r) => cell(r.attemptsSent))],
    ["retries", ...reports.map((r) => cell(r.retries))],
    ["breaker rejections", ...reports.map((r) => cell(r.breakerRejections))],
    ...(reports.some((r) => r.outage !== undefined)
      ? [["attempts into the outage", ...reports.map((r) => cell(r.outage?.refusedAttempts))] as const]
      : []),
    ["resumed streams", ...reports.map((r) => cell(r.resumedStreams))],
    ["output tokens thrown away", ...reports.map((r) => cell(r.wastedOutputTokens))],
    ["wall time", ...reports.map((r) => `${(r.wallMs / 1000).toFixed(1)} s`)]
  ]
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? "").length)))
  const line = (row: ReadonlyArray<string>) =>
    `| ${row.map((c, col) => (col === 0 ? c.padEnd(widths[col]!) : c.padStart(widths[col]!))).join(" | ")} |`
  const separator = `|${widths.map((w, col) => (col === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`
  return [line(rows[0]!), separator, ...rows.slice(1).map(line)].join("\n")
}
