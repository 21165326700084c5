/**
 * The token buckets of one limit key as plain data and pure(ish) functions over it: the one
 * model the memory store runs directly and the Redis store's Lua scripts mirror line for line.
 *
 * Every function is total: whatever numbers come in (from headers, from users, from a store),
 * capacities stay finite and at least 1, windows within bounds, levels finite and within
 * [-capacity, capacity], so no input can stall the limiter or produce NaN.
 */
import type { ResponseHeaders } from "@claude-resilience/errors"
import type { BucketName, Limits, Need, Observation, Take, View } from "../QuotaStore.js"

/** @internal */
export const BUCKETS: ReadonlyArray<BucketName> = ["requests", "inputTokens", "outputTokens"]

/** @internal */
export const DEFAULT_WINDOW_MILLIS = 60_000
/** Bounds of a window learned from `-reset` headers. @internal */
export const MIN_LEARNED_WINDOW_MILLIS = 1_000
/** @internal */
export const MAX_LEARNED_WINDOW_MILLIS = 3_600_000
/** Bounds of a configured window. @internal */
export const MIN_WINDOW_MILLIS = 1
/** @internal */
export const MAX_WINDOW_MILLIS = 7 * 24 * 3_600_000
/** @internal */
export const MAX_CAPACITY = 1e12
/** The longest pause a 429 can impose (as `ResponseHeaders.MAX_RETRY_AFTER`). @internal */
export const MAX_PAUSE_MILLIS = 3_600_000
/** A window is learned only from a reset covering at least this share of the bucket. @internal */
export const LEARN_MIN_USED_SHARE = 0.05
/**
 * ... and at least this far ahead: resets come in whole seconds (rounded up), so a nearer one
 * says too little (a 1.2 s wait reads as 2 s). @internal
 */
export const LEARN_MIN_RESET_MILLIS = 5_000
/** Weight of a new window estimate once one was learned. @internal */
export const LEARN_WEIGHT = 0.3

/** @internal */
export interface Bucket {
  capacity: number
  windowMillis: number
  level: number
  updated: number
  /** whether `windowMillis` came from headers (later estimates are averaged in) */
  learned: boolean
}

/** @internal */
export interface KeyState {
  requests: Bucket | undefined
  inputTokens: Bucket | undefined
  outputTokens: Bucket | undefined
  pausedUntil: number
}

/** The admitted answers, one per mask of charged buckets (no allocation per take). @internal */
export const ADMITTED: ReadonlyArray<Take> = Array.from({ length: 8 }, (_, charged) => ({ admitted: true, charged }))

const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n)

/** A count of tokens a caller asks for: finite, non-negative, else 0. @internal */
export const tokens = (n: unknown): number => (finite(n) && n > 0 ? Math.min(n, MAX_CAPACITY) : 0)

/** @internal */
export const capacityOf = (n: unknown): number | undefined =>
  finite(n) && n >= 1 ? Math.min(Math.floor(n), MAX_CAPACITY) : undefined

/** @internal */
export const windowOf = (n: unknown): number =>
  finite(n) && n > 0 ? Math.min(Math.max(n, MIN_WINDOW_MILLIS), MAX_WINDOW_MILLIS) : DEFAULT_WINDOW_MILLIS

const fresh = (capacity: number, windowMillis: number, now: number): Bucket => ({
  capacity,
  windowMillis,
  level: capacity,
  updated: now,
  learned: false
})

/** @internal */
export const empty = (): KeyState => ({
  requests: undefined,
  inputTokens: undefined,
  outputTokens: undefined,
  pausedUntil: 0
})

/** Adds the buckets configured but not yet known, and refills every bucket up to `now`. @internal */
export const advance = (state: KeyState, limits: Limits, now: number): void => {
  for (const name of BUCKETS) {
    let bucket = state[name]
    if (bucket === undefined) {
      const limit = limits[name]
      if (limit === undefined) continue
      bucket = fresh(limit.capacity, limit.windowMillis, now)
      state[name] = bucket
    }
    // A clock that went back (or a host behind the others) refills nothing, never drains.
    if (now > bucket.updated) {
      bucket.level = Math.min(
        bucket.capacity,
        bucket.level + ((now - bucket.updated) * bucket.capacity) / bucket.windowMillis
      )
      bucket.updated = now
    }
  }
}

/** @internal */
export const view = (state: KeyState, now: number): View => {
  const out: { -readonly [K in BucketName]?: View["buckets"][K] } = {}
  for (const name of BUCKETS) {
    const bucket = state[name]
    if (bucket !== undefined) {
      out[name] = { capacity: bucket.capacity, windowMillis: bucket.windowMillis, level: bucket.level }
    }
  }
  return { at: now, pausedUntil: state.pausedUntil, buckets: out }
}

/**
 * All three buckets or none. A request larger than a bucket's capacity waits for a full bucket
 * and leaves it in debt (at most one capacity deep).
 *
 * @internal
 */
