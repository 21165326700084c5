/**
 * ModelCatalog and the generic `Claude.request`, with the real SDK over HTTP against FakeClaude.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { Claude, ModelCatalog } from "@claude-resilience/client"
import { FakeClaude, Fault } from "@claude-resilience/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger, LogLevel, Tracer } from "effect"
import { calls, withFake } from "./fake.js"

/** Runs `self` with its log lines collected. */
const withLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => {
      lines.push(JSON.stringify({ message, annotations: Object.fromEntries(annotations) }))
    })
    const exit = yield* Effect.exit(
      self.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Info))
    )
    return { exit, lines }
  })

describe("ModelCatalog", () => {
  it.live("lists the served models, retrying a 500", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      yield* fake.enqueue(Fault.status(500))
      const ids = (yield* ModelCatalog.list()).map((m) => m.id)
      expect(ids).toContain("claude-sonnet-4-6")
      expect(yield* calls).toEqual(["GET /v1/models", "GET /v1/models"])
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("checks a model: its information, or ModelNotServedError with suggestions", () =>
    Effect.gen(function* () {
      expect((yield* ModelCatalog.check("claude-haiku-4-5")).id).toBe("claude-haiku-4-5")
      const missing = yield* Effect.flip(ModelCatalog.check("claude-haiku-4-55"))
      expect(missing._tag).toBe("ModelNotServedError")
      if (missing._tag === "ModelNotServedError") expect(missing.suggestions).toContain("claude-haiku-4-5")
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("warns about a deprecated model", () =>
    Effect.gen(function* () {
      const { exit, lines } = yield* withLogs(ModelCatalog.check("claude-opus-4-5"))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(lines.join("\n")).toContain('"lifecycle":"deprecated"')
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("layerCheck fails the layer for a model not served, or warns and builds", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const build = (onMissing: "fail" | "warn") =>
        Effect.scoped(Layer.build(ModelCatalog.layerCheck(["claude-sonnet-4-6", "claude-nope-7"], { onMissing }))).pipe(
          Effect.provideService(Claude.Claude, claude)
        )
      const failed = yield* Effect.exit(build("fail"))
      expect(Exit.isFailure(failed)).toBe(true)
      const { exit, lines } = yield* withLogs(build("warn"))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(lines.join("\n")).toContain('"error_tag":"ModelNotServedError"')
      expect((yield* fake.requests).every((r) => r.path.startsWith("/v1/models/"))).toBe(true)
    }).pipe(Effect.provide(withFake({})))
  )
})

describe("Claude.request", () => {
  it.live("runs any SDK call with retries, in a span named for the operation", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      const base = yield* Effect.tracer
      const names: Array<string> = []
      const tracer = Tracer.make({
        span: (...args) => {
          names.push(args[0])
          return base.span(...args)
        },
        context: base.context
      })
      yield* fake.enqueue(Fault.status(529))
      const page = yield* claude
        .request("models.list", (sdk, options) => sdk.models.list({ limit: 1 }, options))
        .pipe(Effect.withTracer(tracer))
      expect(page.data).toHaveLength(1)
      expect(names.filter((n) => n === "claude.models.list")).toHaveLength(1)
      expect(names.filter((n) => n === "claude.attempt")).toHaveLength(2)
    }).pipe(Effect.provide(withFake({})))
  )

  it.live("counts a request in the circuit of its resource, not the models' Messages circuits", () =>
    Effect.gen(function* () {
      const fake = yield* FakeClaude.FakeClaude
      const claude = yield* Claude.Claude
      yield* fake.enqueue(Fault.status(500))
      yield* Effect.flip(
        claude.request("models.list", (sdk, options) => sdk.models.list({}, options), { retry: false })
      )
      expect((yield* CircuitBreaker.state("models"))._tag).toBe("Open")
      expect((yield* CircuitBreaker.state("claude-sonnet-4-6"))._tag).toBe("Closed")
    }).pipe(Effect.provide(withFake({}, { trip: CircuitBreaker.consecutiveFailures(1) })))
  )

  it.live("does not retry what is not retryable", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const error = yield* Effect.flip(
        claude.request("models.retrieve", (sdk, options) => sdk.models.retrieve("claude-nope-1", {}, options))
      )
      expect(error._tag).toBe("NotFoundError")
      expect(yield* calls).toEqual(["GET /v1/models/claude-nope-1"])
    }).pipe(Effect.provide(withFake({})))
  )
})
