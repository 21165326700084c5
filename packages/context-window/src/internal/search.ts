/**
 * The cut search: the first cut whose conversation fits, in at most ⌈log2 n⌉ + 2 counts.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export interface SearchInput<E> {
  /** candidate cuts, increasing; index 0 keeps everything */
  readonly cuts: ReadonlyArray<number>
  /** messages in the conversation: the bound is ⌈log2 n⌉ + 2 */
  readonly n: number
  /** token budget of index 0 (nothing dropped) */
  readonly budget: number
  /** token budget of every other index (the budget less what the strategy adds) */
  readonly reducedBudget: number
  /** the count of index 0 when already known (e.g. from a "prompt is too long" error) */
  readonly known0?: number | undefined
  /** a local estimate of the tokens kept by a cut (decreasing in the cut), or none */
  readonly estimate?: ((cut: number) => number) | undefined
  readonly count: (cut: number) => Effect.Effect<number, E>
}

/** @internal */
export interface SearchResult {
  /** index into `cuts` of the first fitting cut, undefined when none fits */
  readonly index: number | undefined
  /** the count of the chosen cut, or of the smallest conversation when none fits */
  readonly tokens: number
  /** the count of index 0 */
  readonly fullTokens: number
  /** count calls made */
  readonly calls: number
}

/** @internal */
export const maxCalls = (n: number): number => Math.ceil(Math.log2(Math.max(n, 1))) + 2

/** Probes a pure binary search needs to settle `unknown` indices between a failing and a fitting one. */
const need = (unknown: number): number => (unknown <= 0 ? 0 : Math.ceil(Math.log2(unknown + 1)))

/**
 * Invariant: `lo` is known not to fit, `hi` is known to fit or is the virtual index `cuts.length`
 * ("nothing fits"). Each probe either follows the estimate (interpolating between the known counts)
 * or, when that could break the bound, bisects.
 *
 * @internal
 */
export const search = <E>(input: SearchInput<E>): Effect.Effect<SearchResult, E> =>
  Effect.gen(function* () {
    const { cuts, estimate } = input
    const bound = maxCalls(input.n)
    const counts = new Map<number, number>()
    let calls = 0
    const probe = (index: number) =>
      Effect.map(input.count(cuts[index]!), (tokens) => {
        calls++
        counts.set(index, tokens)
        return tokens
      })
    const full = input.known0 ?? (yield* probe(0))
    counts.set(0, full)
    if (full <= input.budget) return { index: 0, tokens: full, fullTokens: full, calls }
    const target = input.reducedBudget
    let lo = 0
    let hi = cuts.length
    while (hi - lo > 1) {
      let pivot = lo + Math.ceil((hi - lo - 1) / 2)
      if (estimate !== undefined) {
        const guess = guided(lo, hi, counts, target, (i) => estimate(cuts[i]!))
        const worst = Math.max(guess - lo - 1, hi - guess - 1)
        if (calls + 1 + need(worst) <= bound) pivot = guess
      }
      const tokens = yield* probe(pivot)
      if (tokens <= target) hi = pivot
      else lo = pivot
    }
    if (hi === cuts.length) return { index: undefined, tokens: counts.get(lo)!, fullTokens: full, calls }
    return { index: hi, tokens: counts.get(hi)!, fullTokens: full, calls }
  })

/**
 * The first index in (lo, hi) predicted to fit: counts are taken as linear in the estimate between
 * the two known points (or proportional to it when only `lo` is known), clamped into (lo, hi).
 */
const guided = (
  lo: number,
  hi: number,
  counts: ReadonlyMap<number, number>,
  target: number,
  estimate: (index: number) => number
): number => {
  const aLo = counts.get(lo)!
  const eLo = estimate(lo)
  const aHi = counts.get(hi)
  const eHi = aHi === undefined ? undefined : estimate(hi)
  const predict = (i: number): number => {
    const e = estimate(i)
    if (aHi !== undefined && eHi !== undefined && eHi !== eLo) return aLo + ((e - eLo) * (aHi - aLo)) / (eHi - eLo)
    return eLo > 0 ? (aLo * e) / eLo : e
  }
  // predictions decrease with the index: bisect for the first one at or under the target
  let a = lo + 1
  let b = hi - 1
  if (predict(b) > target) return b
  while (a < b) {
    const mid = Math.floor((a + b) / 2)
    if (predict(mid) <= target) b = mid
    else a = mid + 1
  }
  return a
}
