import type * as Model from "../Model.js"

export const DEFAULT_CONTEXT_WINDOW = 200_000

/** The beta that opened a 1M-token window on Sonnet 4 / 4.5; retired on 2026-04-30 (the header has no effect). */
export const LONG_CONTEXT_BETA = "context-1m-2025-08-07"

const K = 1_000
const M = 1_000_000
const CHECKED = "2026-12-02"
const page = (slug: string) => `https://platform.claude.com/docs/en/models/${slug}/overview`
const DEPRECATIONS = "https://platform.claude.com/docs/en/about-claude/model-deprecations"

// `verified`: the figures were read in Anthropic's own pages (directly or through a dated verbatim
// copy) or the SDK's source on the `checked` date; `false`: third-party or inferred, see the comment.
const source = (url: string, verified: boolean): Model.Source => ({ url, checked: CHECKED, verified })

const entry = (
  id: string,
  fields: Omit<Model.Model, "id" | "ids"> & { readonly snapshots?: ReadonlyArray<string> }
): Model.Model => {
  const { snapshots = [], ...rest } = fields
  return { id, ids: [id, ...snapshots], ...rest }
}

/**
 * Newest first. From the 4.6 generation on, the dateless id is the pinned snapshot (no dated ids);
 * 4.6 and later models and Mythos Preview reject prefill with a 400 ("Prefilling is not supported on
 * Claude 4.6 and later models and Claude Mythos Preview", working-with-messages, 2026-09-26), and
 * have a native 1M-token window. Rate-limit classes follow the rate-limits page (Opus 4.5–4.8 share
 * one limit, Sonnet 4.5–4.6 another; each 5.x model has its own). Prices: USD per MTok, standard
 * (Batch API: 50 % off).
 */
export const MODELS: ReadonlyArray<Model.Model> = [
  // Only the SDK's model union and one comparison row ($8 / $40) name Fable 5.2.
  entry("claude-fable-5-2", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "fable-5",
    pricing: { input: 8, output: 40 },
    status: "active",
    source: source(page("fable-5-2"), false)
  }),
  // Invite-only; assumed to share Mythos 5.1's figures.
  entry("claude-mythos-5-2", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "mythos-5",
    pricing: { input: 10, output: 50 },
    status: "active",
    source: source(page("mythos-5-2"), false)
  }),
  entry("claude-fable-5-1", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "fable-5",
    pricing: { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
    status: "active",
    source: source(page("fable-5-1"), true)
  }),
  entry("claude-mythos-5-1", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "mythos-5",
    pricing: { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
    status: "active",
    source: source(page("fable-5-1"), true)
  }),
  entry("claude-haiku-5-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "haiku-5-5",
    // prompts up to 100K tokens; $0.50 / $2.50 above
    pricing: { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
    status: "active",
    source: source(page("haiku-5-5"), true)
  }),
  // Cache reads: $0.20 on its own page, $0.10 in a pricing-page footnote; the page is used.
  entry("claude-sonnet-5-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "sonnet-5-5",
    pricing: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
    status: "active",
    source: source(page("sonnet-5-5"), true)
  }),
  entry("claude-opus-5-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-5-5",
    pricing: { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
    status: "active",
    source: source(page("opus-5-5"), true)
  }),
  entry("claude-opus-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-5",
    pricing: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    status: "legacy",
    source: source("https://platform.claude.com/docs/about-claude/models/whats-new-opus-5", true)
  }),
  entry("claude-sonnet-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "sonnet-5",
    pricing: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
    status: "legacy",
    source: source(page("sonnet-5"), true)
  }),
  entry("claude-fable-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "fable-5",
    pricing: { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
    status: "legacy",
    source: source(page("fable-5"), true)
  }),
  entry("claude-mythos-5", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "mythos-5",
    pricing: { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
    status: "active",
    source: source(page("mythos-5"), true)
  }),
  entry("claude-opus-4-8", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    status: "legacy",
    source: source(page("opus-4-8"), true)
  }),
  entry("claude-opus-4-7", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    status: "legacy",
    source: source(page("opus-4-7"), true)
  }),
  entry("claude-sonnet-4-6", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    status: "legacy",
    source: source(page("sonnet-4-6"), true)
  }),
  entry("claude-opus-4-6", {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    status: "legacy",
    source: source(page("opus-4-6"), true)
  }),
  // The SDK still lists it (deprecated, end of life 2026-06-30); window and output cap not found.
  entry("claude-mythos-preview", {
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: false,
    rateLimitClass: "mythos-preview",
    pricing: { input: 10, output: 50 },
    status: "deprecated",
    source: source(DEPRECATIONS, false)
  }),
  entry("claude-opus-4-5", {
    snapshots: ["claude-opus-4-5-20251101"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    // retires 2027-01-22; replacement claude-opus-5-5
    status: "deprecated",
    source: source(page("opus-4-5"), true)
  }),
  // Its published retirement floor (2026-10-15) has passed; SDK 1.16 does not flag it.
  entry("claude-haiku-4-5", {
    snapshots: ["claude-haiku-4-5-20251001"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "haiku-4-5",
    pricing: { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
    status: "active",
    source: source(page("haiku-4-5"), true)
  }),
  // Retired 2026-11-30 (replacement claude-sonnet-5-5). Its 1M beta (`context-1m-2025-08-07`) was
  // retired on 2026-04-30.
  entry("claude-sonnet-4-5", {
    snapshots: ["claude-sonnet-4-5-20250929"],
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    status: "retired",
    source: source(page("sonnet-4-5"), true)
  }),
  entry("claude-opus-4-1", {
    snapshots: ["claude-opus-4-1-20250805"],
    contextWindow: 200 * K,
    maxOutputTokens: 32 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 15, output: 75 },
    status: "retired",
    source: source(DEPRECATIONS, true)
  }),
  entry("claude-opus-4-0", {
    snapshots: ["claude-opus-4-20250514"],
    contextWindow: 200 * K,
    maxOutputTokens: 32 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 15, output: 75 },
    status: "retired",
    source: source(DEPRECATIONS, true)
  }),
  entry("claude-sonnet-4-0", {
    snapshots: ["claude-sonnet-4-20250514"],
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15 },
    status: "retired",
    source: source(DEPRECATIONS, true)
  }),
  entry("claude-3-7-sonnet-latest", {
    snapshots: ["claude-3-7-sonnet-20250219"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-3-7",
    pricing: { input: 3, output: 15 },
    status: "retired",
    source: source(DEPRECATIONS, true)
  }),
  entry("claude-3-5-haiku-latest", {
    snapshots: ["claude-3-5-haiku-20241022"],
    contextWindow: 200 * K,
    maxOutputTokens: 8_192,
    prefill: true,
    rateLimitClass: "haiku-3-5",
    pricing: { input: 0.8, output: 4 },
    status: "retired",
    source: source(DEPRECATIONS, true)
  }),
  entry("claude-3-haiku-20240307", {
    contextWindow: 200 * K,
    maxOutputTokens: 4_096,
    prefill: true,
    rateLimitClass: "haiku-3",
    pricing: { input: 0.25, output: 1.25 },
    status: "retired",
    source: source(DEPRECATIONS, false)
  })
]

