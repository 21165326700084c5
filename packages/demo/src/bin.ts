#!/usr/bin/env node
/**
 * `pnpm demo`: the chaos drill. Runs {@link Cli.main} and exits with its code.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"

Cli.main(process.argv).pipe(
  Effect.flatMap((code) =>
    Effect.sync(() => {
      // Set, not process.exit: stdout (a big --json document into a pipe) must drain first.
      process.exitCode = code
    })
  ),
  Effect.provide(NodeContext.layer),
  // Cli.main installs its own stderr logger; runMain must not put its stdout one back.
  (effect) => NodeRuntime.runMain(effect, { disablePrettyLogger: true })
)
