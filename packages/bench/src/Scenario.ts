/**
 * The benchmark's scenarios: a FakeClaude configuration and a workload each, at two scales
 * (`full` for `pnpm bench`, `quick` for CI and the smoke test).
 *
 * @since 0.1.0
 */
import { FakeClaude } from "@claude-resilience/testing"

/**
 * @since 0.1.0
 * @category Models
 */
export type Name = "fault-free" | "transient" | "outage" | "stream-cut" | "rate-limited"

/**
 * Every scenario, in report order.
 *
 * @since 0.1.0
 * @category Models
 */
export const names: ReadonlyArray<Name> = ["fault-free", "transient", "outage", "stream-cut", "rate-limited"]

/**
 * The calls of one run: `requests` calls, at most `concurrency` at once, call i starting no
 * earlier than `i × spacingMs` after the run began; a deterministic `streamShare` of them stream.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Workload {
  readonly requests: number
  readonly concurrency: number
  readonly spacingMs: number
  readonly streamShare: number
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Scenario {
  readonly name: Name
  readonly description: string
  readonly server: FakeClaude.Options
  readonly workload: Workload
}

/**
 * @since 0.1.0
 * @category Models
 */
export type Scale = "full" | "quick"

const transientRates = FakeClaude.profiles.drill.rates

/**
 * The scenarios at a scale, all with the same seed.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const all = (scale: Scale, seed: number): ReadonlyArray<Scenario> => {
  const quick = scale === "quick"
  const n = (full: number, small: number) => (quick ? small : full)
  return [
    {
      name: "fault-free",
      description: "no faults; 30 % of calls stream",
      server: { seed },
      workload: { requests: n(300, 16), concurrency: 8, spacingMs: 0, streamShare: 0.3 }
    },
    {
      name: "transient",
      description:
        "per request 4 % 429 (retry-after 1 s), 5 % 529, 3 % 500, 3 % HTML 502, 3 % connection reset, 6 % stream cut, 4 % SSE overloaded; 30 % of calls stream",
      server: { seed, chaos: { rates: transientRates, retryAfter: "1", maxAfterEvents: 40 } },
      workload: { requests: n(300, 24), concurrency: 8, spacingMs: 0, streamShare: 0.3 }
    },
    {
      name: "outage",
      description: quick
        ? "every request fails with 503 from 0.3 s to 1.3 s; one call starts every 25 ms"
        : "every request fails with 503 from 1.5 s to 4.5 s; one call starts every 25 ms",
      server: {
        seed,
        outages: [
          quick
            ? { from: "300 millis", to: "1300 millis", status: 503 }
            : { from: "1500 millis", to: "4500 millis", status: 503 }
        ]
      },
      workload: { requests: n(240, 60), concurrency: 256, spacingMs: 25, streamShare: 0.3 }
    },
    {
      name: "stream-cut",
      description: "every call streams; 30 % of responses are cut (socket destroyed) after 1..40 SSE events",
      server: { seed, chaos: { rates: { cutStream: 0.3 }, maxAfterEvents: 40 } },
      workload: { requests: n(150, 16), concurrency: 8, spacingMs: 0, streamShare: 1 }
    },
    {
      name: "rate-limited",
      description: quick
        ? "10 requests per minute, clockScale 60 (a minute lasts 1 s); 16 callers at once"
        : "40 requests per minute, clockScale 60 (a minute lasts 1 s); 16 callers at once",
      server: { seed, clockScale: 60, rateLimits: { requestsPerMinute: n(40, 10) } },
      workload: { requests: n(200, 30), concurrency: 16, spacingMs: 0, streamShare: 0.3 }
    }
  ]
}

/**
 * The prompt of call i.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const prompt = (i: number): string =>
  `Request ${i}: explain in a few paragraphs how a client should survive rate limits, overload and dropped streams.`

/**
 * Whether call i streams: a deterministic mix.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const isStream = (workload: Workload, i: number): boolean => ((i * 37) % 100) / 100 < workload.streamShare
