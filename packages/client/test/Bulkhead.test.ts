/**
 * The bulkhead: in virtual time on its own (limits, the queue, maxWait, interruption; 1,000 fibers
 * interrupted at random), and through the Claude service against FakeClaude (real SDK over HTTP).
 */
import { Bulkhead, Claude } from "@claude-resilience/client"
import { ClaudeError } from "@claude-resilience/errors"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Duration,
  Effect,
  Exit,
  FastCheck,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Option,
  Random,
  Redacted,
  Schedule,
  Stream,
  TestClock
} from "effect"

const rejectionOf = <A, E>(exit: Exit.Exit<A, E>): ClaudeError.BulkheadRejectedError | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) && failure.value instanceof ClaudeError.BulkheadRejectedError
    ? failure.value
    : undefined
}

describe("Bulkhead in virtual time", () => {
  it.effect("at most maxConcurrent run, maxQueue wait in order, the rest are rejected at once", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 2, maxQueue: 1 })
      const order: Array<number> = []
      const call = (n: number) =>
        bulkhead.withPermit("a", Effect.sync(() => order.push(n)).pipe(Effect.zipRight(Effect.sleep("1 second"))))
      const running = [yield* Effect.fork(call(1)), yield* Effect.fork(call(2))]
      const queued = yield* Effect.fork(call(3))
      yield* Effect.yieldNow()
      expect(yield* bulkhead.stats("a")).toEqual({ inFlight: 2, queued: 1 })
      const rejected = yield* Effect.exit(call(4))
      expect(rejectionOf(rejected)).toMatchObject({ reason: "full", key: "a", maxConcurrent: 2, maxQueue: 1 })
      expect(ClaudeError.isRetryable(rejectionOf(rejected)!)).toBe(false)
      // another key has slots of its own
      expect(yield* bulkhead.withPermit("b", Effect.succeed("b"))).toBe("b")
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(Fiber.zip(running[0]!, running[1]!))
      expect(order).toEqual([1, 2, 3])
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(queued)
      expect(yield* bulkhead.stats("a")).toEqual({ inFlight: 0, queued: 0 })
      expect(yield* bulkhead.keys).toEqual([])
    })
  )

  it.effect("a queued call gives up after maxWait with reason timeout", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue: 4, maxWait: "100 millis" })
      const holder = yield* Effect.fork(bulkhead.withPermit("a", Effect.sleep("1 second")))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(Effect.exit(bulkhead.withPermit("a", Effect.void)))
      yield* TestClock.adjust("100 millis")
      const rejection = rejectionOf(yield* Fiber.join(waiter))
      expect(rejection).toMatchObject({ reason: "timeout" })
      expect(Duration.toMillis(rejection!.waited)).toBe(100)
      expect(yield* bulkhead.stats("a")).toEqual({ inFlight: 1, queued: 0 })
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(holder)
      expect(yield* bulkhead.keys).toEqual([])
    })
  )

  it.effect("an interrupted waiter leaves the queue; an interrupted holder frees its slot for the next", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue: 2 })
      const holder = yield* Effect.fork(bulkhead.withPermit("a", Effect.never))
      const first = yield* Effect.fork(bulkhead.withPermit("a", Effect.succeed("first")))
      const second = yield* Effect.fork(bulkhead.withPermit("a", Effect.succeed("second")))
      yield* Effect.yieldNow()
      expect(yield* bulkhead.stats("a")).toEqual({ inFlight: 1, queued: 2 })
      yield* Fiber.interrupt(first)
      expect(yield* bulkhead.stats("a")).toEqual({ inFlight: 1, queued: 1 })
      yield* Fiber.interrupt(holder)
      expect(yield* Fiber.join(second)).toBe("second")
      expect(yield* bulkhead.keys).toEqual([])
    })
  )

  it.effect("permit holds a slot until its scope closes", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* bulkhead.permit("a")
          expect(rejectionOf(yield* Effect.exit(bulkhead.withPermit("a", Effect.void)))?.reason).toBe("full")
        })
      )
      expect(yield* bulkhead.withPermit("a", Effect.succeed(1))).toBe(1)
    })
  )

  it.effect.prop(
    "1,000 fibers interrupted at random: never more than maxConcurrent in flight, every slot freed, every call ended",
    [
      FastCheck.integer({ min: 1, max: 16 }),
      FastCheck.integer({ min: 0, max: 64 }),
      FastCheck.option(FastCheck.integer({ min: 1, max: 200 }), { nil: undefined }),
      FastCheck.integer()
    ],
    ([maxConcurrent, maxQueue, maxWaitMs, seed]) =>
      Effect.gen(function* () {
        const bulkhead = yield* Bulkhead.make({
          maxConcurrent,
          maxQueue,
          maxWait: maxWaitMs === undefined ? undefined : Duration.millis(maxWaitMs)
        })
        const keys = ["a", "b", "c"]
        const inFlight = new Map(keys.map((k) => [k, 0]))
        let worst = 0
        let started = 0
        // Most waits are scheduler turns (cheap, so 1,000 fibers interleave in many ways); a few
        // sleep in virtual time, so queued calls also meet maxWait.
        const pause = Effect.gen(function* () {
          if ((yield* Random.next) < 0.02)
            return yield* Effect.sleep(Duration.millis(yield* Random.nextIntBetween(1, 100)))
          const turns = yield* Random.nextIntBetween(0, 20)
          for (let i = 0; i < turns; i++) yield* Effect.yieldNow()
        })
        const body = (key: string) =>
          Effect.sync(() => {
            started += 1
            const now = inFlight.get(key)! + 1
            inFlight.set(key, now)
            worst = Math.max(worst, now)
          }).pipe(Effect.zipRight(pause), Effect.ensuring(Effect.sync(() => inFlight.set(key, inFlight.get(key)! - 1))))
        const fibers: Array<Fiber.RuntimeFiber<unknown, ClaudeError.BulkheadRejectedError>> = []
        for (let i = 0; i < 1_000; i++) {
          const key = keys[yield* Random.nextIntBetween(0, keys.length)]!
          const fiber = yield* Effect.fork(Effect.zipRight(pause, bulkhead.withPermit(key, body(key))))
          fibers.push(fiber)
          // a third are interrupted at a random moment: before, while queued, or while running
          if ((yield* Random.next) < 1 / 3) {
            yield* Effect.fork(Effect.zipRight(pause, Fiber.interrupt(fiber)))
          }
        }
        yield* TestClock.adjust("1 second")
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        const ended = { success: 0, rejected: 0, interrupted: 0 }
        for (const exit of exits) {
          if (Exit.isSuccess(exit)) ended.success += 1
          else if (rejectionOf(exit) !== undefined) ended.rejected += 1
          else if (Exit.isInterrupted(exit)) ended.interrupted += 1
        }
        expect(ended.success + ended.rejected + ended.interrupted).toBe(1_000)
        expect(worst).toBeLessThanOrEqual(maxConcurrent)
        expect(started).toBeGreaterThanOrEqual(ended.success)
        for (const key of keys) {
          expect(yield* bulkhead.stats(key)).toEqual({ inFlight: 0, queued: 0 })
          expect(inFlight.get(key)).toBe(0)
        }
        expect(yield* bulkhead.keys).toEqual([])
      }).pipe(Effect.withRandom(Random.make(seed))),
    { fastCheck: { numRuns: 6 } }
  )
})

