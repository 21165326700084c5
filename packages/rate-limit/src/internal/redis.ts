/**
 * The Redis store: one hash per limit key (`<prefix><id>`), fields `<b>c` capacity, `<b>w` window,
 * `<b>l` level, `<b>t` last refill, `<b>x` window learned, for `b` in r(equests), i(nput),
 * o(utput), and `pu` (paused until). Every operation is one Lua script — atomic — that refills,
 * applies the operation as `bucket.ts` does, writes back and renews the key's TTL.
 */
import type { Connection } from "@claude-resilience/circuit-breaker/CircuitBreakerStore/Redis"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Redis } from "ioredis"
import type { BucketName, Limits, Need, Observation, Store, Take, View } from "../QuotaStore.js"
import type { StoreOptions } from "../QuotaStore/Redis.js"
import * as bucket from "./bucket.js"
import * as memory from "./memory.js"

/** @internal */
export const DEFAULT_PREFIX = "claude-resilience:quota:"

// ARGV: 1 now, 2 ttl, 3..8 configured capacity and window of r, i, o ("" when none; the window also
// serves buckets learned from headers), 9.. the operation's.
const PRELUDE = `
local h = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local names = {"requests", "inputTokens", "outputTokens"}
local prefixes = {"r", "i", "o"}
local function num(v)
  local n = tonumber(v)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end
local raw = redis.call("HMGET", h, "rc", "rw", "rl", "rt", "rx", "ic", "iw", "il", "it", "ix", "oc", "ow", "ol", "ot", "ox", "pu")
local state = {}
for i = 1, 3 do
  local o = (i - 1) * 5
  local c = num(raw[o + 1])
  local cc = num(ARGV[1 + i * 2])
  local cw = num(ARGV[2 + i * 2])
  local b = nil
  if c ~= nil and c >= 1 then
    local w = num(raw[o + 2])
    if w == nil or w <= 0 then w = cw or ${bucket.DEFAULT_WINDOW_MILLIS} end
    local l = num(raw[o + 3]) or c
    b = {c = c, w = w, l = math.min(c, math.max(-c, l)), t = num(raw[o + 4]) or now, x = raw[o + 5] == "1"}
  elseif cc ~= nil and cc >= 1 then
    b = {c = cc, w = cw or ${bucket.DEFAULT_WINDOW_MILLIS}, l = cc, t = now, x = false}
  end
  if b ~= nil and now > b.t then
    b.l = math.min(b.c, b.l + (now - b.t) * b.c / b.w)
    b.t = now
  end
  state[i] = b
end
local pu = num(raw[16]) or 0
local function save()
  local args = {}
  for i = 1, 3 do
    local b = state[i]
    if b ~= nil then
      local p = prefixes[i]
      local x = "0"
      if b.x then x = "1" end
      for _, v in ipairs({p .. "c", tostring(b.c), p .. "w", tostring(b.w), p .. "l", tostring(b.l), p .. "t", tostring(b.t), p .. "x", x}) do
        args[#args + 1] = v
      end
    end
  end
  args[#args + 1] = "pu"
  args[#args + 1] = tostring(pu)
  redis.call("HSET", h, unpack(args))
  redis.call("PEXPIRE", h, ttl)
end
local function view(out)
  out[#out + 1] = tostring(now)
  out[#out + 1] = tostring(pu)
  for i = 1, 3 do
    local b = state[i]
    if b ~= nil then
      out[#out + 1] = tostring(b.c)
      out[#out + 1] = tostring(b.w)
      out[#out + 1] = tostring(b.l)
    else
      out[#out + 1] = ""
      out[#out + 1] = ""
      out[#out + 1] = ""
    end
  end
  return out
end
`

const TAKE = `${PRELUDE}
local need = {num(ARGV[9]) or 0, num(ARGV[10]) or 0, num(ARGV[11]) or 0}
local wait = 0
local which = "requests"
if pu > now then
  wait = math.ceil(pu - now)
  which = "paused"
end
for i = 1, 3 do
  local b = state[i]
  if b ~= nil then
    local wanted = math.min(need[i], b.c)
    if b.l < wanted then
      local ms = math.ceil((wanted - b.l) * b.w / b.c)
      if ms > wait then
        wait = ms
        which = names[i]
      end
    end
  end
end
if wait > 0 then return view({0, tostring(wait), which}) end
local charged = 0
for i = 1, 3 do
  local b = state[i]
  if b ~= nil then
    b.l = math.max(-b.c, b.l - need[i])
    charged = charged + 2 ^ (i - 1)
  end
end
save()
return {1, charged}
`

