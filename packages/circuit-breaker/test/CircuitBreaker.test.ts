import { CircuitBreaker, CircuitBreakerStore } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { MAX_METRIC_KEYS, OTHER_KEY } from "../src/internal/breaker.js"
import { assert, describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Deferred,
  Duration,
  Effect,
  Either,
  Fiber,
  Layer,
  Logger,
  Metric,
  Queue,
  Ref,
  Schedule,
  Schema,
  Stream,
  TestClock
} from "effect"

const key = "claude-sonnet-5-5"
const overloaded = new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })
const failing = Effect.fail(overloaded)
const ok = Effect.succeed("ok")

/** Runs `f` with a fresh breaker built from `options`. */
const withBreaker = <A, E>(
  options: CircuitBreaker.Options,
  f: (breaker: CircuitBreaker.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.flatMap(CircuitBreaker.CircuitBreaker, f).pipe(Effect.provide(CircuitBreaker.layer(options)))

const failTimes = (breaker: CircuitBreaker.Service, n: number, k = key) =>
  Effect.repeatN(Effect.either(breaker.execute(k, failing)), n - 1)

const rejection = <A, E, R>(effect: Effect.Effect<A, E | ClaudeError.CircuitOpenError, R>) =>
  Effect.flatMap(Effect.flip(effect), (e) =>
    e instanceof ClaudeError.CircuitOpenError ? Effect.succeed(e) : Effect.dieMessage(`expected CircuitOpenError`)
  )

/** Starts a call that holds until `gate` completes; returns once it is running (or was rejected). */
const hold = (breaker: CircuitBreaker.Service, gate: Deferred.Deferred<void>, k = key) =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    const fiber = yield* Effect.fork(
      breaker.execute(k, Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate)))
    )
    const admitted = yield* Effect.raceFirst(
      Effect.as(Deferred.await(started), true),
      Effect.as(Fiber.await(fiber), false)
    )
    return { fiber, admitted }
  })

