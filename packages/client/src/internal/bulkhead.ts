/**
 * The bulkhead: per key, at most `maxConcurrent` holders of a slot and at most `maxQueue` waiters in
 * FIFO order; a waiter gets the slot of the holder that leaves (a hand-over, so no newcomer can
 * overtake the queue). The state is plain and changed only in synchronous sections, so it is
 * consistent whatever the fibers do; every path out of a wait (granted, timed out, interrupted)
 * either keeps the slot it was handed and releases it later, or gives it on.
 */
import { ClaudeError } from "@claude-resilience/errors"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import type * as Bulkhead from "../Bulkhead.js"

export const metrics = {
  rejections: Metric.counter("claude_bulkhead_rejections_total", {
    description: "Calls a bulkhead turned away, by key and reason (full, timeout)"
  }),
  queued: Metric.counter("claude_bulkhead_queued_total", {
    description: "Calls that waited in a bulkhead's queue for a slot, by key"
  })
}

interface Waiter {
  readonly deferred: Deferred.Deferred<void>
  /** a holder handed its slot over to this waiter */
  granted: boolean
}

interface Pool {
  inFlight: number
  readonly queue: Array<Waiter>
}

const rejected = (
  key: string,
  reason: ClaudeError.BulkheadRejection,
  limits: { readonly maxConcurrent: number; readonly maxQueue: number },
  waited: Duration.Duration
): ClaudeError.BulkheadRejectedError => {
  metrics.rejections.unsafeUpdate(1, [MetricLabel.make("key", key), MetricLabel.make("reason", reason)])
  return ClaudeError.unsafeMake(ClaudeError.BulkheadRejectedError, {
    message:
      reason === "full"
        ? `bulkhead ${key} is full: ${limits.maxConcurrent} in flight, ${limits.maxQueue} queued`
        : `bulkhead ${key}: no slot within ${Duration.format(waited)}`,
    key,
    reason,
    maxConcurrent: limits.maxConcurrent,
    maxQueue: limits.maxQueue,
    waited
  })
}

const positive = (n: number | undefined, fallback: number): number =>
  n === undefined || !Number.isFinite(n) ? fallback : Math.max(0, Math.floor(n))

export const make = (options: Bulkhead.Options): Bulkhead.Service => {
  const maxConcurrent = Math.max(1, positive(options.maxConcurrent, 1))
  const maxQueue = positive(options.maxQueue, 0)
  const maxWait = options.maxWait === undefined ? undefined : Duration.decode(options.maxWait)
  const limits = { maxConcurrent, maxQueue }
  const pools = new Map<string, Pool>()

  const poolOf = (key: string): Pool => {
    let pool = pools.get(key)
    if (pool === undefined) {
      pool = { inFlight: 0, queue: [] }
      pools.set(key, pool)
    }
    return pool
  }

  /** The release of one slot of `key`: hands it to the oldest waiter, else frees it. Idempotent. */
  const releaser = (key: string, pool: Pool): (() => void) => {
    let done = false
    return () => {
      if (done) return
      done = true
      const next = pool.queue.shift()
      if (next !== undefined) {
        next.granted = true
        Deferred.unsafeDone(next.deferred, Exit.void)
        return
      }
      pool.inFlight -= 1
      // an idle key is forgotten, so the map holds only keys in use
      if (pool.inFlight === 0 && pool.queue.length === 0 && pools.get(key) === pool) pools.delete(key)
    }
  }

  /** A waiter that leaves the queue without its slot: removed; one that was handed a slot gives it on. */
  const abandon = (key: string, pool: Pool, waiter: Waiter): void => {
    if (waiter.granted) {
      releaser(key, pool)()
      return
    }
    const at = pool.queue.indexOf(waiter)
    if (at >= 0) pool.queue.splice(at, 1)
    if (pool.inFlight === 0 && pool.queue.length === 0 && pools.get(key) === pool) pools.delete(key)
  }

  /**
   * Takes a slot: at once, after a wait in the queue (made interruptible by `restore`), or fails.
   * Must run uninterruptibly (inside the mask whose `restore` it is given).
   */
  const take = (
    key: string,
    restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  ): Effect.Effect<() => void, ClaudeError.BulkheadRejectedError> =>
    Effect.suspend(() => {
      const pool = poolOf(key)
      if (pool.inFlight < maxConcurrent) {
        pool.inFlight += 1
        return Effect.succeed(releaser(key, pool))
      }
      if (pool.queue.length >= maxQueue) return Effect.fail(rejected(key, "full", limits, Duration.zero))
      const waiter: Waiter = { deferred: Deferred.unsafeMake<void>(FiberId.none), granted: false }
      pool.queue.push(waiter)
      metrics.queued.unsafeUpdate(1, [MetricLabel.make("key", key)])
      const wait = Deferred.await(waiter.deferred)
      if (maxWait === undefined) {
        return restore(wait).pipe(
          Effect.onInterrupt(() => Effect.sync(() => abandon(key, pool, waiter))),
          Effect.as(releaser(key, pool))
        )
      }
      return restore(Effect.timeoutOption(wait, maxWait)).pipe(
        Effect.onInterrupt(() => Effect.sync(() => abandon(key, pool, waiter))),
        Effect.flatMap((granted) => {
          // handed a slot as the wait ran out: it is ours
          if (Option.isSome(granted) || waiter.granted) return Effect.succeed(releaser(key, pool))
          abandon(key, pool, waiter)
          return Effect.fail(rejected(key, "timeout", limits, maxWait))
        })
      )
    })

  const withPermit = <A, E, R>(
    key: string,
    self: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | ClaudeError.BulkheadRejectedError, R> =>
    Effect.uninterruptibleMask((restore) => {
      // Inside the mask the handlers run however `self` ends (interrupted too): no second mask,
      // as `ensuring` would add.
      const holding = (release: () => void) =>
        Effect.matchCauseEffect(restore(self), {
          onFailure: (cause) => {
            release()
            return Effect.failCause(cause)
          },
          onSuccess: (value) => {
            release()
            return Effect.succeed(value)
          }
        })
      // The uncontended path: a free slot is taken in place (the mask calls this when it runs).
      const pool = poolOf(key)
      if (pool.inFlight < maxConcurrent) {
        pool.inFlight += 1
        return holding(releaser(key, pool))
      }
      return Effect.flatMap(take(key, restore), holding)
    })

  const permit = (key: string) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(take(key, restore), (release) => Effect.addFinalizer(() => Effect.sync(release)))
    )

  return {
    maxConcurrent,
    maxQueue,
    maxWait,
    key: options.key ?? ((call) => call.circuitKey),
    withPermit,
    permit,
    stats: (key) =>
      Effect.sync(() => {
        const pool = pools.get(key)
        return { inFlight: pool?.inFlight ?? 0, queued: pool?.queue.length ?? 0 }
      }),
    keys: Effect.sync(() => [...pools.keys()])
  }
}
