/**
 * Deadlines: the timeouts of every attempt in flight on one sleeping fiber per `Clock`.
 *
 * A timer per attempt — even a single forked fiber sleeping on the clock — costs more than the
 * rest of an attempt's bookkeeping. Here an attempt's deadline is an entry in a sorted list; one
 * fiber sleeps on the clock (`Clock.sleep`, so a `TestClock` drives it in tests) until the
 * earliest deadline, fires what is due, and sleeps again. Settling an attempt cancels its entry:
 * a flag, nothing else. When nothing is left in flight the sleeper is stopped (after the current
 * macrotask, so that back-to-back calls keep it), and an idle program holds no timer.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

/** One deadline: `fire` is dropped once it has fired or been cancelled. */
export interface Deadline {
  readonly at: number
  fire: (() => void) | undefined
}

class Deadlines {
  private queue: Array<Deadline> = []
  private live = 0
  private sleeper: Fiber.RuntimeFiber<void> | undefined = undefined
  private wakeAt = Number.POSITIVE_INFINITY
  private idleCheck = false

  constructor(private readonly clock: Clock.Clock) {}

  add(millis: number, fire: () => void): Deadline {
    const entry: Deadline = { at: this.clock.unsafeCurrentTimeMillis() + millis, fire }
    const queue = this.queue
    // Equal timeouts arrive in deadline order: almost always an append.
    if (queue.length === 0 || queue[queue.length - 1]!.at <= entry.at) queue.push(entry)
    else {
      let lo = 0
      let hi = queue.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (queue[mid]!.at <= entry.at) lo = mid + 1
        else hi = mid
      }
      queue.splice(lo, 0, entry)
    }
    this.live++
    if (entry.at < this.wakeAt) this.arm(entry.at)
    return entry
  }

  cancel(entry: Deadline): void {
    if (entry.fire === undefined) return
    entry.fire = undefined
    this.live--
    if (this.live === 0) {
      this.queue = []
      this.stopWhenIdle()
    } else if (this.queue.length > 32 && this.queue.length > 2 * this.live) {
      this.queue = this.queue.filter((e) => e.fire !== undefined)
    }
  }

  /** Stops the sleeper if nothing is in flight once the current macrotask is over. */
  private stopWhenIdle(): void {
    if (this.idleCheck || this.sleeper === undefined) return
    this.idleCheck = true
    setTimeout(() => {
      this.idleCheck = false
      if (this.live === 0) this.disarm()
    }, 0)
  }

  private disarm(): void {
    const sleeper = this.sleeper
    this.sleeper = undefined
    this.wakeAt = Number.POSITIVE_INFINITY
    sleeper?.unsafeInterruptAsFork(FiberId.none)
  }

  private arm(at: number): void {
    this.disarm()
    this.wakeAt = at
    const fiber = Effect.runFork(
      this.clock.sleep(Duration.millis(Math.max(0, at - this.clock.unsafeCurrentTimeMillis())))
    )
    this.sleeper = fiber
    fiber.addObserver((exit) => {
      if (this.sleeper !== fiber) return
      this.sleeper = undefined
      this.wakeAt = Number.POSITIVE_INFINITY
      if (Exit.isSuccess(exit)) this.expire()
    })
  }

  /** Fires what is due, then sleeps until the next deadline. */
  private expire(): void {
    const now = this.clock.unsafeCurrentTimeMillis()
    const queue = this.queue
    const due: Array<() => void> = []
    let i = 0
    for (; i < queue.length && (queue[i]!.at <= now || queue[i]!.fire === undefined); i++) {
      const fire = queue[i]!.fire
      if (fire !== undefined) {
        queue[i]!.fire = undefined
        this.live--
        due.push(fire)
      }
    }
    this.queue = i === 0 ? queue : queue.slice(i)
    if (this.queue.length > 0) this.arm(this.queue[0]!.at)
    for (const fire of due) fire()
  }
}

const byClock = new WeakMap<Clock.Clock, Deadlines>()

/** Calls `fire` after `millis` of `clock`'s time, unless {@link cancel}led first. */
export const schedule = (clock: Clock.Clock, millis: number, fire: () => void): Deadline => {
  let deadlines = byClock.get(clock)
  if (deadlines === undefined) {
    deadlines = new Deadlines(clock)
    byClock.set(clock, deadlines)
  }
  return deadlines.add(millis, fire)
}

/** Cancels a deadline (nothing if it already fired). */
export const cancel = (clock: Clock.Clock, deadline: Deadline): void => {
  byClock.get(clock)?.cancel(deadline)
}
