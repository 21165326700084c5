/**
 * The method notes of docs/benchmarks.md.
 *
 * @since 0.1.0
 */
import type * as Bench from "./Bench.js"

/**
 * What \`packages/effect-ai/test/SideBySide.test.ts\` asserts, side by side: a fixed section, not measured
 * by the bench.
 */
const effectAi = `## \`@effect/ai-anthropic\` vs \`@claude-resilience/effect-ai\`

The same \`LanguageModel.streamText\` program on the same FakeClaude with the same scripted fault, once
through \`@effect/ai-anthropic\` 0.27 alone (\`AnthropicLanguageModel\` over \`AnthropicClient\` and
\`FetchHttpClient\`) and once through \`ClaudeLanguageModel\` over the resilient \`Claude\` layer. Not
timed: these are the assertions of \`packages/effect-ai/test/SideBySide.test.ts\` (run by \`pnpm test\`,
or \`npx vitest run --project effect-ai\`); more in [effect-ai.md](effect-ai.md#compared-with-effectai-anthropic).

| scripted fault | \`@effect/ai-anthropic\` alone | \`@claude-resilience/effect-ai\` |
|---|---|---|
| none | FakeClaude's text and a \`finish\` part | the same |
| socket cut after 8 SSE events | fails with \`HttpResponseError\`; no \`finish\` part; the text received is a strict prefix of the answer; 1 request | finishes: the exact text, a \`finish\` part, no error part, no failure; 2 requests (resumed) |
| SSE \`overloaded_error\` after 8 events | no failure, one \`error\` part and no \`finish\` part: the stream ends truncated (a strict prefix of the answer) | resumes: the exact text, a \`finish\` part, no error part, no failure; 2 requests |
| a 529 before the answer (\`retry-after: 0\`) | fails with \`HttpResponseError\` status 529, no text; 1 request (no retry) | retries: the exact text, a \`finish\` part; 2 requests |
| the API key | the cut's failure, formatted (\`Inspectable.format\`), contains the API key | after two SSE errors with one resumption allowed: the \`HttpResponseError\` and its \`cause\`, formatted, do not contain it |
`

const row = (results: Bench.Results, scenario: string, contender: string) =>
  results.rows.find((r) => r.scenario === scenario && r.contender === contender)

/**
 * @since 0.1.0
 * @category Rendering
 */
