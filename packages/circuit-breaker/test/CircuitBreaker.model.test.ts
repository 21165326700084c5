/**
 * Model-based property test: random sequences of immediate calls, long calls (finished or
 * interrupted later), time steps, isolations and resets run against the real breaker and
 * against a small reference model written independently. After every step the
 * admissions (admitted or rejected, with which state and retryAfter), the reported state and
 * the number of transitions must agree.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Deferred, Duration, Effect, Either, Exit, FastCheck as fc, Fiber, Queue, Schedule } from "effect"

type Outcome = "success" | "failure" | "rateLimit" | "badRequest"

type Op =
  | { readonly _tag: "Call"; readonly outcome: Outcome }
  | { readonly _tag: "Start" }
  | { readonly _tag: "Finish"; readonly index: number; readonly outcome: Outcome | "interrupt" }
  | { readonly _tag: "Advance"; readonly millis: number }
  | { readonly _tag: "Isolate" }
  | { readonly _tag: "Reset" }

interface Setup {
  readonly trip:
    | { readonly mode: "consecutive"; readonly n: number }
    | {
        readonly mode: "rate"
        readonly size: number
        readonly minimumCalls: number
        readonly threshold: number
      }
  readonly probes: number
  readonly growing: boolean
}

const outcomeArb: fc.Arbitrary<Outcome> = fc.constantFrom("success", "failure", "failure", "rateLimit", "badRequest")

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: outcomeArb.map((outcome) => ({ _tag: "Call" as const, outcome })) },
  { weight: 3, arbitrary: fc.constant({ _tag: "Start" as const }) },
  {
    weight: 2,
    arbitrary: fc
      .record({ index: fc.nat(10), outcome: fc.oneof(outcomeArb, fc.constant("interrupt" as const)) })
      .map((r) => ({ _tag: "Finish" as const, ...r }))
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(5_000, 10_000, 20_000, 40_000))
      .map((millis) => ({ _tag: "Advance" as const, millis }))
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "Isolate" as const }) },
  { weight: 1, arbitrary: fc.constant({ _tag: "Reset" as const }) }
)

const setupArb: fc.Arbitrary<Setup> = fc.record({
  trip: fc.oneof(
    fc.record({ mode: fc.constant("consecutive" as const), n: fc.integer({ min: 1, max: 4 }) }),
    fc.record({
      mode: fc.constant("rate" as const),
      size: fc.integer({ min: 1, max: 6 }),
      minimumCalls: fc.integer({ min: 1, max: 6 }),
      threshold: fc.constantFrom(0.25, 0.5, 0.75, 1)
    })
  ),
  probes: fc.integer({ min: 1, max: 3 }),
  growing: fc.boolean()
})

// -----------------------------------------------------------------------------
// Reference model: mutable, one call id per admission, validity tracked as a set
// -----------------------------------------------------------------------------

type ModelStatus = "Closed" | "Open" | "HalfOpen" | "Isolated"

type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly state: "Open" | "HalfOpen" | "Isolated"; readonly retryAfter?: number }

class Model {
  status: ModelStatus = "Closed"
  openedAt = 0
  until = 0
  openings = 0
  consecutive = 0
  window: Array<boolean> = []
  /** calls whose outcome still counts; cleared on every transition */
  live = new Set<number>()
  probes = new Set<number>()
  transitions = 0

  constructor(readonly setup: Setup) {}

  private duration(openings: number): number {
    // growing: exponential from 4 s, capped at 30 s; fixed: 10 s
    return this.setup.growing ? Math.min(4_000 * 2 ** (openings - 1), 30_000) : 10_000
  }

  private moveTo(status: ModelStatus) {
    this.status = status
    this.live.clear()
    this.probes.clear()
    this.consecutive = 0
    this.window = []
    this.transitions++
  }

  private open(now: number) {
    this.moveTo("Open")
    this.openings++
    this.openedAt = now
    this.until = now + this.duration(this.openings)
  }

  private close() {
    this.moveTo("Closed")
    this.openings = 0
  }

  tick(now: number) {
    if (this.status === "Open" && now >= this.until) this.moveTo("HalfOpen")
  }

  admit(id: number, now: number): Admission {
    this.tick(now)
    switch (this.status) {
      case "Closed":
        this.live.add(id)
        return { admitted: true }
      case "Open":
        return { admitted: false, state: "Open", retryAfter: this.until - now }
      case "Isolated":
        return { admitted: false, state: "Isolated" }
      case "HalfOpen":
        if (this.probes.size >= this.setup.probes) return { admitted: false, state: "HalfOpen" }
        this.live.add(id)
        this.probes.add(id)
        return { admitted: true }
    }
  }

  finish(id: number, outcome: Outcome | "interrupt", now: number) {
    if (!this.live.has(id)) return
    this.live.delete(id)
    this.probes.delete(id)
    if (outcome === "interrupt") return
    const failed = outcome === "failure"
    if (this.status === "HalfOpen") {
      if (failed) this.open(now)
      else this.close()
      return
    }
    // Closed
    const trip = this.setup.trip
    if (trip.mode === "consecutive") {
      this.consecutive = failed ? this.consecutive + 1 : 0
      if (this.consecutive >= trip.n) this.open(now)
    } else {
      this.window.push(failed)
      if (this.window.length > trip.size) this.window.shift()
      const failures = this.window.filter((f) => f).length
      if (
        this.window.length >= Math.min(trip.minimumCalls, trip.size) &&
        failures / this.window.length >= trip.threshold
      ) {
        this.open(now)
      }
    }
  }

  isolate() {
    if (this.status !== "Isolated") this.moveTo("Isolated")
  }

  reset() {
    if (this.status !== "Closed") this.transitions++
    this.status = "Closed"
    this.live.clear()
    this.probes.clear()
    this.consecutive = 0
    this.window = []
    this.openings = 0
  }

  view(): string {
    return this.status === "Open" ? `Open(${this.openedAt},${this.until})` : this.status
  }
}

