import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Redis } from "ioredis"
import { Entry, type Store } from "../CircuitBreakerStore.js"
import type { Connection, StoreOptions } from "../CircuitBreakerStore/Redis.js"
import * as memory from "./memory.js"
import * as state from "./state.js"

/** @internal */
export const DEFAULT_PREFIX = "claude-resilience:circuit:"

/** @internal */
export const DEFAULT_TTL: Duration.Duration = Duration.hours(1)

/** @internal */
export const DEFAULT_PROBE_TTL: Duration.Duration = Duration.minutes(10)

const ISOLATED_TTL_MILLIS = 24 * 60 * 60 * 1000

/**
 * Compare-and-set attempts before one update gives up on Redis and uses the fallback. Updates of
 * one key are serialised within a process, so a race is lost only to another process: every
 * round has a winner, and this many processes can update one circuit at the same instant.
 */
const MAX_ATTEMPTS = 64

/**
 * Replaces the key's value with ARGV[2] (expiring in ARGV[4] ms) if it still holds ARGV[1], or is
 * still absent when ARGV[3] is "1". On a lost race it answers the value it found instead, so the
 * caller retries without another GET.
 */
const CAS = `
local current = redis.call("GET", KEYS[1])
local matches
if ARGV[3] == "1" then matches = (current == false) else matches = (current == ARGV[1]) end
if matches then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[4])
  return {1}
end
if current == false then return {0} end
return {0, current}
`

interface RedisWithCas extends Redis {
  claudeResilienceCircuitCas(
    key: string,
    expected: string,
    next: string,
    absent: "0" | "1",
    ttl: number
  ): Promise<unknown>
}

const EntryJson = Schema.parseJson(Entry)
const decodeEntry = Schema.decodeUnknownOption(EntryJson)
const encodeEntry = Schema.encodeSync(EntryJson)
const INITIAL_JSON = encodeEntry(state.initial)

class Garbage extends Error {}

/** A stored value that is not an `Entry` (written by something else) reads as a fresh circuit. */
const read = (raw: string | null): Entry =>
  raw === null ? state.initial : Option.getOrElse(decodeEntry(raw), () => state.initial)

const isReply = (u: unknown): u is [number, (string | null)?] =>
  Array.isArray(u) && (u[0] === 0 || u[0] === 1) && (u[1] === undefined || u[1] === null || typeof u[1] === "string")

/** @internal */
export const make = (connection: Connection, options: StoreOptions = {}): Effect.Effect<Store> =>
  Effect.gen(function* () {
    const prefix = options.prefix ?? DEFAULT_PREFIX
    const ttl = Math.max(1_000, Duration.toMillis(Duration.decode(options.ttl ?? DEFAULT_TTL)))
    const probeTtl = Math.max(1_000, Duration.toMillis(Duration.decode(options.probeTtl ?? DEFAULT_PROBE_TTL)))
    const fallback = yield* memory.make(options.memory)
    const redis = connection.redis as RedisWithCas
    if (typeof redis.claudeResilienceCircuitCas !== "function") {
      redis.defineCommand("claudeResilienceCircuitCas", { numberOfKeys: 1, lua: CAS })
    }

    // An open circuit lives at least until it may probe; a half-open one with a probe out is
    // forgotten after `probeTtl` (a crashed prober must not hold the fleet's circuit forever);
    // an isolated one for a day; any other after `ttl` without a change.
    const ttlFor = (entry: Entry, now: number): number => {
      switch (entry.status) {
        case "Open":
          return ttl + Math.max(0, entry.until - now)
        case "HalfOpen":
          return entry.probes > 0 ? Math.min(ttl, probeTtl) : ttl
        case "Isolated":
          return Math.max(ttl, ISOLATED_TTL_MILLIS)
        case "Closed":
          return ttl
      }
    }

    // One update of a key at a time in this process: optimistic concurrency then only has to
    // settle races between processes (100 fibers racing each other would need 100 rounds).
    const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
    const serialized = <A>(key: string, effect: Effect.Effect<A>): Effect.Effect<A> =>
      Effect.suspend(() => {
        let lock = locks.get(key)
        if (lock === undefined) {
          lock = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
          locks.set(key, lock)
        }
        const held = lock
        held.users++
        return Effect.ensuring(
          held.semaphore.withPermits(1)(effect),
          Effect.sync(() => {
            if (--held.users === 0) locks.delete(key)
          })
        )
      })

    const modify = <A>(key: string, f: (entry: Entry) => readonly [A, Entry]): Effect.Effect<A> =>
      serialized(
        key,
        Effect.clockWith((clock) => {
          const now = clock.unsafeCurrentTimeMillis()
          const redisKey = prefix + key
          const run = async (client: Redis): Promise<{ readonly value: A }> => {
            let raw = (await client.get(redisKey)) as unknown
            for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
              if (raw !== null && typeof raw !== "string") throw new Garbage("GET answered a non-string")
              const [result, next] = f(read(raw))
              const json = encodeEntry(next)
              // Nothing to write: the stored value (or, for an absent key, the fresh circuit) is unchanged.
              if (json === (raw ?? INITIAL_JSON)) return { value: result }
              const reply = await (client as RedisWithCas).claudeResilienceCircuitCas(
                redisKey,
                raw ?? "",
                json,
                raw === null ? "1" : "0",
                ttlFor(next, now)
              )
              if (!isReply(reply)) throw new Garbage("compare-and-set answered an unexpected reply")
              if (reply[0] === 1) return { value: result }
              raw = reply[1] ?? null
            }
            throw new Garbage(`no compare-and-set won in ${MAX_ATTEMPTS} attempts`)
          }
          return Effect.map(
            connection.run(
              run,
              (reply) => reply as { readonly value: A },
              Effect.map(fallback.modify(key, f), (value) => ({ value }))
            ),
            (wrapped) => wrapped.value
          )
        })
      )

    const scanKeys = async (client: Redis): Promise<ReadonlyArray<string>> => {
      const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`
      const found = new Set<string>()
      let cursor = "0"
      // Bounded: keys expire, but a listing never walks more than 100 pages.
      for (let page = 0; page < 100; page++) {
        const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000)
        for (const key of keys) found.add(key.slice(prefix.length))
        cursor = next
        if (cursor === "0") break
      }
      return Array.from(found)
    }

    const store: Store = {
      modify,
      keys: connection.run(
        scanKeys,
        (reply) => (Array.isArray(reply) ? (reply as ReadonlyArray<string>) : undefined),
        fallback.keys
      )
    }
    return store
  })