const GIVE = `${PRELUDE}
for i = 1, 3 do
  local b = state[i]
  local d = num(ARGV[8 + i])
  if b ~= nil and d ~= nil and d ~= 0 then b.l = math.min(b.c, math.max(-b.c, b.l + d)) end
end
save()
return {1}
`

const LEARN = `${PRELUDE}
for i = 1, 3 do
  local limit = num(ARGV[6 + i * 3])
  local remaining = num(ARGV[7 + i * 3])
  local window = num(ARGV[8 + i * 3])
  if limit ~= nil and limit >= 1 then limit = math.min(math.floor(limit), ${bucket.MAX_CAPACITY}) else limit = nil end
  local b = state[i]
  if b == nil and limit ~= nil then
    b = {c = limit, w = num(ARGV[2 + i * 2]) or ${bucket.DEFAULT_WINDOW_MILLIS}, l = limit, t = now, x = false}
    state[i] = b
  end
  if b ~= nil then
    if limit ~= nil then
      b.c = limit
      b.l = math.min(b.l, limit)
    end
    if window ~= nil and window > 0 then
      window = math.min(math.max(window, ${bucket.MIN_LEARNED_WINDOW_MILLIS}), ${bucket.MAX_LEARNED_WINDOW_MILLIS})
      if b.x then
        b.w = math.floor(${1 - bucket.LEARN_WEIGHT} * b.w + ${bucket.LEARN_WEIGHT} * window + 0.5)
      else
        b.w = window
      end
      b.x = true
    end
    if remaining ~= nil and remaining >= 0 then b.l = math.min(b.l, remaining) end
  end
end
save()
return {1}
`

const PAUSE = `${PRELUDE}
local untilMillis = num(ARGV[9])
if untilMillis ~= nil then pu = math.max(pu, math.min(untilMillis, now + ${bucket.MAX_PAUSE_MILLIS})) end
save()
return {1}
`

const VIEW = `${PRELUDE}
return view({})
`

type Command = (key: string, ...args: ReadonlyArray<string>) => Promise<unknown>

interface RedisWithQuota extends Redis {
  claudeResilienceQuotaTake: Command
  claudeResilienceQuotaGive: Command
  claudeResilienceQuotaLearn: Command
  claudeResilienceQuotaPause: Command
  claudeResilienceQuotaView: Command
}

type ScriptName =
  | "claudeResilienceQuotaTake"
  | "claudeResilienceQuotaGive"
  | "claudeResilienceQuotaLearn"
  | "claudeResilienceQuotaPause"
  | "claudeResilienceQuotaView"

const SCRIPTS: ReadonlyArray<readonly [ScriptName, string]> = [
  ["claudeResilienceQuotaTake", TAKE],
  ["claudeResilienceQuotaGive", GIVE],
  ["claudeResilienceQuotaLearn", LEARN],
  ["claudeResilienceQuotaPause", PAUSE],
  ["claudeResilienceQuotaView", VIEW]
]

const arg = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? "" : String(n))

