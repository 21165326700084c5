/**
 * The record of requests: one entry per request, filled in as the exchange goes on (body, key, fault,
 * tokens, bytes, outcome), kept in a bounded list, and the counters over it.
 *
 * @internal
 */
import type { Outcome, RecordedRequest, Stats } from "../FakeClaude.js"

/** A record while its exchange is going on. @internal */
export type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] }

/** Never recorded: they carry credentials. */
const SECRET_HEADERS = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie"])

/** Request headers as recorded: lower-case names, secrets dropped. @internal */
export const recordedHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value
  }
  return out
}

/** A pending record of a request that just arrived. @internal */
export const make = (fields: {
  readonly id: string
  readonly time: number
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}): MutableRecord => ({
  id: fields.id,
  time: fields.time,
  method: fields.method,
  path: fields.url.split("?")[0] ?? fields.url,
  headers: recordedHeaders(fields.headers),
  body: undefined,
  stream: false,
  keyIndex: undefined,
  fault: undefined,
  faultSource: undefined,
  outcome: "pending",
  bytesSent: 0,
  events: 0,
  inputTokens: undefined,
  outputTokens: undefined,
  durationMs: undefined
})

/** Ends a record: its outcome, the last bytes written, its duration (`now`: real ms since start). @internal */
export const finish = (record: MutableRecord, outcome: Outcome, bytes: number, now: number): void => {
  record.outcome = outcome
  record.bytesSent += bytes
  record.durationMs = now - record.time
}

/** Appends a record, dropping the oldest beyond `max`. @internal */
export const append = (records: Array<MutableRecord>, record: MutableRecord, max: number): void => {
  records.push(record)
  if (records.length > max) records.splice(0, records.length - max)
}

/** Copies, so a caller's view does not change as pending exchanges go on. @internal */
export const snapshot = (records: ReadonlyArray<MutableRecord>): ReadonlyArray<RecordedRequest> =>
  records.map((r) => ({ ...r }))

/** @internal */
export const stats = (records: ReadonlyArray<RecordedRequest>): Stats => {
  const byOutcome: Record<string, number> = {}
  const byFault: Record<string, number> = {}
  const byPath: Record<string, number> = {}
  let bytesSent = 0
  let pending = 0
  for (const r of records) {
    const o = String(r.outcome)
    byOutcome[o] = (byOutcome[o] ?? 0) + 1
    if (r.fault !== undefined) byFault[r.fault] = (byFault[r.fault] ?? 0) + 1
    byPath[r.path] = (byPath[r.path] ?? 0) + 1
    bytesSent += r.bytesSent
    if (r.outcome === "pending") pending++
  }
  return { total: records.length, byOutcome, byFault, byPath, pending, bytesSent }
}
