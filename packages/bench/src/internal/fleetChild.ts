/**
 * One client process of the fleet scenario (`Fleet.ts`), driven over IPC: says `{ ready: true }`
 * once loaded, then per `run` message builds the contender's caller against the given
 * FakeClaude, keeps `callers` callers busy until `durationMs` have passed, answers with what they
 * saw, and closes the caller. Exits on `exit` or when the parent goes away.
 */
import { FakeClaude } from "@claude-resilience/testing"
import { performance } from "node:perf_hooks"
import type * as Contender from "../Contender.js"
import * as Fleet from "../Fleet.js"
import * as Scenario from "../Scenario.js"

type Message =
  | ({ readonly type: "run"; readonly id: number } & Fleet.Run)
  | { readonly type: "exit"; readonly id: number }

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const drive = async (caller: Contender.Caller, run: Fleet.Run): Promise<Fleet.ProcessOutcome> => {
  const latencies: Array<number> = []
  const failures: Record<string, number> = {}
  const start = performance.now()
  const deadline = start + run.durationMs
  let next = 0
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++
      const prompt = `${Scenario.prompt(i)} (process ${run.process})`
      const expected = FakeClaude.completionText({ messages: [{ role: "user", content: prompt }] }, run.seed)
      const began = performance.now()
      try {
        const text = Scenario.isStream({ requests: 0, concurrency: 0, spacingMs: 0, streamShare: run.streamShare }, i)
          ? await caller.stream(prompt, () => {})
          : await caller.create(prompt)
        if (text === expected) latencies.push(performance.now() - began)
        else failures.WrongText = (failures.WrongText ?? 0) + 1
      } catch (error) {
        const tag = Fleet.tagOf(error)
        failures[tag] = (failures[tag] ?? 0) + 1
        // a caller that fails at once (a refused connection) must not spin
        await sleep(10)
      }
    }
  }
  await Promise.all(Array.from({ length: run.callers }, worker))
  return { ok: latencies.length, failures, latencies, wallMs: performance.now() - start }
}

process.on("message", (message: Message) => {
  if (message.type === "exit") process.exit(0)
  const caller = Fleet.caller(message)
  drive(caller, message)
    .then(
      async (value) => {
        await caller.close()
        process.send?.({ id: message.id, ok: true, value })
      },
      async (error: unknown) => {
        await caller.close()
        process.send?.({ id: message.id, ok: false, error: String(error) })
      }
    )
    .catch(() => process.exit(1))
})
process.on("disconnect", () => process.exit(0))
process.send?.({ ready: true })