const numberAt = (reply: ReadonlyArray<unknown>, index: number): number | undefined => {
  const value = reply[index]
  if (typeof value !== "string" || value === "") return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

/** Reads the view a script appended at `offset`; `undefined` for anything malformed. */
const parseView = (reply: ReadonlyArray<unknown>, offset: number): View | undefined => {
  if (reply.length !== offset + 11) return undefined
  const at = numberAt(reply, offset)
  const pausedUntil = numberAt(reply, offset + 1)
  if (at === undefined || pausedUntil === undefined) return undefined
  const buckets: { -readonly [K in BucketName]?: View["buckets"][K] } = {}
  for (let i = 0; i < 3; i++) {
    const base = offset + 2 + i * 3
    const capacity = numberAt(reply, base)
    if (capacity === undefined) continue
    const windowMillis = numberAt(reply, base + 1)
    const level = numberAt(reply, base + 2)
    if (windowMillis === undefined || level === undefined) return undefined
    buckets[bucket.BUCKETS[i]!] = { capacity, windowMillis, level }
  }
  return { at, pausedUntil, buckets }
}

const isOk = (reply: unknown): true | undefined => (Array.isArray(reply) && reply[0] === 1 ? true : undefined)

const parseTake = (reply: unknown): Take | undefined => {
  if (!Array.isArray(reply)) return undefined
  if (reply[0] === 1 && reply.length === 2) return bucket.ADMITTED[reply[1] as number]
  if (reply[0] !== 0) return undefined
  const waitMillis = numberAt(reply, 1)
  const short = reply[2]
  const view = parseView(reply, 3)
  if (waitMillis === undefined || waitMillis <= 0 || view === undefined) return undefined
  if (short !== "paused" && !bucket.BUCKETS.includes(short as BucketName)) return undefined
  return { admitted: false, waitMillis, bucket: short as BucketName | "paused", view }
}

/** @internal */
export const make = (connection: Connection, options: StoreOptions = {}): Effect.Effect<Store> =>
  Effect.gen(function* () {
    const prefix = options.prefix ?? DEFAULT_PREFIX
    const ttl = String(Math.max(1_000, Duration.toMillis(Duration.decode(options.keyTtl ?? memory.DEFAULT_KEY_TTL))))
    const fallback = yield* memory.make(options.memory)
    const redis = connection.redis as RedisWithQuota
    for (const [name, lua] of SCRIPTS) {
      if (typeof redis[name] !== "function") redis.defineCommand(name, { numberOfKeys: 1, lua })
    }

    const base = (limits: Limits, now: number): ReadonlyArray<string> => [
      arg(now),
      ttl,
      arg(limits.requests?.capacity),
      arg(limits.requests?.windowMillis ?? limits.windowMillis),
      arg(limits.inputTokens?.capacity),
      arg(limits.inputTokens?.windowMillis ?? limits.windowMillis),
      arg(limits.outputTokens?.capacity),
      arg(limits.outputTokens?.windowMillis ?? limits.windowMillis)
    ]
    const needArgs = (need: Need) => [arg(need.requests), arg(need.inputTokens), arg(need.outputTokens)]
    const call =
      (name: ScriptName, key: string, args: ReadonlyArray<string>) =>
      (client: Redis): Promise<unknown> =>
        (client as RedisWithQuota)[name](prefix + key, ...args)

    const runVoid = (
      command: (client: Redis) => Promise<unknown>,
      decode: (reply: unknown) => true | undefined,
      otherwise: Effect.Effect<true>
    ): Effect.Effect<void> => Effect.asVoid(connection.run(command, decode, otherwise))

    const store: Store = {
      take: (key, need, limits, now) =>
        connection.run(
          call("claudeResilienceQuotaTake", key, [...base(limits, now), ...needArgs(need)]),
          parseTake,
          fallback.take(key, need, limits, now)
        ),
      give: (key, amounts, limits, now) =>
        runVoid(
          call("claudeResilienceQuotaGive", key, [...base(limits, now), ...needArgs(amounts)]),
          isOk,
          Effect.as(fallback.give(key, amounts, limits, now), true as const)
        ),
      learn: (key, observation: Observation, limits, now) =>
        runVoid(
          call("claudeResilienceQuotaLearn", key, [
            ...base(limits, now),
            ...bucket.BUCKETS.flatMap((name) => {
              const seen = observation[name]
              return [arg(seen?.limit), arg(seen?.remaining), arg(seen?.windowMillis)]
            })
          ]),
          isOk,
          Effect.as(fallback.learn(key, observation, limits, now), true as const)
        ),
      pause: (key, until, now) =>
        runVoid(
          call("claudeResilienceQuotaPause", key, [...base({}, now), arg(until)]),
          isOk,
          Effect.as(fallback.pause(key, until, now), true as const)
        ),
      view: (key, limits, now) =>
        connection.run(
          call("claudeResilienceQuotaView", key, base(limits, now)),
          (reply) => (Array.isArray(reply) ? parseView(reply, 0) : undefined),
          fallback.view(key, limits, now)
        )
    }
    return store
  })
