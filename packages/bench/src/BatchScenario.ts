/**
 * The `batch` scenario: one submission of 2,000 requests (100 in quick mode) through the Message
 * Batches API of a FakeClaude that fails some creates, polls and results downloads, errors or expires
 * 5 % of the items, and takes 30 minutes of server time (half a second real) to end a batch.
 *
 * @since 0.1.0
 */
import type Anthropic from "@anthropic-ai/sdk"
import { type FakeClaude, Fault } from "@claude-resilience/testing"
import type * as Scenario from "./Scenario.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface BatchScenario {
  readonly description: string
  readonly server: FakeClaude.Options
  readonly requests: number
  /** real ms between two polls of the plain SDK loop, and the toolkit's first poll interval */
  readonly pollMs: number
}

/**
 * The scenario at a scale.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (scale: Scenario.Scale, seed: number): BatchScenario => {
  const requests = scale === "quick" ? 100 : 2_000
  return {
    description:
      "scripted: the first create answered 529, the first poll 500, the first results download cut at 60 % " +
      "of its lines; then per request 5 % 429 (retry-after 1 s), 4 % 500, 4 % 529, 2 % connection reset, " +
      "and 25 % of results downloads cut after 1..N lines; 3 % of items errored (overloaded / api_error), " +
      "2 % expired; a batch ends 30 min (server time) after creation, clockScale 3600",
    server: {
      seed,
      clockScale: 3_600,
      chaos: {
        rates: { "429": 0.05, "500": 0.04, "529": 0.04, reset: 0.02, cutStream: 0.25 },
        retryAfter: "1",
        maxAfterEvents: requests
      },
      batches: {
        processingTime: "30 minutes",
        erroredRate: 0.03,
        expiredRate: 0.02,
        errorTypes: ["overloaded_error", "api_error"]
      }
    },
    requests,
    pollMs: 100
  }
}

/**
 * The model every batch request names.
 *
 * @since 0.1.0
 * @category Constants
 */
export const model = "claude-haiku-4-5"

/**
 * The requests of the submission: `row-0` … `row-(n-1)`.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const requests = (n: number): Array<Anthropic.Messages.BatchCreateParams.Request> =>
  Array.from({ length: n }, (_, i) => ({
    custom_id: `row-${i}`,
    params: {
      model,
      max_tokens: 200,
      messages: [{ role: "user", content: `Row ${i}: summarise this record in two sentences.` }]
    }
  }))

const isCreate = (r: Fault.RequestInfo) => r.method === "POST" && r.path === "/v1/messages/batches"
const isPoll = (r: Fault.RequestInfo) => r.method === "GET" && /^\/v1\/messages\/batches\/[^/]+$/.test(r.path)
const isResults = (r: Fault.RequestInfo) => r.method === "GET" && r.path.endsWith("/results")

/**
 * The scripted faults, queued on each contender's fresh server: one per endpoint, so every contender
 * meets a fault on create, on a poll and on a results download whatever the chaos draws.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const faults = (n: number): ReadonlyArray<Fault.Fault> => [
  Fault.matching(Fault.status(529), isCreate),
  Fault.matching(Fault.status(500), isPoll),
  Fault.matching(Fault.cutStream(Math.floor(n * 0.6)), isResults)
]
