/**
 * Stitching a continued answer onto what was already said. Asked to continue ("Continue from
 * exactly where you left off."), a model often first repeats the last words of its partial answer;
 * these functions find that repeat (a suffix of the emitted text that starts a word and that the
 * continuation starts with) and drop it, along with whitespace said twice at the join, so the
 * joined text reads as one answer. Used by the resumable stream (mid-stream) and by the client's
 * `max_tokens` continuation (whole messages).
 *
 * @since 0.1.0
 */
import * as internal from "./internal/stitch.js"

/**
 * What {@link stitch} decided: the `text` to emit after what was already emitted, how many
 * characters of the continuation it `dropped` (the repeat and the whitespace said twice), and
 * whitespace already emitted that the continuation did not reach yet (`held`: drop it from what
 * follows, when more of the continuation is still to come).
 *
 * @example
 * ```ts
 * import { Stitch } from "@claude-resilience/api"
 *
 * const result: Stitch.Stitched | undefined = Stitch.stitch("one two three ", "two three four", 100, true)
 * // { text: "four", dropped: 10, held: "" }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export interface Stitched {
  readonly text: string
  readonly dropped: number
  readonly held: string
}

/**
 * The longest repeat {@link stitch} looks for, in characters (200).
 *
 * @example
 * ```ts
 * import { Stitch } from "@claude-resilience/api"
 *
 * Stitch.DEFAULT_MAX_OVERLAP // 200
 * ```
 *
 * @since 0.1.0
 * @category Constants
 */
export const DEFAULT_MAX_OVERLAP: number = internal.DEFAULT_MAX_OVERLAP

/**
 * The overlap between the end of `emitted` and the start of `head`, both without the whitespace
 * at the join: the longest `k <= bound` such that the last `k` characters of `emitted` start a
 * word and `head` starts with them. `undefined` while `head` is too short to rule out a longer
 * overlap and more may come (`final` false).
 *
 * @example
 * ```ts
 * import { Stitch } from "@claude-resilience/api"
 *
 * Stitch.overlap("one two three", "two three four", 100, true) // 9 ("two three")
 * Stitch.overlap("one two three", "two thr", 100, false) // undefined: "two three" may still come
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const overlap: (emitted: string, head: string, bound: number, final: boolean) => number | undefined =
  internal.overlap

/**
 * Joins a continuation `head` to `emitted`: drops a repeat of the tail of `emitted` (up to
 * `bound` characters) and the whitespace `emitted` already ends with. `final` says no more of the
 * continuation will come; while it is `false`, `undefined` means "undecided: wait for more".
 *
 * @example
 * ```ts
 * import { Stitch } from "@claude-resilience/api"
 *
 * Stitch.stitch("one two three ", "two three four", 100, true) // { text: "four", dropped: 10, held: "" }
 * Stitch.stitch("Hel", "lo world", 100, true) // { text: "lo world", dropped: 0, held: "" }
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const stitch: (emitted: string, head: string, bound: number, final: boolean) => Stitched | undefined =
  internal.stitch

/**
 * The whole continuation joined to `emitted`: `emitted` followed by what {@link stitch} keeps of
 * `continuation` (with `final` true), looking for a repeat of at most `bound` characters
 * (default {@link DEFAULT_MAX_OVERLAP}).
 *
 * @example
 * ```ts
 * import { Stitch } from "@claude-resilience/api"
 *
 * Stitch.join("The cat sat on", "sat on the mat.") // "The cat sat on the mat."
 * ```
 *
 * @since 0.1.0
 * @category Combinators
 */
export const join: (emitted: string, continuation: string, bound?: number) => string = internal.join