export const notes = (results: Bench.Results): string => {
  const sdkTransient = row(results, "transient", "sdk")
  const tkTransient = row(results, "transient", "toolkit")
  const tkCut = row(results, "stream-cut", "toolkit")
  return `## Contenders

- **plain SDK**: \`new Anthropic({ apiKey, baseURL })\`, its defaults: 2 retries with its own backoff (it
  honours \`retry-after\`), no retry once a stream has started.
- **article \`callWithRetry\`**: [the article](article.md)'s TypeScript loop transcribed as written (5 tries, 1 s base,
  over \`new Anthropic()\`, so the SDK's 2 retries run _inside_ each of its tries; \`console.log\` replaced by a
  function that keeps the lines). Streams use the article's \`stream_with_recovery\` (Python) in TypeScript:
  on \`APIConnectionError\` after some text, one non-streaming "Continue from exactly where you left off."
  call. Two things the code does as written: \`err.headers?.["retry-after"]\` reads a property of a
  \`Headers\` object in current SDKs, i.e. \`undefined\`, so \`Retry-After\` is never honoured (its
  exponential wait happens to be ≥ 1 s); and the SDK's \`messages.stream\` helper reports a cut socket as an
  \`AnthropicError\`, not an \`APIConnectionError\`, so the recovery branch never runs.
- **cockatiel** (3.2.1; 4.x needs Node ≥ 22): the README's composition, \`wrap(retry(handleAll, { maxAttempts:
  3, backoff: new ExponentialBackoff() }), circuitBreaker(handleAll, { halfOpenAfter: 10 * 1000, breaker: new
  ConsecutiveBreaker(5) }))\`, around an SDK with \`maxRetries: 0\`. A stream is one execution, so a cut
  retries it from the start. \`handleAll\` counts 429s as breaker failures and the backoff ignores
  \`retry-after\`, so under rate limiting and during the outage the breaker opens for 10 s and rejects calls
  with \`BrokenCircuitError\`.
- **claude-resilience**: \`Claude.layerWithoutDependencies\` + \`RetryPolicy.layer(benchPolicy)\` +
  \`CircuitBreaker.layer({ trip: consecutiveFailures(5), openDuration: 1 s })\`, one \`ManagedRuntime\` per
  run and one \`runPromise\` per call (the cost of entering Effect is measured). Log lines are built and
  dropped (\`Logger.none\`), as the article's are. **Time-scaled policy**: \`benchPolicy\` is the demo's
  \`drillPolicy\`: \`RetryPolicy.claude()\` with a 40 s budget, 12 attempts, 529 base 1 s / cap 8 s (default
  5 s / 60 s), 502 ladder 1, 3, 10 s (default 3, 10, 30, 60, 120 s), 503 up to 10 attempts, 500 and
  connection errors up to 5. The defaults would give the same success counts with longer tails.
  Streams go through \`ResumableStream.events\` (prefill) when \`@claude-resilience/stream\` is used.
  ${
    results.meta.rateLimiter === true
      ? "The layer includes the default in-memory rate limiter, told the server's minute (`rateLimit: { limits: { window: 60 s / clockScale } }`); a 429 pauses every call of the key for its `retry-after`."
      : "**The scenario table above was measured before the rate limiter was wired into `Claude.layer` (issue 18)**: its claude-resilience rows are without the limiter (the fleet section is newer). Run `pnpm bench` for a table with it."
  }

## Reading the numbers

- Scenarios run the contenders one after the other; the FakeClaude of a run starts with it, so the outage
  window is at the same offset for every contender.
- "Without a breaker" in the outage target is the plain SDK; the article's loop sends even more.
- CPU per successful call divides the whole run's CPU, so in scenarios with failures or retries it also
  carries the work of failed attempts; the clean comparison of per-call cost is the interleaved overhead
  section.
- Under transient chaos, claude-resilience ${tkTransient === undefined ? "" : `succeeded on ${tkTransient.succeeded}/${tkTransient.requests}`}${sdkTransient === undefined ? "" : `, the plain SDK on ${sdkTransient.succeeded}/${sdkTransient.requests}`};
  its p99 is long because a 502 waits on the 1-3-10 s ladder and a 529 on its backoff: it trades latency
  for success, by design.

- Stream cuts: ${tkCut === undefined ? "" : `claude-resilience completed ${tkCut.succeeded}/${tkCut.requests} streams`} by resuming each cut
  with the received text as an assistant prefill, so a cut costs one more request and no regenerated text.
  (An earlier run had 4 calls end in \`ResumeExhaustedError\`: the resumable stream fell back to the library's
  default policy instead of the client's. Fixed: it now defaults to the schedule the \`Claude\` service
  was built with.)
- **Where the overhead goes.** The mixed workload above (30 % streams, 4 calls at once) puts every
  per-call cost together; the [per-path section](#hot-paths-client-cpu-per-call-interleaved) below measures \`create\`, short
  and long streams, \`ResumableStream\`, the breaker and memory one at a time against the plain SDK, with an
  ablation that switches one feature off at a time; \`docs/development.md\` says how to profile one path.
- CPU figures come from a 2-core machine that may be shared with other work: absolute numbers move
  between runs; the interleaved ratio is the more robust figure, and it too is noisy (see the per-round ratios).

${effectAi}
## Reproduce

\`\`\`sh
pnpm bench            # full run (a few minutes on 2 cores), writes this page and docs/benchmarks.json
pnpm bench --quick    # smoke run, seconds to a minute
pnpm bench --no-resume  # claude-resilience streams without @claude-resilience/stream
pnpm bench --no-write   # print the tables, leave this page and docs/benchmarks.json alone
pnpm bench --only paths               # the hot-path section alone, into the saved results
pnpm bench --only paths --paths create  # one path (create, stream300, stream10k; comma-separated)
pnpm bench --no-paths   # everything but the hot-path section
\`\`\`

One variant of a path alone, for a profiler: \`node --import tsx --cpu-prof
packages/bench/src/internal/paths/child.ts --variant create:default --calls 2000\` (see
[development.md](development.md#finding-the-hot-spot)).
`
}
