import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Entry, Store } from "../CircuitBreakerStore.js"
import * as state from "./state.js"

/** @internal */
export const make: Effect.Effect<Store> = Effect.sync(() => {
  // One Ref per key: creating it and updating it are synchronous, so no update is lost
  // however many fibers use the same key.
  const refs = new Map<string, Ref.Ref<Entry>>()
  const refFor = (key: string): Ref.Ref<Entry> => {
    let ref = refs.get(key)
    if (ref === undefined) {
      ref = Ref.unsafeMake(state.initial)
      refs.set(key, ref)
    }
    return ref
  }
  return {
    modify: (key, f) => Effect.suspend(() => Ref.modify(refFor(key), f)),
    keys: Effect.sync(() => Array.from(refs.keys()))
  }
})
