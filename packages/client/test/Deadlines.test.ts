/**
 * The attempt timeout's clock: every deadline on one sleeping fiber per Clock, driven by a
 * TestClock here — and, through the service, a request that never answers turned into a
 * TimeoutError in virtual time, its request aborted.
 */
import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import type { Claude } from "@claude-resilience/client"
import { RetryPolicy } from "@claude-resilience/retry"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Redacted, Schedule, TestClock } from "effect"
import { make } from "../src/internal/client.js"
import * as Deadlines from "../src/internal/deadlines.js"

const MODEL = "claude-haiku-4-5"

describe("deadlines", () => {
  it.effect("fire at their time in virtual time, in deadline order, unless cancelled", () =>
    Effect.gen(function* () {
      const clock = yield* Effect.clock
      const fired: Array<string> = []
      Deadlines.schedule(clock, 3_000, () => fired.push("3s"))
      const cancelled = Deadlines.schedule(clock, 2_000, () => fired.push("2s (cancelled)"))
      // earlier than the deadline the clock sleeps towards: the sleeper is re-armed
      Deadlines.schedule(clock, 1_000, () => fired.push("1s"))
      Deadlines.cancel(clock, cancelled)
      yield* TestClock.adjust("999 millis")
      expect(fired).toEqual([])
      yield* TestClock.adjust("1 millis")
      expect(fired).toEqual(["1s"])
      yield* TestClock.adjust("2 seconds")
      expect(fired).toEqual(["1s", "3s"])
      // cancelling after it fired changes nothing
      Deadlines.cancel(clock, cancelled)
      Deadlines.schedule(clock, 500, () => fired.push("later"))
      yield* TestClock.adjust("500 millis")
      expect(fired).toEqual(["1s", "3s", "later"])
    })
  )

  it.scoped("a request that never answers times out on the Clock: a TimeoutError, the request aborted", () =>
    Effect.gen(function* () {
      const aborted: Array<boolean> = []
      const never = (_params: unknown, options: { readonly signal: AbortSignal }) =>
        new Promise<never>((_, reject) => {
          options.signal.addEventListener("abort", () => {
            aborted.push(true)
            reject(new Error("aborted"))
          })
        })
      const breaker = yield* CircuitBreaker.make({})
      const claude = make({
        options: { apiKey: Redacted.make("sk-ant-test"), attemptTimeout: "10 seconds" },
        retry: Schedule.stop,
        breaker,
        transport: () => ({ create: never, countTokens: never, stream: never })
      })
      const ask: Claude.MessageCreateParams = {
        model: MODEL,
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }]
      }
      const fiber = yield* Effect.fork(claude.messages.create(ask, { retry: false }))
      yield* TestClock.adjust("9 seconds")
      expect(aborted).toEqual([])
      // the call's own timeout is shorter: it counts from the call's attempt
      const short = yield* Effect.fork(claude.messages.create(ask, { retry: false, timeout: "2 seconds" }))
      yield* TestClock.adjust("2 seconds")
      const shortError = yield* Effect.flip(Fiber.join(short))
      expect(shortError._tag).toBe("TimeoutError")
      expect(aborted).toEqual([true, true])
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("TimeoutError")
      if (error._tag === "TimeoutError") expect(Duration.toMillis(error.timeout!)).toBe(10_000)
      expect(yield* Clock.currentTimeMillis).toBe(11_000)
    }).pipe(RetryPolicy.withPolicy(Schedule.stop), Effect.provide(CircuitBreakerStore.layerMemory))
  )
})
