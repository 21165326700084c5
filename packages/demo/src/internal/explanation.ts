import type * as Workload from "../Workload.js"

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const byTag = (report: Workload.Report) =>
  Object.entries(report.failedByTag)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([tag, n]) => `${n} ${tag}`)
    .join(", ")

const title = (report: Workload.Report) => (report.contender === "sdk" ? "The plain SDK" : "claude-resilience")

/** What one contender's run came to, naming only what happened (no "0 retries"). */
const outcome = (report: Workload.Report, withTime: boolean): string => {
  const head =
    report.failed === 0
      ? `${title(report)}: ${report.requests === 1 ? "the one call" : `all ${report.requests} calls`} succeeded`
      : `${title(report)}: ${report.succeeded} of ${count(report.requests, "call")} succeeded, ${report.failed} failed (${byTag(report)})`
  const details = [
    report.retries !== undefined && report.retries > 0 ? count(report.retries, "retry", "retries") : undefined,
    report.resumedStreams > 0
      ? `${count(report.resumedStreams, "stream")} resumed mid-answer instead of starting over`
      : undefined,
    report.breakerRejections > 0
      ? `${count(report.breakerRejections, "attempt")} held back by the open circuit breaker (never sent)`
      : undefined,
    report.wastedOutputTokens > 0
      ? `${count(report.wastedOutputTokens, "output token")} received by calls that then failed, thrown away`
      : undefined
  ].filter((d): d is string => d !== undefined)
  return `${head}${withTime ? ` in ${seconds(report.wallMs)}` : ""}${details.length > 0 ? `; ${details.join("; ")}` : ""}.`
}

const lostComparison = (sdk: Workload.Report, toolkit: Workload.Report): string => {
  if (sdk.failed === 0 && toolkit.failed === 0)
    return (sdk.retries ?? 0) + (toolkit.retries ?? 0) + toolkit.breakerRejections === 0
      ? "Neither lost a call, and nothing had to be retried: no fault struck this run."
      : "Neither lost a call: the plain SDK's 2 retries were enough for these faults."
  if (toolkit.failed === sdk.failed) return `Both lost ${count(sdk.failed, "call")}.`
  if (toolkit.failed > sdk.failed)
    return `claude-resilience lost more calls than the plain SDK (${toolkit.failed} against ${sdk.failed}).`
  const kept = sdk.failed - toolkit.failed
  return (
    `claude-resilience kept ${count(kept, "call")} the plain SDK lost: the SDK gives up after its 2 retries, ` +
    "the toolkit retries each error type on its own schedule within a time budget."
  )
}

const outageLine = (sdk: Workload.Report, toolkit: Workload.Report): string | undefined => {
  const outage = toolkit.outage ?? sdk.outage
  if (outage === undefined) return undefined
  const refused = (r: Workload.Report) => r.outage?.refusedAttempts ?? 0
  const head = `The outage (every request answered 503 for ${seconds(outage.durationMs)}, beginning as call ${outage.startCall} started)`
  const sending = `the plain SDK sent ${count(refused(sdk), "attempt")} into it, claude-resilience ${refused(toolkit)}`
  return toolkit.breakerRejections > 0
    ? `${head}: ${sending}, because its open breaker held ${count(toolkit.breakerRejections, "attempt")} back until a probe got through.`
    : `${head}: ${sending}.`
}

const timeLine = (sdk: Workload.Report, toolkit: Workload.Report): string => {
  const both = `${seconds(toolkit.wallMs)} against ${seconds(sdk.wallMs)}`
  const ratio = sdk.wallMs > 0 ? toolkit.wallMs / sdk.wallMs : Number.NaN
  if (!Number.isFinite(ratio) || (ratio < 1.15 && ratio > 1 / 1.15)) return `Both took about as long (${both}).`
  if (ratio < 1) return `claude-resilience finished sooner (${both}).`
  const times = ratio.toFixed(1).replace(/\.0$/, "")
  const head = `claude-resilience took ${times}× as long (${both})`
  if (toolkit.failed >= sdk.failed) return `${head}.`
  const what =
    toolkit.outage !== undefined && toolkit.breakerRejections > 0
      ? "the faults and the outage (behind its breaker)"
      : "the faults"
  return `${head}: it waited out ${what} where the plain SDK failed those calls.`
}

/** @internal */
export const make = (reports: ReadonlyArray<Workload.Report>): string => {
  const sdk = reports.find((r) => r.contender === "sdk")
  const toolkit = reports.find((r) => r.contender === "toolkit")
  if (sdk === undefined || toolkit === undefined) return reports.map((r) => outcome(r, true)).join("\n")
  return [
    outcome(toolkit, false),
    outcome(sdk, false),
    lostComparison(sdk, toolkit),
    outageLine(sdk, toolkit),
    timeLine(sdk, toolkit)
  ]
    .filter((line): line is string => line !== undefined)
    .join("\n")
}
