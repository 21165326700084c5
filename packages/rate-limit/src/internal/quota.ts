import { ClaudeError, ResponseHeaders } from "@claude-resilience/errors"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Scope from "effect/Scope"
import type { LimitKey } from "../LimitKey.js"
import type * as Q from "../Quota.js"
import type { BucketName, Limits, Need, Observation, Store, Take, View } from "../QuotaStore.js"
import * as bucket from "./bucket.js"
import { type KeyMetrics, keyMetrics } from "./metrics.js"

// The same registered symbol as the public `Quota.TypeId`.
const TypeId: typeof Q.TypeId = Symbol.for("@claude-resilience/rate-limit/Quota") as typeof Q.TypeId

/** @internal */
export const DEFAULT_MAX_WAIT: Duration.Duration = Duration.minutes(1)

interface Waiter {
  readonly need: Need
  readonly enqueuedAt: number
  readonly deadline: number
  readonly lane: Array<Waiter>
  wake: Deferred.Deferred<void> | undefined
  poked: boolean
}

/** An admitted attempt: its permit, and the close the limiter's own paths call synchronously. */
interface Held {
  readonly permit: Q.Permit
  /** Settles with `usage`, or refunds all (`undefined`), once; an effect only when the store needs I/O. */
  readonly close: (usage: Q.Usage | undefined) => Effect.Effect<void> | undefined
}

/** Per key and process: the two lanes of waiters, the last state seen, metrics, learned output. */
interface KeyEntry {
  readonly key: LimitKey
  readonly interactive: Array<Waiter>
  readonly background: Array<Waiter>
  readonly metrics: KeyMetrics
  view: View | undefined
  short: BucketName | "paused"
  output: { mean: number; deviation: number; samples: number }
}

const MAX_ENTRIES = 10_000

const toLimits = (configured: Q.Limits | undefined): Limits => {
  if (configured === undefined) return {}
  const windowMillis = bucket.windowOf(
    configured.window === undefined ? undefined : Duration.toMillis(Duration.decode(configured.window))
  )
  const limit = (n: number | undefined) => {
    const capacity = bucket.capacityOf(n)
    return capacity === undefined ? undefined : { capacity, windowMillis }
  }
  return {
    requests: limit(configured.requestsPerMinute),
    inputTokens: limit(configured.inputTokensPerMinute),
    outputTokens: limit(configured.outputTokensPerMinute),
    windowMillis
  }
}

const formatMillis = (millis: number) => Duration.format(Duration.millis(Math.max(0, Math.round(millis))))

