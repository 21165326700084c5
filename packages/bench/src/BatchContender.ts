/**
 * The two contenders of the `batch` scenario: the plain SDK's batches calls in a straightforward loop
 * (create, poll, read the results; no re-submission; the SDK's own 2 retries per call), and
 * claude-resilience's `Batches.run` over the bench's client layer.
 *
 * @since 0.1.0
 */
import Anthropic from "@anthropic-ai/sdk"
import { Batches, BatchOutcome } from "@claude-resilience/batches"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as BatchScenario from "./BatchScenario.js"
import { toolkitLayer } from "./Contender.js"

/**
 * @since 0.1.0
 * @category Models
 */
export type Name = "sdk" | "toolkit"

/**
 * @since 0.1.0
 * @category Models
 */
export const names: ReadonlyArray<Name> = ["sdk", "toolkit"]

/**
 * @since 0.1.0
 * @category Models
 */
export const labels: Readonly<Record<Name, string>> = {
  sdk: "plain SDK loop (2 retries per call)",
  toolkit: "claude-resilience `Batches.run`"
}

/**
 * What a contender ended with.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Output {
  /** the final outcome of each `custom_id` that got one */
  readonly outcomes: ReadonlyMap<string, BatchOutcome.BatchOutcome["_tag"]>
  /** items whose first result was re-runnable (expired, or errored with a retryable error) */
  readonly retryableFirst: number
  /** item submissions after the first round */
  readonly rerun: number
  /** items whose final outcome is still re-runnable */
  readonly retryableLeft: number
  /** what stopped the run early, if anything */
  readonly stoppedBy: string | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Target {
  readonly url: string
  readonly apiKey: string
  readonly pollMs: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const nameOf = (error: unknown): string =>
  error instanceof Error ? (error.constructor.name === "Error" ? error.name : error.constructor.name) : "Unknown"

/**
 * The plain SDK: one batch (2,000 < 100,000), polled every `pollMs`, its results read once.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const sdk = async (target: Target, requests: ReadonlyArray<Batches.BatchRequest>): Promise<Output> => {
  const client = new Anthropic({ apiKey: target.apiKey, baseURL: target.url, logLevel: "off" })
  const outcomes = new Map<string, BatchOutcome.BatchOutcome["_tag"]>()
  let retryableFirst = 0
  let stoppedBy: string | undefined
  try {
    const batch = await client.messages.batches.create({ requests: [...requests] })
    while ((await client.messages.batches.retrieve(batch.id)).processing_status !== "ended") {
      await sleep(target.pollMs)
    }
    for await (const line of await client.messages.batches.results(batch.id)) {
      const outcome = BatchOutcome.fromResponse(line, batch.id, Date.now())
      outcomes.set(line.custom_id, outcome._tag)
      if (BatchOutcome.isResubmittable(outcome)) retryableFirst++
    }
  } catch (error) {
    stoppedBy = nameOf(error)
  }
  return { outcomes, retryableFirst, rerun: 0, retryableLeft: retryableFirst, stoppedBy }
}

/**
 * claude-resilience: `Batches.run` with the bench's retry policy and breaker, the default poll
 * schedule from `pollMs` (its waits grow toward the expected 30 min of server time, half a second
 * real), and up to 2 follow-up rounds.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const toolkit = async (target: Target, requests: ReadonlyArray<Batches.BatchRequest>): Promise<Output> => {
  const runtime = ManagedRuntime.make(
    Layer.merge(toolkitLayer(target), Logger.replace(Logger.defaultLogger, Logger.none))
  )
  try {
    const exit = await runtime.runPromiseExit(
      Batches.run(requests, {
        pollSchedule: Batches.pollSchedule({
          pollInterval: `${target.pollMs} millis`,
          expectedProcessingTime: "5 seconds",
          maxWait: "2 minutes"
        })
      })
    )
    if (exit._tag === "Failure") {
      return { outcomes: new Map(), retryableFirst: 0, rerun: 0, retryableLeft: 0, stoppedBy: "BatchError" }
    }
    const summary = exit.value
    const [first, ...later] = summary.rounds
    return {
      outcomes: new Map(summary.outcomes.map((o) => [o.customId, o._tag])),
      retryableFirst: first?.resubmitted ?? 0,
      rerun: later.reduce((n, round) => n + round.submitted.length, 0),
      retryableLeft: summary.outcomes.filter(BatchOutcome.isResubmittable).length,
      stoppedBy: undefined
    }
  } finally {
    await runtime.dispose()
  }
}

/**
 * The run of a contender.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const run = (name: Name, target: Target, n: number): Promise<Output> =>
  (name === "sdk" ? sdk : toolkit)(target, BatchScenario.requests(n))
