/**
 * The poll schedule on the TestClock: how its waits grow, cap and end; and a poll over HTTP whose
 * next wait honours a `retry-after`, with FakeClaude's clock the TestClock too.
 */
import { Batches } from "@claude-resilience/batches"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { on, requests, withFake } from "./fake.js"

const inProgress = {
  processing_status: "in_progress"
} as Batches.MessageBatch

/** A real pause (the TestClock does not move on its own): for HTTP answers to arrive. */
const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Re-reads `self` in real time until `ok` holds (at most ~2 s). */
const eventually = <A>(self: Effect.Effect<A>, ok: (a: A) => boolean): Effect.Effect<A> =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const a = yield* self
      if (ok(a)) return a
      yield* realPause(10)
    }
    return yield* self
  })

describe("Batches.pollSchedule", () => {
  it.effect("starts at the interval, grows ×1.5 to a tenth of the expected time, and ends after maxWait", () =>
    Effect.gen(function* () {
      const delays: Array<number> = []
      const schedule = Schedule.delays(
        Batches.pollSchedule({ pollInterval: "5 seconds", expectedProcessingTime: "1 hour", maxWait: "3 hours" })
      ).pipe(Schedule.tapOutput((d) => Effect.sync(() => delays.push(Duration.toMillis(d)))))
      const fiber = yield* Effect.fork(Effect.repeat(Effect.succeed(inProgress), schedule))
      yield* TestClock.adjust("4 hours")
      yield* Fiber.join(fiber)
      // the step that ends the schedule has no wait
      expect(delays.pop()).toBe(0)
      const cap = 6 * 60_000
      delays.forEach((delay, k) => {
        const base = Math.min(cap, 5_000 * 1.5 ** k)
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8))
        expect(delay).toBeLessThanOrEqual(Math.min(cap, Math.ceil(base * 1.2)))
      })
      expect(delays.slice(-5).every((d) => d >= cap * 0.8)).toBe(true)
      const total = delays.reduce((a, b) => a + b, 0)
      expect(total).toBeGreaterThanOrEqual(3 * 3_600_000 - cap)
      expect(total).toBeLessThanOrEqual(3 * 3_600_000 + cap)
    })
  )
})

describe("Batches.poll", () => {
  it.effect("waits at least a retry-after before the next poll", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const [batch] = yield* Batches.submit(requests(2))
      const retrieves = Effect.map(fake.requests, (rs) => rs.filter(on("retrieve")))
      yield* fake.enqueue(Fault.matching(Fault.status(429, { retryAfter: "30" }), on("retrieve")))
      const fiber = yield* Effect.fork(
        Batches.poll(batch!.id, { retry: false, pollSchedule: Schedule.spaced("1 second") })
      )
      expect((yield* eventually(retrieves, (rs) => rs.length === 1)).map((r) => r.outcome)).toEqual([429])
      yield* TestClock.adjust("10 seconds")
      expect(yield* retrieves).toHaveLength(1)
      yield* TestClock.adjust("25 seconds")
      const [, second] = yield* eventually(retrieves, (rs) => rs.length >= 2)
      // the next poll came when the retry-after (30 s) had passed, not after the schedule's 1 s
      expect(second?.time).toBe(30_000)
      expect(second?.outcome).toBe(200)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 minute" } })))
  )

  it.effect("fails with WaitTimeoutError when the schedule runs out", () =>
    Effect.gen(function* () {
      const [batch] = yield* Batches.submit(requests(1))
      const fiber = yield* Effect.fork(
        Effect.flip(
          Batches.poll(batch!.id, {
            pollSchedule: Schedule.spaced("1 minute").pipe(Schedule.intersect(Schedule.recurs(2)))
          })
        )
      )
      // each minute of TestClock time lets one poll through, once its answer has arrived
      for (let i = 0; i < 50 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
        yield* realPause(20)
        yield* TestClock.adjust("1 minute")
      }
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("WaitTimeoutError")
    }).pipe(Effect.provide(withFake({ seed: 1, batches: { processingTime: "1 day" } })))
  )
})