/** @internal */
export const make = (store: Store, options: Q.Options = {}): Q.Service => {
  const defaultMaxWait = Duration.toMillis(Duration.decode(options.maxWait ?? DEFAULT_MAX_WAIT))
  const defaultPriority = options.priority ?? "interactive"
  const learnOutput = options.outputReservation === "learned"
  const configured = options.limits
  const limitsByClass = new Map<string, Limits>()
  const limitsFor = (key: LimitKey): Limits => {
    let limits = limitsByClass.get(key.rateLimitClass)
    if (limits === undefined) {
      // unknown models are classes of their own: keep the cache bounded
      if (limitsByClass.size >= MAX_ENTRIES) limitsByClass.clear()
      limits = toLimits(typeof configured === "function" ? configured(key.rateLimitClass) : configured)
      limitsByClass.set(key.rateLimitClass, limits)
    }
    return limits
  }

  const entries = new Map<string, KeyEntry>()
  const entryFor = (key: LimitKey): KeyEntry => {
    let entry = entries.get(key.id)
    if (entry === undefined) {
      if (entries.size >= MAX_ENTRIES) {
        for (const [id, old] of entries) {
          if (old.interactive.length === 0 && old.background.length === 0) entries.delete(id)
        }
      }
      entry = {
        key,
        interactive: [],
        background: [],
        metrics: keyMetrics(key.id),
        view: undefined,
        short: "requests",
        output: { mean: 0, deviation: 0, samples: 0 }
      }
      entries.set(key.id, entry)
    }
    return entry
  }

  const depth = (entry: KeyEntry) => entry.interactive.length + entry.background.length
  const headOf = (entry: KeyEntry): Waiter | undefined => entry.interactive[0] ?? entry.background[0]

  const poke = (waiter: Waiter | undefined): void => {
    if (waiter === undefined) return
    waiter.poked = true
    if (waiter.wake !== undefined) Deferred.unsafeDone(waiter.wake, Exit.void)
  }

  const leave = (entry: KeyEntry, waiter: Waiter): void => {
    const index = waiter.lane.indexOf(waiter)
    if (index < 0) return
    const wasHead = headOf(entry) === waiter
    waiter.lane.splice(index, 1)
    entry.metrics.depth(depth(entry))
    if (wasHead) poke(headOf(entry))
  }

  const rejection = (
    entry: KeyEntry,
    short: BucketName | "paused",
    retryAfter: number,
    maxWait: number,
    waited: number
  ): ClaudeError.QuotaExceededError => {
    entry.metrics.rejected()
    const what = short === "paused" ? "paused after a 429" : `short of ${short}`
    return ClaudeError.unsafeMake(ClaudeError.QuotaExceededError, {
      message: `limit key ${entry.key.id} is ${what}: admission needs ${formatMillis(retryAfter)} more, the wait budget is ${formatMillis(maxWait)}`,
      key: entry.key.id,
      bucket: short,
      retryAfter: Duration.millis(Math.max(0, Math.ceil(retryAfter))),
      maxWait: Duration.millis(maxWait),
      waited: Duration.millis(Math.max(0, waited))
    })
  }

  /** How long a newcomer would wait behind `ahead`, from the last state seen (an estimate). */
  const estimate = (entry: KeyEntry, ahead: ReadonlyArray<ReadonlyArray<Waiter>>, need: Need, now: number) => {
    const view = entry.view
    if (view === undefined) return undefined
    let wait = Math.max(0, view.pausedUntil - now)
    let short: BucketName | "paused" = wait > 0 ? "paused" : entry.short
    for (const name of bucket.BUCKETS) {
      const b = view.buckets[name]
      if (b === undefined) continue
      let total = Math.min(need[name], b.capacity)
      for (const lane of ahead) for (const waiter of lane) total += Math.min(waiter.need[name], b.capacity)
      const level = Math.min(b.capacity, b.level + (Math.max(0, now - view.at) * b.capacity) / b.windowMillis)
      const millis = ((total - level) * b.windowMillis) / b.capacity
      if (millis > wait) {
        wait = millis
        short = name
      }
    }
    return { wait, short }
  }

  const unsafeGive = store.unsafeGive
  const unsafeLearn = store.unsafeLearn

  const permitFor = (entry: KeyEntry, need: Need, charged: number, waited: number, clock: Clock.Clock): Held => {
    entry.metrics.admitted()
    entry.metrics.waited(waited)
    let closed = false
    // Only to the buckets that were charged: a bucket learned while the attempt was in flight
    // never gave it anything. At once when the store needs no I/O.
    const giveBack = (amounts: Need): Effect.Effect<void> | undefined => {
      const back: Need = {
        requests: charged & 1 ? amounts.requests : 0,
        inputTokens: charged & 2 ? amounts.inputTokens : 0,
        outputTokens: charged & 4 ? amounts.outputTokens : 0
      }
      if (back.requests === 0 && back.inputTokens === 0 && back.outputTokens === 0) return undefined
      const now = clock.unsafeCurrentTimeMillis()
      if (unsafeGive !== undefined) {
        unsafeGive(entry.key.id, back, limitsFor(entry.key), now)
        poke(headOf(entry))
        return undefined
      }
      return Effect.map(store.give(entry.key.id, back, limitsFor(entry.key), now), () => poke(headOf(entry)))
    }
    const close = (usage: Q.Usage | undefined): Effect.Effect<void> | undefined => {
      if (closed) return undefined
      closed = true
      if (usage === undefined) return giveBack(need)
      const input = usage.inputTokens === undefined ? need.inputTokens : bucket.tokens(usage.inputTokens)
      const output = usage.outputTokens === undefined ? need.outputTokens : bucket.tokens(usage.outputTokens)
      if (usage.outputTokens !== undefined) {
        const o = entry.output
        o.samples++
        const delta = output - o.mean
        o.mean = o.samples === 1 ? output : o.mean + 0.1 * delta
        o.deviation = o.samples === 1 ? 0 : o.deviation + 0.1 * (Math.abs(delta) - o.deviation)
      }
      return giveBack({ requests: 0, inputTokens: need.inputTokens - input, outputTokens: need.outputTokens - output })
    }
    const closing =
      unsafeGive === undefined
        ? (usage: Q.Usage | undefined) => Effect.suspend(() => close(usage) ?? Effect.void)
        : (usage: Q.Usage | undefined) =>
            Effect.sync(() => {
              close(usage)
            })
    return {
      close,
      permit: {
        key: entry.key,
        reserved: need,
        waited: Duration.millis(waited),
        settle: closing,
        // built when asked for: most attempts settle and never refund
        get refund() {
          return closing(undefined)
        }
      }
    }
  }

  const sleepOrPoke = (waiter: Waiter, millis: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (waiter.poked) return Effect.void
      const wake = Deferred.unsafeMake<void>(FiberId.none)
      waiter.wake = wake
      return Effect.raceFirst(Deferred.await(wake), Effect.sleep(Duration.millis(Math.max(1, millis))))
    })

  type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

  /** Queues behind the waiters ahead, then takes when first in line; runs uninterruptibly except while it waits. */
  const queue = (
    entry: KeyEntry,
    need: Need,
    limits: Limits,
    lanes: { readonly own: Array<Waiter>; readonly ahead: ReadonlyArray<ReadonlyArray<Waiter>> },
    maxWait: number,
    now: number,
    first: Take | undefined,
    restore: Restore,
    clock: Clock.Clock
  ): Effect.Effect<Held, ClaudeError.QuotaExceededError> => {
    if (first !== undefined && !first.admitted) {
      entry.view = first.view
      entry.short = first.bucket
      if (first.waitMillis > maxWait) return Effect.fail(rejection(entry, first.bucket, first.waitMillis, maxWait, 0))
    }
    const guess = estimate(entry, [...lanes.ahead, lanes.own], need, now)
    if (guess !== undefined && guess.wait > maxWait) {
      return Effect.fail(rejection(entry, guess.short, guess.wait, maxWait, 0))
    }
    const waiter: Waiter = {
      need,
      enqueuedAt: now,
      deadline: now + maxWait,
      lane: lanes.own,
      wake: undefined,
      poked: false
    }
    lanes.own.push(waiter)
    entry.metrics.depth(depth(entry))
    let firstWait = first !== undefined && !first.admitted ? first.waitMillis : undefined

    const loop: Effect.Effect<Held, ClaudeError.QuotaExceededError> = Effect.suspend(() => {
      const at = clock.unsafeCurrentTimeMillis()
      const waited = at - waiter.enqueuedAt
      if (headOf(entry) !== waiter) {
        // Pokes are for the head; a stale one must not turn this wait into a spin.
        waiter.poked = false
        firstWait = undefined
        const left = waiter.deadline - at
        if (left <= 0) {
          leave(entry, waiter)
          const guess = estimate(entry, [], need, at)
          return Effect.fail(rejection(entry, guess?.short ?? entry.short, guess?.wait ?? 0, maxWait, waited))
        }
        return Effect.zipRight(restore(sleepOrPoke(waiter, left)), loop)
      }
      const handle = (result: Take) => {
        if (result.admitted) {
          leave(entry, waiter)
          return Effect.succeed(permitFor(entry, need, result.charged, waited, clock))
        }
        entry.view = result.view
        entry.short = result.bucket
        if (at + result.waitMillis > waiter.deadline) {
          leave(entry, waiter)
          return Effect.fail(rejection(entry, result.bucket, result.waitMillis, maxWait, waited))
        }
        return Effect.zipRight(restore(sleepOrPoke(waiter, result.waitMillis)), loop)
      }
      if (firstWait !== undefined) {
        // The take that sent us here already said how long: sleep before asking again.
        const millis = firstWait
        firstWait = undefined
        return Effect.zipRight(restore(sleepOrPoke(waiter, millis)), loop)
      }
      waiter.poked = false
      return Effect.flatMap(store.take(entry.key.id, need, limits, at), handle)
    })
    // Interrupted (or failed) while queued: leave the line, take nothing, let the next one in.
    return Effect.onExit(loop, (exit) => (Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => leave(entry, waiter))))
  }

  const needOf = (request: Q.Request): Need => ({
    requests: 1,
    inputTokens: bucket.tokens(request.inputTokens),
    outputTokens: bucket.tokens(request.outputTokens)
  })

  /**
   * Must run uninterruptibly: `restore` makes only the waits interruptible. The permit at once
   * when nobody is ahead and the store takes synchronously with room in the buckets (the fast
   * path: one synchronous step); else the effect that asks the store or queues.
   */
  const acquireNow = (
    request: Q.Request,
    restore: Restore,
    clock: Clock.Clock
  ): Held | Effect.Effect<Held, ClaudeError.QuotaExceededError> => {
    const now = clock.unsafeCurrentTimeMillis()
    const entry = entryFor(request.key)
    const need = needOf(request)
    const limits = limitsFor(request.key)
    const maxWait =
      request.maxWait === undefined ? defaultMaxWait : Math.max(0, Duration.toMillis(Duration.decode(request.maxWait)))
    const interactive = (request.priority ?? defaultPriority) === "interactive"
    const lanes = interactive
      ? { own: entry.interactive, ahead: [] }
      : { own: entry.background, ahead: [entry.interactive] }
    const clear = lanes.own.length === 0 && (interactive || entry.interactive.length === 0)
    if (!clear) return queue(entry, need, limits, lanes, maxWait, now, undefined, restore, clock)
    if (store.unsafeTake !== undefined) {
      const result = store.unsafeTake(request.key.id, need, limits, now)
      return result.admitted
        ? permitFor(entry, need, result.charged, 0, clock)
        : queue(entry, need, limits, lanes, maxWait, now, result, restore, clock)
    }
    return Effect.flatMap(store.take(request.key.id, need, limits, now), (result) =>
      result.admitted
        ? Effect.succeed(permitFor(entry, need, result.charged, 0, clock))
        : queue(entry, need, limits, lanes, maxWait, now, result, restore, clock)
    )
  }

  const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Clock.Clock =>
    Context.unsafeGet(fiber.currentDefaultServices, Clock.Clock)

  const admit = (request: Q.Request): Effect.Effect<Q.Permit, ClaudeError.QuotaExceededError, Scope.Scope> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime((fiber) => {
        const held = acquireNow(request, restore, clockOf(fiber))
        const scoped = (held: Held) =>
          Effect.as(
            Effect.addFinalizer((exit) => held.close(Exit.isSuccess(exit) ? {} : { outputTokens: 0 }) ?? Effect.void),
            held.permit
          )
        return Effect.isEffect(held) ? Effect.flatMap(held, scoped) : scoped(held)
      })
    )

  const withPermit = <A, E, R>(
    request: Q.Request,
    use: (permit: Q.Permit) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | ClaudeError.QuotaExceededError, R> =>
    Effect.uninterruptibleMask((restore) => {
      // matchCauseEffect rather than onExit: we are already uninterruptible, and onExit would
      // pay for a second mask on the hot path.
      const using = (held: Held) =>
        Effect.matchCauseEffect(restore(use(held.permit)), {
          onFailure: (cause) => {
            const closing = held.close({ outputTokens: 0 })
            return closing === undefined ? Effect.failCause(cause) : Effect.zipRight(closing, Effect.failCause(cause))
          },
          onSuccess: (value) => {
            const closing = held.close({})
            return closing === undefined ? Effect.succeed(value) : Effect.as(closing, value)
          }
        })
      return Effect.withFiberRuntime((fiber) => {
        const held = acquireNow(request, restore, clockOf(fiber))
        return Effect.isEffect(held) ? Effect.flatMap(held, using) : using(held)
      })
    })

  const learned = (key: LimitKey, observation: Observation | undefined, now: number): Effect.Effect<void> => {
    if (observation === undefined) return Effect.void
    const entry = entryFor(key)
    for (const name of bucket.BUCKETS) {
      const limit = observation[name]?.limit
      if (limit !== undefined) entry.metrics.limit(name, limit)
    }
    if (unsafeLearn !== undefined) {
      unsafeLearn(key.id, observation, limitsFor(key), now)
      poke(headOf(entry))
      return Effect.void
    }
    return Effect.map(store.learn(key.id, observation, limitsFor(key), now), () => poke(headOf(entry)))
  }

  const pauseFor = (key: LimitKey, millis: number, now: number): Effect.Effect<void> =>
    millis > 0 ? store.pause(key.id, now + Math.min(millis, bucket.MAX_PAUSE_MILLIS), now) : Effect.void

  const observe = (
    key: LimitKey,
    headers: ResponseHeaders.HeadersInput,
    status?: number | undefined
  ): Effect.Effect<void> =>
    Effect.clockWith((clock) => {
      const now = clock.unsafeCurrentTimeMillis()
      const learning = learned(key, bucket.observation(ResponseHeaders.rateLimit(headers), now), now)
      if (status !== 429) return learning
      entryFor(key).metrics.rateLimited()
      const wait = ResponseHeaders.retryAfter(headers, now)
      return Effect.zipRight(learning, pauseFor(key, wait === undefined ? 0 : Duration.toMillis(wait), now))
    })

  const observeError = (key: LimitKey, error: ClaudeError.ClaudeError): Effect.Effect<void> =>
    Effect.clockWith((clock) =>
      Effect.suspend(() => {
        if (!ClaudeError.isApiResponseError(error)) return Effect.void
        const now = clock.unsafeCurrentTimeMillis()
        const learning = learned(key, bucket.observation(error.rateLimit, now), now)
        if (error._tag !== "RateLimitError") return learning
        entryFor(key).metrics.rateLimited()
        const wait = error.retryAfter === undefined ? 0 : Duration.toMillis(error.retryAfter)
        return Effect.zipRight(learning, pauseFor(key, wait, now))
      })
    )

  const service: Q.Service = {
    [TypeId]: TypeId,
    admit,
    withPermit,
    observe,
    observeError,
    pause: (key, duration) =>
      Effect.clockWith((clock) =>
        pauseFor(key, Duration.toMillis(Duration.decode(duration)), clock.unsafeCurrentTimeMillis())
      ),
    reservation: (key, maxTokens) => {
      const max = bucket.tokens(maxTokens)
      if (!learnOutput) return max
      const o = entries.get(key.id)?.output
      if (o === undefined || o.samples < 5) return max
      return Math.min(max, Math.max(1, Math.ceil(o.mean + 3 * o.deviation)))
    },
    state: (key) =>
      Effect.clockWith((clock) =>
        Effect.map(store.view(key.id, limitsFor(key), clock.unsafeCurrentTimeMillis()), (view) => {
          const entry = entries.get(key.id)
          return { ...view, queued: entry === undefined ? 0 : depth(entry) }
        })
      )
  }
  return service
}
