import type * as Model from "../Model.js"

export const DEFAULT_CONTEXT_WINDOW = 200_000

/** The beta that opens the 1M-token window on the models that offer it as an option. */
export const LONG_CONTEXT_BETA = "context-1m-2025-08-07"

const K = 1_000
const M = 1_000_000
const CHECKED = "2026-12-02"
const OVERVIEW = "https://platform.claude.com/docs/en/about-claude/models/overview"

const source = (url: string, verified: boolean): Model.Source => ({ url, checked: CHECKED, verified })

const entry = (
  id: string,
  fields: Omit<Model.Model, "id" | "ids" | "source"> & {
    readonly snapshots?: ReadonlyArray<string>
    readonly source?: Model.Source
  }
): Model.Model => {
  const { snapshots = [], source: src = source(OVERVIEW, false), ...rest } = fields
  return { id, ids: [id, ...snapshots], ...rest, source: src }
}

/** Newest first. Figures marked `verified: false` were carried over and not checked against a source. */
export const MODELS: ReadonlyArray<Model.Model> = [
  entry("claude-opus-4-6", {
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 128 * K,
    prefill: false,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25 },
    status: "legacy",
    source: source("https://platform.claude.com/docs/en/models/opus-4-6/overview", false)
  }),
  entry("claude-sonnet-4-6", {
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 64 * K,
    prefill: false,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15 },
    status: "legacy"
  }),
  entry("claude-opus-4-5", {
    snapshots: ["claude-opus-4-5-20251101"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 5, output: 25 },
    status: "legacy"
  }),
  entry("claude-sonnet-4-5", {
    snapshots: ["claude-sonnet-4-5-20250929"],
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15 },
    status: "legacy"
  }),
  entry("claude-haiku-4-5", {
    snapshots: ["claude-haiku-4-5-20251001"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "haiku-4-5",
    pricing: { input: 1, output: 5 },
    status: "legacy"
  }),
  entry("claude-opus-4-1", {
    snapshots: ["claude-opus-4-1-20250805"],
    contextWindow: 200 * K,
    maxOutputTokens: 32 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 15, output: 75 },
    status: "legacy"
  }),
  entry("claude-opus-4-0", {
    snapshots: ["claude-opus-4-20250514"],
    contextWindow: 200 * K,
    maxOutputTokens: 32 * K,
    prefill: true,
    rateLimitClass: "opus-4",
    pricing: { input: 15, output: 75 },
    status: "legacy"
  }),
  entry("claude-sonnet-4-0", {
    snapshots: ["claude-sonnet-4-20250514"],
    contextWindow: 200 * K,
    longContextWindow: M,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-4",
    pricing: { input: 3, output: 15 },
    status: "legacy"
  }),
  entry("claude-3-7-sonnet-latest", {
    snapshots: ["claude-3-7-sonnet-20250219"],
    contextWindow: 200 * K,
    maxOutputTokens: 64 * K,
    prefill: true,
    rateLimitClass: "sonnet-3-7",
    pricing: { input: 3, output: 15 },
    status: "deprecated"
  }),
  entry("claude-3-5-haiku-latest", {
    snapshots: ["claude-3-5-haiku-20241022"],
    contextWindow: 200 * K,
    maxOutputTokens: 8_192,
    prefill: true,
    rateLimitClass: "haiku-3-5",
    pricing: { input: 0.8, output: 4 },
    status: "deprecated"
  }),
  entry("claude-3-haiku-20240307", {
    contextWindow: 200 * K,
    maxOutputTokens: 4_096,
    prefill: true,
    rateLimitClass: "haiku-3",
    pricing: { input: 0.25, output: 1.25 },
    status: "deprecated"
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

export const suggest = (id: string, max: number): ReadonlyArray<string> =>
  IDS.map((known) => [known, distance(id, known)] as const)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, Math.max(0, max))
    .map(([known]) => known)
