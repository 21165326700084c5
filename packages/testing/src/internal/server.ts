/**
 * The FakeClaude server: its state, a `node:http` server on 127.0.0.1 serving the router, and the
 * service a test drives it with.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Options, Service } from "../FakeClaude.js"
import * as NodeHttp from "./nodeHttp.js"
import * as RequestRecord from "./record.js"
import * as Router from "./router.js"
import * as State from "./state.js"

/** @internal */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const state = yield* State.make(options)
    const { port } = yield* NodeHttp.serve(Router.make(state), { port: state.config.port, host: "127.0.0.1" })

    const service: Service = {
      url: `http://127.0.0.1:${port}`,
      port,
      apiKey: state.config.apiKey,
      seed: state.config.seed,
      enqueue: (...faults) =>
        Effect.sync(() => {
          state.faults = [...state.faults, ...faults]
        }),
      pendingFaults: Effect.sync(() => [...state.faults]),
      reply: (...replies) =>
        Effect.sync(() => {
          state.replies = [...state.replies, ...replies]
        }),
      pendingReplies: Effect.sync(() => [...state.replies]),
      setChaos: (profile) =>
        Effect.sync(() => {
          state.chaos = profile
        }),
      setModelOutage: (model, outage) =>
        Effect.sync(() => {
          if (outage === false) state.modelOutages.delete(model)
          else state.modelOutages.set(model, outage === true ? {} : outage)
        }),
      modelOutages: Effect.sync(() => new Map(state.modelOutages)),
      requests: Effect.sync(() => RequestRecord.snapshot(state.records)),
      stats: Effect.sync(() => RequestRecord.stats(state.records)),
      reset: Effect.sync(() => State.reset(state))
    }
    return service
  })