// -----------------------------------------------------------------------------
// Driving the real breaker
// -----------------------------------------------------------------------------

const key = "model"

const errorFor = (outcome: Outcome): ClaudeError.ClaudeError | undefined => {
  switch (outcome) {
    case "success":
      return undefined
    case "failure":
      return new ClaudeError.ServiceUnavailableError({ message: "down", status: 503 })
    case "rateLimit":
      return new ClaudeError.RateLimitError({ message: "slow down", status: 429 })
    case "badRequest":
      return new ClaudeError.InvalidRequestError({ message: "bad", status: 400 })
  }
}

const respond = (outcome: Outcome) => {
  const error = errorFor(outcome)
  return error === undefined ? Effect.succeed(outcome) : Effect.fail(error)
}

const describeRejection = (e: unknown): Admission => {
  if (!(e instanceof ClaudeError.CircuitOpenError)) throw new Error(`unexpected error ${String(e)}`)
  return e.retryAfter === undefined
    ? { admitted: false, state: e.state }
    : { admitted: false, state: e.state, retryAfter: Duration.toMillis(e.retryAfter) }
}

const optionsFor = (setup: Setup): CircuitBreaker.Options => ({
  trip:
    setup.trip.mode === "consecutive"
      ? CircuitBreaker.consecutiveFailures(setup.trip.n)
      : CircuitBreaker.failureRate({
          threshold: setup.trip.threshold,
          minimumCalls: setup.trip.minimumCalls,
          calls: setup.trip.size
        }),
  halfOpenMaxProbes: setup.probes,
  openDuration: setup.growing ? Schedule.exponential("4 seconds") : "10 seconds",
  maxOpenDuration: "30 seconds"
})

/**
 * A hand-moved `Clock`. The breaker only reads the time and never sleeps, so this is all it
 * needs; `TestClock.adjust` yields to a real timer on every step, which made thousands of
 * steps take seconds.
 */
