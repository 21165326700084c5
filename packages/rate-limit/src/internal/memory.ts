import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Limits, MemoryOptions, Need, Observation, Store } from "../QuotaStore.js"
import * as bucket from "./bucket.js"

/** @internal */
export const DEFAULT_KEY_TTL: Duration.Duration = Duration.hours(24)

/** @internal */
export const DEFAULT_MAX_KEYS = 10_000

interface Slot {
  readonly state: bucket.KeyState
  touched: number
}

/** @internal */
export const make = (options: MemoryOptions = {}): Effect.Effect<Store> =>
  Effect.sync(() => {
    const ttl = Math.max(1, Duration.toMillis(Duration.decode(options.keyTtl ?? DEFAULT_KEY_TTL)))
    const maxKeys = Math.max(1, Math.floor(options.maxKeys ?? DEFAULT_MAX_KEYS))
    const slots = new Map<string, Slot>()

    // Expired keys start afresh; past the bound the oldest insertion goes (a key is re-inserted
    // when it expires, so the map's order is roughly least recently refreshed first).
    const stateFor = (key: string, now: number): bucket.KeyState => {
      let slot = slots.get(key)
      if (slot !== undefined && now - slot.touched >= ttl) {
        slots.delete(key)
        slot = undefined
      }
      if (slot === undefined) {
        slot = { state: bucket.empty(), touched: now }
        slots.set(key, slot)
        if (slots.size > maxKeys) {
          for (const oldest of slots.keys()) {
            if (slots.size <= maxKeys) break
            if (oldest !== key) slots.delete(oldest)
          }
        }
      }
      if (now > slot.touched) slot.touched = now
      return slot.state
    }

    const unsafeTake = (key: string, need: Need, limits: Limits, now: number) =>
      bucket.take(stateFor(key, now), need, limits, now)

    const unsafeGive = (key: string, amounts: Need, limits: Limits, now: number) =>
      bucket.give(stateFor(key, now), amounts, limits, now)
    const unsafeLearn = (key: string, observation: Observation, limits: Limits, now: number) =>
      bucket.learn(stateFor(key, now), observation, limits, now)

    const store: Store = {
      unsafeTake,
      unsafeGive,
      unsafeLearn,
      take: (key, need, limits, now) => Effect.sync(() => unsafeTake(key, need, limits, now)),
      give: (key, amounts, limits, now) => Effect.sync(() => unsafeGive(key, amounts, limits, now)),
      learn: (key, observation, limits, now) => Effect.sync(() => unsafeLearn(key, observation, limits, now)),
      pause: (key, until, now) => Effect.sync(() => bucket.pause(stateFor(key, now), until, now)),
      view: (key, limits, now) =>
        Effect.sync(() => {
          const state = stateFor(key, now)
          bucket.advance(state, limits, now)
          return bucket.view(state, now)
        })
    }
    return store
  })
