/**
 * Exact stitching of a continuation: finds where the head of a continued answer repeats the tail
 * of what was already emitted, so the repeat can be dropped.
 *
 * @internal
 */
import type * as Stitch from "../Stitch.js"

const isWhitespace = (c: string) => /\s/.test(c)

/** @internal */
export const DEFAULT_MAX_OVERLAP = 200

/** @internal */
export const overlap = (emitted: string, head: string, bound: number, final: boolean): number | undefined => {
  const max = Math.min(bound, emitted.length)
  let best = 0
  let pending = false
  for (let k = 1; k <= max; k++) {
    const start = emitted.length - k
    if (start > 0 && !isWhitespace(emitted.charAt(start - 1))) continue
    if (isWhitespace(emitted.charAt(start))) continue
    const tail = emitted.slice(start)
    if (k <= head.length) {
      if (head.startsWith(tail)) best = k
    } else if (tail.startsWith(head)) {
      pending = true
    }
  }
  return pending && !final ? undefined : best
}

/** @internal */
export const stitch = (emitted: string, head: string, bound: number, final: boolean): Stitch.Stitched | undefined => {
  let end = emitted.length
  while (end > 0 && isWhitespace(emitted.charAt(end - 1))) end--
  const kept = emitted.slice(0, end)
  const trailing = emitted.slice(end)
  let lead = 0
  while (lead < head.length && isWhitespace(head.charAt(lead))) lead++
  if (lead === head.length && !final) return undefined
  const k = overlap(kept, head.slice(lead), bound, final)
  if (k === undefined) return undefined
  let rest = k > 0 ? head.slice(lead + k) : head
  // whitespace already emitted after the join is not emitted again
  let i = 0
  while (i < trailing.length && i < rest.length && rest.charAt(i) === trailing.charAt(i)) i++
  // the head ended inside the whitespace already emitted: the rest of it is held for what follows
  const held = i === rest.length ? trailing.slice(i) : ""
  if (i === trailing.length || i === rest.length || !isWhitespace(rest.charAt(i))) rest = rest.slice(i)
  return { text: rest, dropped: head.length - rest.length, held }
}

/** @internal */
export const join = (emitted: string, continuation: string, bound: number = DEFAULT_MAX_OVERLAP): string =>
  emitted + stitch(emitted, continuation, bound, true)!.text
