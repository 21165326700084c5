/**
 * Interleaved rounds: the order in which variants take turns, and the statistics of what they
 * measured (median and range, per-round ratios, percentiles). Pure functions.
 *
 * @since 0.1.0
 */

/**
 * The order of the variants in each round: round `r` starts at variant `r mod n` (a rotation), so
 * every variant takes every position equally often and drift in the machine's load does not favour
 * one.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * // [["a", "b", "c"], ["b", "c", "a"]]
 * const order = Rounds.schedule(["a", "b", "c"], 2)
 * ```
 *
 * @since 0.1.0
 * @category Running
 */
export const schedule = <A>(variants: ReadonlyArray<A>, rounds: number): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: rounds }, (_, r) => variants.map((_, i) => variants[(i + r) % variants.length] as A))

/**
 * A median and the range around it.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * const s: Rounds.Spread = { median: 1.3, min: 1.1, max: 1.5 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

/**
 * The median (mean of the middle two for an even count), minimum and maximum of some values.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * // { median: 3, min: 1, max: 5 }
 * const s = Rounds.spread([5, 1, 3])
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const spread = (values: ReadonlyArray<number>): Spread => {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN }
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! }
}

/**
 * Per-round ratios of a variant to its reference measured in the same round.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * // [2, 2]
 * const r = Rounds.ratios([200, 300], [100, 150])
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const ratios = (values: ReadonlyArray<number>, reference: ReadonlyArray<number>): ReadonlyArray<number> =>
  values.flatMap((v, i) => {
    const r = reference[i]
    return r === undefined || r <= 0 ? [] : [v / r]
  })

/**
 * The `p`-th percentile (nearest rank) of values, `NaN` when there are none.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * const p50 = Rounds.percentile([4, 1, 3, 2], 50)
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/**
 * Per-round differences of a variant to its reference measured in the same round.
 *
 * @example
 * ```ts
 * import { Rounds } from "@claude-resilience/bench"
 *
 * // [1, -1]
 * const d = Rounds.differences([3, 4], [2, 5])
 * ```
 *
 * @since 0.1.0
 * @category Statistics
 */
export const differences = (values: ReadonlyArray<number>, reference: ReadonlyArray<number>): ReadonlyArray<number> =>
  values.flatMap((v, i) => {
    const r = reference[i]
    return r === undefined ? [] : [v - r]
  })