describe("CircuitBreaker", () => {
  it.effect("passes results and errors through while closed", () =>
    withBreaker({}, (breaker) =>
      Effect.gen(function* () {
        assert.strictEqual(yield* breaker.execute(key, ok), "ok")
        const error = yield* Effect.flip(breaker.execute(key, failing))
        assert.strictEqual(error, overloaded)
        assert.deepStrictEqual(yield* breaker.state(key), CircuitBreaker.State.Closed())
      })
    )
  )

  it.effect("opens after 5 consecutive server failures (default) and rejects without running", () =>
    withBreaker({}, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 4)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        yield* failTimes(breaker, 1)
        expect(yield* breaker.state(key)).toEqual(CircuitBreaker.State.Open({ openedAt: 0, until: 60_000 }))

        const ran = yield* Ref.make(0)
        const error = yield* rejection(
          breaker.execute(
            key,
            Ref.update(ran, (n) => n + 1)
          )
        )
        assert.strictEqual(yield* Ref.get(ran), 0)
        assert.strictEqual(error.state, "Open")
        assert.strictEqual(error.key, key)
        assert.deepStrictEqual(error.retryAfter, Duration.millis(60_000))

        yield* TestClock.adjust("30 seconds")
        const later = yield* rejection(breaker.execute(key, ok))
        assert.deepStrictEqual(later.retryAfter, Duration.millis(30_000))
      })
    )
  )

  it.effect("a rejection is a full CircuitOpenError: brand, fields, message, encoding", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "90 seconds" }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        const open = yield* rejection(breaker.execute(key, ok))
        assert.isTrue(ClaudeError.isClaudeError(open))
        assert.strictEqual(open._tag, "CircuitOpenError")
        assert.strictEqual(open.message, `circuit ${key} is open; next probe in 1m 30s`)
        assert.strictEqual(open.message, `circuit ${key} is open; next probe in 1m 30s`) // read twice
        assert.include(String(open), `CircuitOpenError (${key} Open, retry after 1m 30s)`)
        // encodes as the same error built by its constructor would
        const encode = Schema.encodeSync(ClaudeError.CircuitOpenError)
        const built = new ClaudeError.CircuitOpenError({
          message: `circuit ${key} is open; next probe in 1m 30s`,
          key,
          state: "Open",
          retryAfter: Duration.millis(90_000)
        })
        assert.deepStrictEqual(encode(open), encode(built))
        assert.strictEqual(encode(open).message, built.message)
        // each rejection carries its own wait
        yield* TestClock.adjust("30 seconds")
        const later = yield* rejection(breaker.execute(key, ok))
        assert.strictEqual(later.message, `circuit ${key} is open; next probe in 1m`)
        assert.strictEqual(open.message, `circuit ${key} is open; next probe in 1m 30s`)
        later.message = "replaced"
        assert.strictEqual(later.message, "replaced")

        yield* breaker.isolate(key)
        const isolated = yield* rejection(breaker.execute(key, ok))
        assert.strictEqual(isolated.message, `circuit ${key} is isolated until reset`)
        assert.isFalse("retryAfter" in isolated)
      })
    )
  )

  it.effect("the transition a failure makes is announced before its caller sees the failure", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(2) }, (breaker) =>
      Effect.scoped(
        Effect.gen(function* () {
          const subscription = yield* breaker.subscribe
          yield* failTimes(breaker, 1)
          assert.strictEqual(yield* Queue.size(subscription), 0)
          yield* failTimes(breaker, 1)
          const [transition] = yield* Queue.takeAll(subscription)
          assert.strictEqual(`${transition?.from._tag}>${transition?.to._tag}`, "Closed>Open")
        })
      )
    )
  )

  it.effect("a success resets the consecutive failure count", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(3) }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 2)
        yield* breaker.execute(key, ok)
        yield* failTimes(breaker, 2)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Open")
      })
    )
  )

  it.effect("half-opens when the open duration elapses; a probe success closes", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(2), openDuration: "10 seconds" }, (breaker) =>
      Effect.gen(function* () {
        const events = yield* breaker.subscribe
        yield* failTimes(breaker, 2)
        yield* TestClock.adjust("9999 millis")
        assert.strictEqual((yield* breaker.state(key))._tag, "Open")
        yield* TestClock.adjust("1 millis")
        assert.strictEqual((yield* breaker.state(key))._tag, "HalfOpen")
        assert.strictEqual(yield* breaker.execute(key, ok), "ok")
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")

        const transitions = Chunk.toReadonlyArray(yield* Queue.takeAll(events))
        expect(transitions).toEqual([
          {
            key,
            from: CircuitBreaker.State.Closed(),
            to: CircuitBreaker.State.Open({ openedAt: 0, until: 10_000 }),
            at: 0,
            reason: "ConsecutiveFailures"
          },
          {
            key,
            from: CircuitBreaker.State.Open({ openedAt: 0, until: 10_000 }),
            to: CircuitBreaker.State.HalfOpen(),
            at: 10_000,
            reason: "OpenDurationElapsed"
          },
          {
            key,
            from: CircuitBreaker.State.HalfOpen(),
            to: CircuitBreaker.State.Closed(),
            at: 10_000,
            reason: "ProbeSucceeded"
          }
        ])
      }).pipe(Effect.scoped)
    )
  )

  it.effect("a call after the open duration is the probe (no state read needed)", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 second" }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("1 second")
        const ran = yield* Ref.make(0)
        yield* breaker.execute(
          key,
          Ref.update(ran, (n) => n + 1)
        )
        assert.strictEqual(yield* Ref.get(ran), 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("a probe failure reopens for another open duration", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "5 seconds" }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("7 seconds")
        const events = yield* breaker.subscribe
        yield* Effect.either(breaker.execute(key, failing))
        expect(yield* breaker.state(key)).toEqual(CircuitBreaker.State.Open({ openedAt: 7_000, until: 12_000 }))
        const reasons = Chunk.toReadonlyArray(yield* Queue.takeAll(events)).map((t) => t.reason)
        assert.deepStrictEqual(reasons, ["OpenDurationElapsed", "ProbeFailed"])
      }).pipe(Effect.scoped)
    )
  )

  it.effect("a Schedule grows the open duration per consecutive opening, capped, and resets on close", () =>
    withBreaker(
      {
        trip: CircuitBreaker.consecutiveFailures(1),
        openDuration: Schedule.exponential("10 seconds"),
        maxOpenDuration: "30 seconds"
      },
      (breaker) =>
        Effect.gen(function* () {
          const openFor = Effect.map(breaker.state(key), (s) => (s._tag === "Open" ? s.until - s.openedAt : -1))
          yield* failTimes(breaker, 1)
          const durations: Array<number> = [yield* openFor]
          for (let i = 0; i < 3; i++) {
            yield* TestClock.adjust(Duration.millis(durations[durations.length - 1]!))
            yield* Effect.either(breaker.execute(key, failing))
            durations.push(yield* openFor)
          }
          assert.deepStrictEqual(durations, [10_000, 20_000, 30_000, 30_000])
          yield* TestClock.adjust("30 seconds")
          yield* breaker.execute(key, ok)
          yield* failTimes(breaker, 1)
          assert.strictEqual(yield* openFor, 10_000)
        })
    )
  )

  it.effect("half-open admits at most K probes at once; the others are rejected as HalfOpen", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), halfOpenMaxProbes: 2 }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("60 seconds")
        const gate = yield* Deferred.make<void>()
        const first = yield* hold(breaker, gate)
        const second = yield* hold(breaker, gate)
        assert.isTrue(first.admitted && second.admitted)
        const third = yield* rejection(breaker.execute(key, ok))
        assert.strictEqual(third.state, "HalfOpen")
        assert.isUndefined(third.retryAfter)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(first.fiber)
        yield* Fiber.join(second.fiber)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("an interrupted probe frees its slot and records no outcome", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1) }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("60 seconds")
        const never = yield* Deferred.make<void>()
        const probe = yield* hold(breaker, never)
        assert.isTrue(probe.admitted)
        assert.strictEqual((yield* rejection(breaker.execute(key, ok))).state, "HalfOpen")
        yield* Fiber.interrupt(probe.fiber)
        assert.strictEqual((yield* breaker.state(key))._tag, "HalfOpen")
        assert.strictEqual(yield* breaker.execute(key, ok), "ok")
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("interruption is ignored while closed", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(2) }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        const never = yield* Deferred.make<void>()
        const interrupted = yield* hold(breaker, never)
        assert.isTrue(interrupted.admitted)
        yield* Fiber.interrupt(interrupted.fiber)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Open")
      })
    )
  )

  it.effect("429 does not trip by default and counts as a success; 4xx never trip", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(2) }, (breaker) =>
      Effect.gen(function* () {
        const rateLimited = Effect.fail(new ClaudeError.RateLimitError({ message: "slow down", status: 429 }))
        const badRequest = Effect.fail(new ClaudeError.InvalidRequestError({ message: "bad", status: 400 }))
        for (let i = 0; i < 10; i++) yield* Effect.either(breaker.execute(key, rateLimited))
        for (let i = 0; i < 10; i++) yield* Effect.either(breaker.execute(key, badRequest))
        yield* failTimes(breaker, 1)
        yield* Effect.either(breaker.execute(key, rateLimited))
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("429 trips with serverFailures({ rateLimits: true })", () =>
    withBreaker(
      {
        trip: CircuitBreaker.consecutiveFailures(2),
        isFailure: CircuitBreaker.serverFailures({ rateLimits: true })
      },
      (breaker) =>
        Effect.gen(function* () {
          const rateLimited = Effect.fail(new ClaudeError.RateLimitError({ message: "slow down", status: 429 }))
          yield* Effect.either(breaker.execute(key, rateLimited))
          yield* Effect.either(breaker.execute(key, rateLimited))
          assert.strictEqual((yield* breaker.state(key))._tag, "Open")
        })
    )
  )

  it.effect("the default classifier counts 5xx, 529, connection and timeout failures only", () =>
    Effect.sync(() => {
      const classify = CircuitBreaker.serverFailures()
      const fails = (e: unknown) => classify({ _tag: "Failure", cause: { _tag: "Fail", error: e } } as never)
      const counted = [
        new ClaudeError.ApiError({ message: "x", status: 500 }),
        new ClaudeError.BadGatewayError({ message: "x", status: 502 }),
        new ClaudeError.ServiceUnavailableError({ message: "x", status: 503 }),
        new ClaudeError.GatewayTimeoutError({ message: "x", status: 504 }),
        overloaded,
        new ClaudeError.ConnectionError({ message: "reset", reason: "reset" }),
        new ClaudeError.TimeoutError({ message: "slow" })
      ]
      const ignored = [
        new ClaudeError.RateLimitError({ message: "x", status: 429 }),
        new ClaudeError.AuthenticationError({ message: "x", status: 401 }),
        new ClaudeError.NotFoundError({ message: "x", status: 404 }),
        new ClaudeError.ConnectionError({ message: "aborted", reason: "aborted" }),
        new ClaudeError.CircuitOpenError({ message: "x", key, state: "Open" }),
        new Error("not a ClaudeError")
      ]
      for (const e of counted) assert.isTrue(fails(e), e._tag)
      for (const e of ignored) assert.isFalse(fails(e), String(e))
    })
  )

  it.effect("isolate holds the circuit open until reset; reset closes and forgets", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(2) }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* breaker.isolate(key)
        const error = yield* rejection(breaker.execute(key, ok))
        assert.strictEqual(error.state, "Isolated")
        assert.isUndefined(error.retryAfter)
        yield* TestClock.adjust("1 hour")
        assert.strictEqual((yield* breaker.state(key))._tag, "Isolated")
        yield* breaker.reset(key)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        // the failure before isolation was forgotten
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        // reset also closes an open circuit at once
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Open")
        yield* breaker.reset(key)
        assert.strictEqual(yield* breaker.execute(key, ok), "ok")
      })
    )
  )

  it.effect("circuits are keyed: one open model does not stop another", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1) }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1, "claude-opus-5-5")
        assert.strictEqual((yield* rejection(breaker.execute("claude-opus-5-5", ok))).key, "claude-opus-5-5")
        assert.strictEqual(yield* breaker.execute("claude-haiku-4-5", ok), "ok")
        const states = yield* breaker.states
        assert.strictEqual(states.get("claude-opus-5-5")?._tag, "Open")
        assert.strictEqual(states.get("claude-haiku-4-5")?._tag, "Closed")
        assert.strictEqual(states.size, 2)
      })
    )
  )

  it.effect("an outcome of a call admitted before a transition is ignored", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 second" }, (breaker) =>
      Effect.gen(function* () {
        const slowGate = yield* Deferred.make<void>()
        const slow = yield* Effect.fork(
          breaker.execute(key, Effect.zipRight(Deferred.await(slowGate), failing)).pipe(Effect.either)
        )
        yield* Effect.yieldNow()
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("1 second")
        const probeGate = yield* Deferred.make<void>()
        const probe = yield* hold(breaker, probeGate)
        assert.isTrue(probe.admitted)
        // the slow call, admitted while closed, fails now: it is no probe and must not reopen
        yield* Deferred.succeed(slowGate, undefined)
        assert.isTrue(Either.isLeft(yield* Fiber.join(slow)))
        assert.strictEqual((yield* breaker.state(key))._tag, "HalfOpen")
        yield* Deferred.succeed(probeGate, undefined)
        yield* Fiber.join(probe.fiber)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("failure rate over a count window trips once minimumCalls is reached", () =>
    withBreaker({ trip: CircuitBreaker.failureRate({ threshold: 0.5, minimumCalls: 4, calls: 6 }) }, (breaker) =>
      Effect.gen(function* () {
        const outcome = (fail: boolean) => Effect.either(breaker.execute(key, fail ? failing : ok))
        const status = Effect.map(breaker.state(key), (s) => s._tag)
        // F F F: rate 1 but only 3 calls
        for (let i = 0; i < 3; i++) yield* outcome(true)
        assert.strictEqual(yield* status, "Closed")
        // a success makes 4 calls at 3/4: trips
        yield* outcome(false)
        assert.strictEqual(yield* status, "Open")
        yield* breaker.reset(key)
        // S S S S F F: 2/6 below 0.5; then S F S F slides to F F S F S F... 4/6
        for (const f of [false, false, false, false, true, true]) yield* outcome(f)
        assert.strictEqual(yield* status, "Closed")
        yield* outcome(true) // window S S S F F F = 3/6
        assert.strictEqual(yield* status, "Open")
      })
    )
  )

  it.effect("failure rate over a time window forgets outcomes older than the window", () =>
    withBreaker(
      { trip: CircuitBreaker.failureRate({ threshold: 0.5, minimumCalls: 3, duration: "10 seconds", buckets: 10 }) },
      (breaker) =>
        Effect.gen(function* () {
          const outcome = (fail: boolean) => Effect.either(breaker.execute(key, fail ? failing : ok))
          const status = Effect.map(breaker.state(key), (s) => s._tag)
          yield* outcome(true)
          yield* outcome(true)
          yield* TestClock.adjust("10 seconds")
          // the two failures left the window: one failure and 2 successes are 1/3
          yield* outcome(true)
          yield* outcome(false)
          yield* outcome(false)
          assert.strictEqual(yield* status, "Closed")
          yield* TestClock.adjust("5 seconds")
          yield* outcome(true) // 2/4
          assert.strictEqual(yield* status, "Open")
        })
    )
  )

  it.effect("withCircuit works data-first and data-last", () =>
    Effect.gen(function* () {
      yield* CircuitBreaker.withCircuit(failing, key).pipe(Effect.either)
      yield* failing.pipe(CircuitBreaker.withCircuit(key), Effect.either)
      assert.strictEqual((yield* CircuitBreaker.state(key))._tag, "Open")
      yield* CircuitBreaker.reset(key)
      assert.strictEqual(yield* CircuitBreaker.withCircuit(ok, key), "ok")
      yield* CircuitBreaker.isolate(key)
      assert.strictEqual((yield* rejection(ok.pipe(CircuitBreaker.withCircuit(key)))).state, "Isolated")
    }).pipe(Effect.provide(CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(2) })))
  )

  it.effect("keeps its metric labels bounded however many circuits it sees", () =>
    Effect.gen(function* () {
      const many = MAX_METRIC_KEYS + 20
      yield* withBreaker({ trip: CircuitBreaker.consecutiveFailures(1) }, (breaker) =>
        Effect.forEach(
          Array.from({ length: many }, (_, i) => `bounded-${i}`),
          (k) => Effect.zipRight(breaker.isolate(k), Effect.either(breaker.execute(k, ok))),
          { discard: true }
        )
      ).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      const labels = new Set<string>()
      for (const pair of yield* Metric.snapshot) {
        if (!pair.metricKey.name.startsWith("claude_circuit_")) continue
        for (const tag of pair.metricKey.tags)
          if (tag.key === "key" && tag.value.startsWith("bounded-")) labels.add(tag.value)
      }
      assert.strictEqual(labels.size, MAX_METRIC_KEYS)
      assert.isFalse(labels.has(`bounded-${many - 1}`))
      const other = yield* Metric.value(
        Metric.tagged(Metric.tagged(CircuitBreaker.metrics.rejections, "key", OTHER_KEY), "state", "Isolated")
      )
      assert.strictEqual(other.count, many - MAX_METRIC_KEYS)
    })
  )

  it.effect("reports metrics and a log line per transition", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => {
        logs.push(Array.isArray(message) ? message.join(" ") : String(message))
      })
      const metricKey = "metrics-test-model"
      yield* withBreaker({ trip: CircuitBreaker.consecutiveFailures(1) }, (breaker) =>
        Effect.gen(function* () {
          yield* failTimes(breaker, 1, metricKey)
          yield* Effect.either(breaker.execute(metricKey, ok))
          yield* Effect.either(breaker.execute(metricKey, ok))
        })
      ).pipe(Effect.provide(Logger.add(logger)))
      const rejected = yield* Metric.value(
        Metric.tagged(Metric.tagged(CircuitBreaker.metrics.rejections, "key", metricKey), "state", "Open")
      )
      assert.strictEqual(rejected.count, 2)
      const gauge = yield* Metric.value(Metric.tagged(CircuitBreaker.metrics.state, "key", metricKey))
      assert.strictEqual(gauge.value, 1)
      const transitions = yield* Metric.value(
        Metric.tagged(
          Metric.tagged(Metric.tagged(CircuitBreaker.metrics.transitions, "key", metricKey), "from", "Closed"),
          "to",
          "Open"
        )
      )
      assert.strictEqual(transitions.count, 1)
      assert.deepStrictEqual(logs, [`circuit ${metricKey}: Closed -> Open (ConsecutiveFailures)`])
    })
  )

  it.effect("the transitions stream delivers every change", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 second" }, (breaker) =>
      Effect.gen(function* () {
        const collector = yield* Effect.fork(breaker.transitions.pipe(Stream.take(4), Stream.runCollect))
        yield* Effect.repeatN(Effect.yieldNow(), 5) // let the stream subscribe
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("1 second")
        yield* breaker.execute(key, ok)
        yield* breaker.isolate(key)
        const seen = Chunk.toReadonlyArray(yield* Fiber.join(collector))
        assert.deepStrictEqual(
          seen.map((t) => `${t.from._tag}>${t.to._tag}:${t.reason}@${t.at}`),
          [
            "Closed>Open:ConsecutiveFailures@0",
            "Open>HalfOpen:OpenDurationElapsed@1000",
            "HalfOpen>Closed:ProbeSucceeded@1000",
            "Closed>Isolated:Isolated@1000"
          ]
        )
      })
    )
  )

  it.effect("1,000 failures from concurrent fibers are all counted (no lost updates)", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1_000) }, (breaker) =>
      Effect.gen(function* () {
        yield* Effect.forEach(Array.from({ length: 999 }), () => Effect.either(breaker.execute(key, failing)), {
          concurrency: "unbounded",
          discard: true
        })
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
        yield* failTimes(breaker, 1)
        assert.strictEqual((yield* breaker.state(key))._tag, "Open")
      })
    )
  )

  it.effect("1,000 concurrent fibers through a half-open circuit admit exactly K probes", () =>
    withBreaker({ trip: CircuitBreaker.consecutiveFailures(1), halfOpenMaxProbes: 3 }, (breaker) =>
      Effect.gen(function* () {
        yield* failTimes(breaker, 1)
        yield* TestClock.adjust("60 seconds")
        const gate = yield* Deferred.make<void>()
        const ran = yield* Ref.make(0)
        const fibers = yield* Effect.forEach(
          Array.from({ length: 1_000 }),
          () =>
            Effect.fork(
              Effect.either(
                breaker.execute(
                  key,
                  Effect.zipRight(
                    Ref.update(ran, (n) => n + 1),
                    Deferred.await(gate)
                  )
                )
              )
            ),
          { concurrency: "unbounded" }
        )
        // let every fiber reach the breaker
        yield* Effect.repeatN(Effect.yieldNow(), 10)
        assert.strictEqual(yield* Ref.get(ran), 3)
        yield* Deferred.succeed(gate, undefined)
        const results = yield* Fiber.joinAll(fibers)
        const rejected = results.filter(
          (r) => Either.isLeft(r) && r.left instanceof ClaudeError.CircuitOpenError && r.left.state === "HalfOpen"
        )
        assert.strictEqual(rejected.length, 997)
        assert.strictEqual(results.filter(Either.isRight).length, 3)
        assert.strictEqual((yield* breaker.state(key))._tag, "Closed")
      })
    )
  )

  it.effect("a store can be provided separately and its entries encode as JSON", () =>
    Effect.gen(function* () {
      const store = yield* CircuitBreakerStore.makeMemory
      const breaker = yield* CircuitBreaker.make({ trip: CircuitBreaker.consecutiveFailures(1) }).pipe(
        Effect.provideService(CircuitBreakerStore.CircuitBreakerStore, store)
      )
      yield* failTimes(breaker, 1)
      const entry = yield* store.modify(key, (e) => [e, e] as const)
      const json = Schema.encodeSync(Schema.parseJson(CircuitBreakerStore.Entry))(entry)
      const decoded = Schema.decodeSync(Schema.parseJson(CircuitBreakerStore.Entry))(json)
      assert.deepStrictEqual(decoded, entry)
      assert.strictEqual(decoded.status, "Open")
      assert.deepStrictEqual(yield* store.keys, [key])
      assert.strictEqual(CircuitBreakerStore.initialEntry.status, "Closed")
    }).pipe(Effect.scoped)
  )

  it.effect("layerWithoutStore + CircuitBreakerStore.layerMemory behaves like layer", () =>
    Effect.gen(function* () {
      yield* failTimes(yield* CircuitBreaker.CircuitBreaker, 1)
      assert.strictEqual((yield* CircuitBreaker.state(key))._tag, "Open")
    }).pipe(
      Effect.provide(
        CircuitBreaker.layerWithoutStore({ trip: CircuitBreaker.consecutiveFailures(1) }).pipe(
          Layer.provide(CircuitBreakerStore.layerMemory)
        )
      )
    )
  )
})