const BY_ID: ReadonlyMap<string, Model.Model> = new Map(MODELS.flatMap((m) => m.ids.map((id) => [id, m] as const)))

export const IDS: ReadonlyArray<string> = [...BY_ID.keys()]

// Longest first, so the first id that prefixes a new snapshot is the most specific one.
const BY_LENGTH: ReadonlyArray<string> = [...IDS].sort((a, b) => b.length - a.length)

export const lookup = (id: string): Model.Model | undefined => {
  const exact = BY_ID.get(id)
  if (exact !== undefined) return exact
  for (const known of BY_LENGTH) {
    if (id.length > known.length && id.charCodeAt(known.length) === 45 /* - */ && id.startsWith(known)) {
      return BY_ID.get(known)
    }
  }
  return undefined
}

/** `claude-<family>-<major>[-<minor>]` or `claude-<major>[-<minor>]-<family>`: a dated suffix reads as no minor. */
const generation = (id: string): readonly [number, number] | undefined => {
  const modern = /^claude-[a-z]+-(\d+)(?:-(\d{1,2})(?!\d))?/.exec(id)
  const legacy = modern === null ? /^claude-(\d+)(?:-(\d{1,2})(?!\d))?-[a-z]+/.exec(id) : null
  const match = modern ?? legacy
  if (match === null) return undefined
  return [Number(match[1]), match[2] !== undefined ? Number(match[2]) : 0]
}

export const acceptsPrefill = (id: string): boolean => {
  const known = lookup(id)
  if (known !== undefined) return known.prefill
  const version = generation(id)
  return version === undefined || version[0] < 4 || (version[0] === 4 && version[1] < 6)
}

export const cost = (
  pricing: Model.Pricing,
  usage: {
    readonly inputTokens: number
    readonly outputTokens: number
    readonly cacheReadTokens?: number | undefined
    readonly cacheWriteTokens?: number | undefined
  }
): number =>
  (usage.inputTokens * pricing.input +
    usage.outputTokens * pricing.output +
    (usage.cacheReadTokens ?? 0) * (pricing.cacheRead ?? pricing.input) +
    (usage.cacheWriteTokens ?? 0) * (pricing.cacheWrite ?? pricing.input)) /
  M

const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]!
}

export const suggest = (
  id: string,
  max: number,
  exclude: ReadonlyArray<Model.Status> | undefined
): ReadonlyArray<string> =>
  (exclude === undefined || exclude.length === 0
    ? IDS
    : IDS.filter((known) => !exclude.includes(BY_ID.get(known)!.status))
  )
    .map((known) => [known, distance(id, known)] as const)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, Math.max(0, max))
    .map(([known]) => known)