/** Claude with a bulkhead against a fresh FakeClaude, no retries, quiet logs. */
const withFake = (bulkhead: Bulkhead.Options, options: FakeClaude.Options = {}) =>
  FakeClaude.layerWith(options, (fake) =>
    Claude.layer({
      apiKey: Redacted.make(fake.apiKey),
      baseURL: fake.url,
      retryPolicy: Schedule.stop,
      bulkhead
    })
  ).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Error)))

const ask = (text = "Tell me about bulkheads", model = "claude-haiku-4-5") => ({
  model,
  max_tokens: 256,
  messages: [{ role: "user" as const, content: text }]
})

/** Waits (polling the server's records, not the clock) until `n` requests are pending. */
const pending = (n: number) =>
  Effect.flatMap(FakeClaude.FakeClaude, (fake) =>
    fake.requests.pipe(
      Effect.map((records) => records.filter((r) => r.outcome === "pending").length),
      Effect.repeat({ until: (count) => count >= n, schedule: Schedule.spaced("5 millis") })
    )
  )

describe("Bulkhead through the Claude service (FakeClaude)", () => {
  it.live("a call beyond the model's slots is rejected without reaching the server; the slots come back", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.latency(400), Fault.latency(400))
      const running = yield* Effect.fork(
        Effect.all([claude.messages.create(ask("one")), claude.messages.create(ask("two"))], { concurrency: 2 })
      )
      yield* pending(2)
      const rejected = yield* Effect.exit(claude.messages.create(ask("three")))
      expect(rejectionOf(rejected)).toMatchObject({ key: "claude-haiku-4-5", reason: "full" })
      // another model has slots of its own
      yield* claude.messages.create(ask("other", "claude-sonnet-4-6"))
      yield* Fiber.join(running)
      yield* claude.messages.create(ask("four"))
      const texts = (yield* fake.requests).map(
        (r) => (r.body as { messages: Array<{ content: string }> }).messages[0]!.content
      )
      expect(texts).toEqual(["one", "two", "other", "four"])
    }).pipe(Effect.provide(withFake({ maxConcurrent: 2 })))
  )

  it.live("a stream holds its slot until it ends", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pull = yield* Stream.toPull(claude.messages.stream(ask("streaming")))
          yield* pull
          const rejected = yield* Effect.exit(claude.messages.create(ask("meanwhile")))
          expect(rejectionOf(rejected)?.reason).toBe("full")
        })
      )
      const message = yield* claude.messages.create(ask("after"))
      expect(message.stop_reason).toBe("end_turn")
    }).pipe(Effect.provide(withFake({ maxConcurrent: 1 })))
  )

  it.live("a Bulkhead layer is shared by the clients built over it", () =>
    Effect.gen(function* () {
      const bulkhead = yield* Bulkhead.Bulkhead
      const claude = yield* Claude.Claude
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* bulkhead.permit("claude-haiku-4-5")
          expect(rejectionOf(yield* Effect.exit(claude.messages.create(ask())))?.reason).toBe("full")
        })
      )
      yield* claude.messages.create(ask())
    }).pipe(
      Effect.provide(
        FakeClaude.layerWith({}, (fake) =>
          Claude.layer({ apiKey: Redacted.make(fake.apiKey), baseURL: fake.url, retryPolicy: Schedule.stop }).pipe(
            Layer.provideMerge(Bulkhead.layer({ maxConcurrent: 1 }))
          )
        )
      ),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Error))
    )
  )
})