const manualClock = () => {
  let now = 0
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: () => Effect.dieMessage("the breaker must not sleep")
  }
  const advance = (millis: number) =>
    Effect.sync(() => {
      now += millis
    })
  return { clock, advance }
}

interface Pending {
  readonly id: number
  readonly gate: Deferred.Deferred<Outcome>
  readonly fiber: Fiber.RuntimeFiber<Either.Either<Outcome, unknown>>
}

const runScenario = (setup: Setup, ops: ReadonlyArray<Op>) => {
  const { advance, clock } = manualClock()
  return Effect.gen(function* () {
    const breaker = yield* CircuitBreaker.CircuitBreaker
    const events = yield* breaker.subscribe
    const model = new Model(setup)
    const now = clock.currentTimeMillis
    const pending: Array<Pending> = []
    let nextId = 0
    let transitions = 0

    for (const [step, op] of ops.entries()) {
      const where = `step ${step} ${JSON.stringify(op)}`
      switch (op._tag) {
        case "Call": {
          const id = nextId++
          const expected = model.admit(id, yield* now)
          const exit = yield* Effect.exit(breaker.execute(key, respond(op.outcome)))
          let actual: Admission = { admitted: true }
          if (Exit.isFailure(exit)) {
            const error = yield* Effect.flip(exit)
            if (error instanceof ClaudeError.CircuitOpenError) actual = describeRejection(error)
          }
          assert.deepStrictEqual(actual, expected, where)
          if (expected.admitted) model.finish(id, op.outcome, yield* now)
          break
        }
        case "Start": {
          const id = nextId++
          const expected = model.admit(id, yield* now)
          const gate = yield* Deferred.make<Outcome>()
          const started = yield* Deferred.make<void>()
          const fiber = yield* Effect.fork(
            Effect.either(
              breaker.execute(
                key,
                Effect.zipRight(Deferred.succeed(started, undefined), Effect.flatMap(Deferred.await(gate), respond))
              )
            )
          )
          const result = yield* Effect.raceFirst(
            Effect.as(Deferred.await(started), Either.right(true)),
            Effect.map(Fiber.join(fiber), Either.left)
          )
          const actual: Admission = Either.isRight(result)
            ? { admitted: true }
            : describeRejection(Either.getOrThrow(Either.flip(result.left)))
          assert.deepStrictEqual(actual, expected, where)
          if (expected.admitted) pending.push({ id, gate, fiber })
          break
        }
        case "Finish": {
          if (pending.length === 0) break
          const [call] = pending.splice(op.index % pending.length, 1)
          if (call === undefined) break
          if (op.outcome === "interrupt") {
            yield* Fiber.interrupt(call.fiber)
          } else {
            yield* Deferred.succeed(call.gate, op.outcome)
            yield* Fiber.await(call.fiber)
          }
          model.finish(call.id, op.outcome, yield* now)
          break
        }
        case "Advance":
          yield* advance(op.millis)
          break
        case "Isolate":
          yield* breaker.isolate(key)
          model.isolate()
          break
        case "Reset":
          yield* breaker.reset(key)
          model.reset()
          break
      }

      const state = yield* breaker.state(key)
      model.tick(yield* now)
      const actualView = state._tag === "Open" ? `Open(${state.openedAt},${state.until})` : state._tag
      assert.strictEqual(actualView, model.view(), where)
      transitions += Chunk.size(yield* Queue.takeAll(events))
      assert.strictEqual(transitions, model.transitions, `${where}: transitions`)
    }
    for (const call of pending) yield* Fiber.interrupt(call.fiber)
  }).pipe(Effect.scoped, Effect.provide(CircuitBreaker.layer(optionsFor(setup))), Effect.withClock(clock))
}

describe("CircuitBreaker model", () => {
  it.effect.prop(
    "admissions, state and transitions agree with the reference model",
    [setupArb, fc.array(opArb, { minLength: 1, maxLength: 50, size: "max" })],
    ([setup, ops]) => runScenario(setup, ops),
    { fastCheck: { numRuns: 100 } }
  )
})
