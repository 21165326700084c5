/**
 * Faults nobody scripted: random ones drawn from a chaos profile with the seeded PRNG, and outage
 * windows in server time.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ChaosFault, ChaosProfile, ModelOutage } from "../FakeClaude.js"
import type * as Fault from "../Fault.js"
import * as ApiError from "./apiError.js"
import * as Exchange from "./exchange.js"
import * as F from "./fault.js"
import type { OutageWindow, State } from "./state.js"

/** The named profiles of `FakeClaude.profiles`. @internal */
export const PROFILES = {
  none: { rates: {} },
  transient: {
    rates: { "429": 0.03, "529": 0.05, "500": 0.02, html502: 0.02, reset: 0.02, cutStream: 0.05, sseOverloaded: 0.03 },
    retryAfter: "1"
  },
  drill: {
    rates: { "429": 0.04, "529": 0.05, "500": 0.03, html502: 0.03, reset: 0.03, cutStream: 0.06, sseOverloaded: 0.04 },
    retryAfter: "1"
  },
  harsh: {
    rates: {
      "429": 0.05,
      "529": 0.08,
      "500": 0.03,
      "503": 0.02,
      html502: 0.03,
      empty503: 0.02,
      truncatedJson: 0.02,
      reset: 0.04,
      latency: 0.03,
      cutStream: 0.08,
      sseOverloaded: 0.05,
      malformedSse: 0.02
    },
    retryAfter: "1"
  }
} as const satisfies Record<string, ChaosProfile>

/** The order in which the rates are stacked on [0, 1): fixed, so a seed reproduces its faults. */
const ORDER: ReadonlyArray<ChaosFault> = [
  "429",
  "500",
  "502",
  "503",
  "504",
  "529",
  "html502",
  "empty503",
  "truncatedJson",
  "reset",
  "latency",
  "cutStream",
  "sseOverloaded",
  "malformedSse",
  "stall"
]

const STREAM_ONLY = new Set<ChaosFault>(["cutStream", "sseOverloaded", "malformedSse", "stall"])

const faultOf = (kind: ChaosFault, profile: ChaosProfile, after: number): Fault.Fault => {
  const retry = profile.retryAfter === undefined ? {} : { retryAfter: profile.retryAfter }
  switch (kind) {
    case "429":
      return F.status(429, retry)
    case "503":
    case "529":
      return F.status(Number(kind), retry)
    case "500":
    case "502":
    case "504":
      return F.status(Number(kind))
    case "html502":
      return F.html(502)
    case "empty503":
      return F.emptyBody(503, retry)
    case "truncatedJson":
      return F.truncatedJson(500)
    case "reset":
      return F.reset()
    case "latency":
      return F.latency(profile.latencyMs ?? 300)
    case "cutStream":
      return F.cutStream(after)
    case "sseOverloaded":
      return F.sseError(after, { errorType: "overloaded_error" })
    case "malformedSse":
      return F.malformedSse(after)
    case "stall":
      return F.stall(after, profile.stallMs ?? 2_000)
  }
}

/**
 * The chaos fault for a request, if the profile draws one. Always two draws per call (fault, then the
 * event a stream fault strikes after), so a seed gives the same sequence whatever is drawn; a
 * stream-only fault drawn for a non-streaming request is dropped.
 *
 * @internal
 */
export const draw = (state: State, request: Fault.RequestInfo): Effect.Effect<Fault.Fault | undefined> =>
  Effect.gen(function* () {
    const profile = state.chaos
    if (profile === undefined) return undefined
    const u = yield* state.rng.next
    const v = yield* state.rng.next
    let acc = 0
    let kind: ChaosFault | undefined
    for (const k of ORDER) {
      acc += profile.rates[k] ?? 0
      if (u < acc) {
        kind = k
        break
      }
    }
    if (kind === undefined || (STREAM_ONLY.has(kind) && !request.stream)) return undefined
    if (profile.models !== undefined && !F.modelMatches(profile.models, F.modelOf(request.body))) return undefined
    return faultOf(kind, profile, 1 + Math.floor(v * (profile.maxAfterEvents ?? 12)))
  })

/** The outage the server is in now for a request about `model` (none: no model), if any. @internal */
export const outageNow = (state: State, model?: string | undefined): OutageWindow | undefined => {
  const now = state.time.now()
  return state.config.outages.find(
    (o) => now >= o.fromMs && now < o.toMs && (o.models === undefined || F.modelMatches(o.models, model))
  )
}

/** The outage a model was put in at run time (`setModelOutage`), if any. @internal */
const modelOutage = (state: State, model: string | undefined): ModelOutage | undefined => {
  if (model === undefined || state.modelOutages.size === 0) return undefined
  for (const [pattern, outage] of state.modelOutages) if (F.modelMatches([pattern], model)) return outage
  return undefined
}

/** During an outage (a window, or a model taken down), ends the exchange with the outage's error. @internal */
export const outage = (exchange: Exchange.Exchange): Effect.Effect<void, Exchange.Answered> =>
  Effect.suspend(() => {
    const model = F.modelOf(exchange.record.body)
    const window = outageNow(exchange.state, model) ?? modelOutage(exchange.state, model)
    if (window === undefined) return Effect.void
    const status = window.status ?? 529
    exchange.record.fault = `outage:${status}`
    exchange.record.faultSource = "outage"
    return Exchange.refuse(
      exchange,
      ApiError.forStatus(status, window),
      window.retryAfter === undefined ? {} : { "retry-after": window.retryAfter }
    )
  })