export const take = (state: KeyState, need: Need, limits: Limits, now: number): Take => {
  advance(state, limits, now)
  let wait = 0
  let short: BucketName | "paused" = "requests"
  if (state.pausedUntil > now) {
    wait = Math.ceil(state.pausedUntil - now)
    short = "paused"
  }
  for (const name of BUCKETS) {
    const bucket = state[name]
    if (bucket === undefined) continue
    const wanted = Math.min(need[name], bucket.capacity)
    if (bucket.level < wanted) {
      const millis = Math.ceil(((wanted - bucket.level) * bucket.windowMillis) / bucket.capacity)
      if (millis > wait) {
        wait = millis
        short = name
      }
    }
  }
  if (wait > 0) return { admitted: false, waitMillis: wait, bucket: short, view: view(state, now) }
  let charged = 0
  for (let i = 0; i < BUCKETS.length; i++) {
    const bucket = state[BUCKETS[i]!]
    if (bucket === undefined) continue
    bucket.level = Math.max(-bucket.capacity, bucket.level - need[BUCKETS[i]!])
    charged |= 1 << i
  }
  return ADMITTED[charged]!
}

/** Gives tokens back (positive amounts) or charges more (negative), within ±capacity. @internal */
export const give = (state: KeyState, amounts: Need, limits: Limits, now: number): void => {
  advance(state, limits, now)
  for (const name of BUCKETS) {
    const bucket = state[name]
    const amount = amounts[name]
    if (bucket === undefined || !finite(amount) || amount === 0) continue
    bucket.level = Math.min(bucket.capacity, Math.max(-bucket.capacity, bucket.level + amount))
  }
}

/**
 * Applies what a response said: its limit becomes the capacity, its remaining caps the level
 * (never raises it: our own reservations in flight may not have reached the server yet), and a
 * window estimate replaces the default (later ones are averaged in).
 *
 * @internal
 */
export const learn = (state: KeyState, observation: Observation, limits: Limits, now: number): void => {
  advance(state, limits, now)
  for (const name of BUCKETS) {
    const seen = observation[name]
    if (seen === undefined) continue
    let bucket = state[name]
    const limit = capacityOf(seen.limit)
    if (bucket === undefined) {
      if (limit === undefined) continue
      bucket = fresh(limit, limits[name]?.windowMillis ?? limits.windowMillis ?? DEFAULT_WINDOW_MILLIS, now)
      state[name] = bucket
    }
    if (limit !== undefined) {
      bucket.capacity = limit
      bucket.level = Math.min(bucket.level, limit)
    }
    const window = seen.windowMillis
    if (finite(window) && window > 0) {
      const clamped = Math.min(Math.max(window, MIN_LEARNED_WINDOW_MILLIS), MAX_LEARNED_WINDOW_MILLIS)
      bucket.windowMillis = bucket.learned
        ? Math.round((1 - LEARN_WEIGHT) * bucket.windowMillis + LEARN_WEIGHT * clamped)
        : clamped
      bucket.learned = true
    }
    const remaining = seen.remaining
    if (finite(remaining) && remaining >= 0) bucket.level = Math.min(bucket.level, remaining)
  }
}

/** @internal */
export const pause = (state: KeyState, until: number, now: number): void => {
  if (!finite(until)) return
  state.pausedUntil = Math.max(state.pausedUntil, Math.min(until, now + MAX_PAUSE_MILLIS))
}

/**
 * Reads a response's `anthropic-ratelimit-*` snapshot as an observation. The combined `tokens`
 * bucket is ignored (the input and output buckets say the same, per bucket). A limit below 1 is
 * ignored; remaining is capped at the limit; a window is estimated as
 * `(reset - now) × limit / (limit - remaining)` when at least 5 % of the bucket is used and the
 * reset lies at least 5 s ahead, then clamped to [1 s, 1 h].
 *
 * @internal
 */
export const observation = (
  snapshot: ResponseHeaders.RateLimitSnapshot | undefined,
  now: number
): Observation | undefined => {
  if (snapshot === undefined) return undefined
  let out: { -readonly [K in BucketName]?: Observation[K] } | undefined
  for (const name of BUCKETS) {
    const bucket = snapshot[name]
    if (bucket === undefined) continue
    const limit = capacityOf(bucket.limit)
    const remaining =
      finite(bucket.remaining) && bucket.remaining >= 0
        ? Math.min(Math.floor(bucket.remaining), limit ?? MAX_CAPACITY)
        : undefined
    let windowMillis: number | undefined
    const resetAt = bucket.reset instanceof Date ? bucket.reset.getTime() : Number.NaN
    if (limit !== undefined && remaining !== undefined && finite(resetAt)) {
      const used = limit - remaining
      const resetIn = resetAt - now
      if (used >= Math.max(1, limit * LEARN_MIN_USED_SHARE) && resetIn >= LEARN_MIN_RESET_MILLIS) {
        windowMillis = Math.min(
          Math.max((resetIn * limit) / used, MIN_LEARNED_WINDOW_MILLIS),
          MAX_LEARNED_WINDOW_MILLIS
        )
      }
    }
    if (limit === undefined && remaining === undefined) continue
    // Assigned one by one: conditional spreads cost more than the rest of the parse.
    const seen: {
      -readonly [K in keyof NonNullable<Observation[BucketName]>]: NonNullable<Observation[BucketName]>[K]
    } = {}
    if (limit !== undefined) seen.limit = limit
    if (remaining !== undefined) seen.remaining = remaining
    if (windowMillis !== undefined) seen.windowMillis = windowMillis
    out ??= {}
    out[name] = seen
  }
  return out
}
