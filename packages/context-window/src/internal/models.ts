/**
 * Known models: context windows, the 1M long-context option, output limits and list prices.
 *
 * @internal
 */

/** @internal */
export interface ModelInfo {
  /** the standard context window in tokens */
  readonly contextWindow: number
  /** the window with the long-context (1M) option, for models that offer it */
  readonly longContextWindow?: number | undefined
  /** the largest `max_tokens` the model accepts */
  readonly maxOutputTokens?: number | undefined
  /** USD per million input tokens (standard, under 200K input) */
  readonly inputPrice?: number | undefined
  /** USD per million output tokens */
  readonly outputPrice?: number | undefined
}

/** @internal */
export const DEFAULT_WINDOW = 200_000

/** @internal */
export const LONG_CONTEXT_BETA = "context-1m-2025-08-07"

const M = 1_000_000

/**
 * Keyed by model id or id prefix (a dated id such as `claude-sonnet-4-5-20250929` matches
 * `claude-sonnet-4-5`); the longest matching key wins.
 *
 * @internal
 */
export const MODELS: Readonly<Record<string, ModelInfo>> = {
  "claude-opus-4-7": { contextWindow: 200_000, longContextWindow: M, inputPrice: 5, outputPrice: 25 },
  "claude-opus-4-6": {
    contextWindow: 200_000,
    longContextWindow: M,
    maxOutputTokens: 128_000,
    inputPrice: 5,
    outputPrice: 25
  },
  "claude-sonnet-4-6": {
    contextWindow: 200_000,
    longContextWindow: M,
    maxOutputTokens: 64_000,
    inputPrice: 3,
    outputPrice: 15
  },
  "claude-opus-4-5": { contextWindow: 200_000, maxOutputTokens: 64_000, inputPrice: 5, outputPrice: 25 },
  "claude-sonnet-4-5": {
    contextWindow: 200_000,
    longContextWindow: M,
    maxOutputTokens: 64_000,
    inputPrice: 3,
    outputPrice: 15
  },
  "claude-haiku-4-5": { contextWindow: 200_000, maxOutputTokens: 64_000, inputPrice: 1, outputPrice: 5 },
  "claude-opus-4-1": { contextWindow: 200_000, maxOutputTokens: 32_000, inputPrice: 15, outputPrice: 75 },
  "claude-opus-4-0": { contextWindow: 200_000, maxOutputTokens: 32_000, inputPrice: 15, outputPrice: 75 },
  "claude-opus-4-2025": { contextWindow: 200_000, maxOutputTokens: 32_000, inputPrice: 15, outputPrice: 75 },
  "claude-sonnet-4-0": {
    contextWindow: 200_000,
    longContextWindow: M,
    maxOutputTokens: 64_000,
    inputPrice: 3,
    outputPrice: 15
  },
  "claude-sonnet-4-2025": {
    contextWindow: 200_000,
    longContextWindow: M,
    maxOutputTokens: 64_000,
    inputPrice: 3,
    outputPrice: 15
  },
  "claude-3-7-sonnet": { contextWindow: 200_000, maxOutputTokens: 64_000, inputPrice: 3, outputPrice: 15 },
  "claude-3-5-haiku": { contextWindow: 200_000, maxOutputTokens: 8_192, inputPrice: 0.8, outputPrice: 4 },
  "claude-3-haiku": { contextWindow: 200_000, maxOutputTokens: 4_096, inputPrice: 0.25, outputPrice: 1.25 }
}

/** @internal */
export const lookup = (table: Readonly<Record<string, ModelInfo>>, model: string): ModelInfo | undefined => {
  const exact = table[model]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key
  }
  return best === undefined ? undefined : table[best]
}
