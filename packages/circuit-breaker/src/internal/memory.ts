import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Entry, MemoryOptions, Store } from "../CircuitBreakerStore.js"
import * as state from "./state.js"

/** @internal */
export const DEFAULT_IDLE_TTL: Duration.Duration = Duration.minutes(10)

/** @internal */
export const DEFAULT_MAX_ENTRIES = 10_000

// A slot's position in the map is refreshed (delete + set) at most once a second, so the map's
// order is least recently used first to within a second, at the cost of two map operations a
// second per busy key instead of two per call.
const REORDER_MILLIS = 1_000

interface Slot {
  entry: Entry
  touched: number
}

/**
 * A circuit that behaves as a fresh one would: closed, no failure remembered, no probe running.
 * Forgetting it changes nothing but the successes in its window.
 *
 * @internal
 */
export const isIdle = (entry: Entry): boolean => {
  if (entry.status !== "Closed" || entry.consecutiveFailures !== 0 || entry.probes !== 0) return false
  for (const failure of entry.outcomes) if (failure) return false
  for (const bucket of entry.buckets) if (bucket.failures !== 0) return false
  return true
}

/** @internal */
export const make = (options: MemoryOptions = {}): Effect.Effect<Store> =>
  Effect.sync(() => {
    const idleMillis = Math.max(0, Duration.toMillis(Duration.decode(options.idleTtl ?? DEFAULT_IDLE_TTL)))
    const maxEntries = Math.max(1, Math.floor(options.maxEntries ?? DEFAULT_MAX_ENTRIES))
    // Evicting down to 90 % of the bound leaves room for a tenth of it before the next pass,
    // so a pass (linear in the entries) is paid for by that many inserts.
    const lowWater = Math.max(1, Math.floor(maxEntries * 0.9))
    const sweepEvery = Math.max(1_000, idleMillis / 2)
    // One slot per key. Reading and replacing it happen in one synchronous step, so no update
    // is lost however many fibers use the same key.
    const slots = new Map<string, Slot>()
    let lastSweep = Number.NEGATIVE_INFINITY

    const evictIdle = (now: number): void => {
      for (const [key, slot] of slots) {
        if (now - slot.touched >= idleMillis && isIdle(slot.entry)) slots.delete(key)
      }
    }

    const evictOldest = (keep: string): void => {
      // Idle circuits first (they lose nothing), then whatever was used least recently.
      for (const [key, slot] of slots) {
        if (slots.size <= lowWater) return
        if (key !== keep && isIdle(slot.entry)) slots.delete(key)
      }
      for (const key of slots.keys()) {
        if (slots.size <= lowWater) return
        if (key !== keep) slots.delete(key)
      }
    }

    const slotFor = (key: string, now: number): Slot => {
      if (now - lastSweep >= sweepEvery) {
        lastSweep = now
        evictIdle(now)
      }
      let slot = slots.get(key)
      if (slot === undefined) {
        slot = { entry: state.initial, touched: now }
        slots.set(key, slot)
        if (slots.size > maxEntries) evictOldest(key)
      } else if (now - slot.touched >= REORDER_MILLIS) {
        slots.delete(key)
        slots.set(key, slot)
      }
      slot.touched = now
      return slot
    }

    const unsafeModify = <A>(key: string, now: number, f: (entry: Entry) => readonly [A, Entry]): A => {
      const slot = slotFor(key, now)
      const [result, next] = f(slot.entry)
      slot.entry = next
      return result
    }

    return {
      modify: (key, f) =>
        Effect.clockWith((clock) => Effect.sync(() => unsafeModify(key, clock.unsafeCurrentTimeMillis(), f))),
      keys: Effect.sync(() => Array.from(slots.keys())),
      unsafeModify
    }
  })
