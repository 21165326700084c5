/**
 * The fault data: constructors and labels of `Fault`.
 *
 * @internal
 */
import type * as Fault from "../Fault.js"

/** @internal */
export const status = (status: number, options: Fault.StatusOptions = {}): Fault.Status => ({
  ...options,
  _tag: "Status",
  status
})

/** @internal */
export const html = (status = 502, options: Fault.HeaderOptions = {}): Fault.Html => ({
  ...options,
  _tag: "Html",
  status
})

/** @internal */
export const emptyBody = (status = 503, options: Fault.HeaderOptions = {}): Fault.EmptyBody => ({
  ...options,
  _tag: "EmptyBody",
  status
})

/** @internal */
export const truncatedJson = (status = 500, options: Fault.HeaderOptions = {}): Fault.TruncatedJson => ({
  ...options,
  _tag: "TruncatedJson",
  status
})

/** @internal */
export const latency = (millis: number, options: Fault.BaseOptions = {}): Fault.Latency => ({
  ...options,
  _tag: "Latency",
  millis
})

/** @internal */
export const reset = (options: Fault.BaseOptions = {}): Fault.Reset => ({ ...options, _tag: "Reset" })

/** @internal */
export const cutStream = (afterEvents: number, options: Fault.BaseOptions = {}): Fault.CutStream => ({
  ...options,
  _tag: "CutStream",
  afterEvents
})

/** @internal */
export const sseError = (afterEvents: number, options: Fault.SseErrorOptions = {}): Fault.SseError => ({
  ...options,
  _tag: "SseError",
  afterEvents
})

/** @internal */
export const malformedSse = (afterEvents: number, options: Fault.BaseOptions = {}): Fault.MalformedSse => ({
  ...options,
  _tag: "MalformedSse",
  afterEvents
})

/** @internal */
export const stall = (afterEvents: number, millis: number, options: Fault.BaseOptions = {}): Fault.Stall => ({
  ...options,
  _tag: "Stall",
  afterEvents,
  millis
})

/** @internal */
export const pings = (
  afterEvents: number,
  count: number,
  everyMs: number,
  options: Fault.BaseOptions = {}
): Fault.Pings => ({
  ...options,
  _tag: "Pings",
  afterEvents,
  count,
  everyMs
})

/** @internal */
export const matching = <F extends Fault.Fault>(fault: F, predicate: (request: Fault.RequestInfo) => boolean): F => ({
  ...fault,
  match: predicate
})

/** The `model` of a request's JSON body, if it names one. @internal */
export const modelOf = (body: unknown): string | undefined =>
  typeof body === "object" && body !== null && "model" in body && typeof body.model === "string"
    ? body.model
    : undefined

/** Whether a model matches one of the patterns: an exact id, or a prefix ending in `*`. @internal */
export const modelMatches = (patterns: ReadonlyArray<string>, model: string | undefined): boolean =>
  model !== undefined && patterns.some((p) => (p.endsWith("*") ? model.startsWith(p.slice(0, -1)) : model === p))

/** @internal */
export const forModel = <F extends Fault.Fault>(fault: F, model: string): F =>
  matching(fault, (request) => modelMatches([model], modelOf(request.body)) && (fault.match?.(request) ?? true))

/** @internal */
export const times = <F extends Fault.Fault>(fault: F, n: number): ReadonlyArray<F> =>
  Array.from({ length: Math.max(0, n) }, () => fault)

/** @internal */
export const label = (fault: Fault.Fault): string => {
  switch (fault._tag) {
    case "Status":
      return `status:${fault.status}`
    case "Html":
      return `html:${fault.status}`
    case "EmptyBody":
      return `emptyBody:${fault.status}`
    case "TruncatedJson":
      return `truncatedJson:${fault.status}`
    case "Latency":
      return `latency:${fault.millis}`
    case "Reset":
      return "reset"
    case "CutStream":
      return `cutStream:${fault.afterEvents}`
    case "SseError":
      return `sseError:${fault.afterEvents}`
    case "MalformedSse":
      return `malformedSse:${fault.afterEvents}`
    case "Stall":
      return `stall:${fault.afterEvents}`
    case "Pings":
      return `pings:${fault.afterEvents}x${fault.count}`
  }
}
