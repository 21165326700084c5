import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { Effect, Either, Exit, ManagedRuntime } from "effect"
import { bench, describe } from "vitest"

const key = "claude-sonnet-5-5"
const overloaded = new ClaudeError.OverloadedError({ message: "Overloaded", status: 529 })

const runtime = ManagedRuntime.make(
  CircuitBreaker.layer({ trip: CircuitBreaker.consecutiveFailures(1), openDuration: "1 hour" })
)
const breaker = runtime.runSync(CircuitBreaker.CircuitBreaker)
const batch = 1_000

// Each iteration runs `batch` calls in one Effect so the numbers are per 1,000 calls,
// without the fixed cost of starting a fiber per call.
const closed = Effect.repeatN(breaker.execute("closed", Effect.void), batch - 1)
const baseline = Effect.repeatN(Effect.void, batch - 1)
const rejected = Effect.repeatN(Effect.either(breaker.execute(key, Effect.void)), batch - 1)

runtime.runSync(Effect.either(breaker.execute(key, Effect.fail(overloaded))))
if (Either.isRight(runtime.runSync(Effect.either(breaker.execute(key, Effect.void))))) {
  throw new Error("the circuit should be open")
}

describe("CircuitBreaker (per 1,000 calls)", () => {
  bench("baseline: Effect.void without a breaker", () => {
    Exit.getOrElse(runtime.runSyncExit(baseline), () => undefined)
  })
  bench("closed: execute succeeds", () => {
    Exit.getOrElse(runtime.runSyncExit(closed), () => undefined)
  })
  bench("open: execute is rejected with CircuitOpenError", () => {
    Exit.getOrElse(runtime.runSyncExit(rejected), () => undefined)
  })
})
