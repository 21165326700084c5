/**
 * The size check: the JSON body the SDK will send, against the API's limit, before any byte is
 * sent. Serialising every request to measure it would cost more than the rest of the preflight
 * together, so the size is bounded from above first, without allocating, in up to three steps:
 *
 * 1. a walk that counts a string of n UTF-16 units as 6n bytes of JSON (the most a `\uXXXX`
 *    escape takes), a number as 24: any ordinary request ends here;
 * 2. if that passes the limit, the same walk with long strings read: one that holds only printable
 *    ASCII other than `"` and `\` (base64 data, say) counts as exactly n + 2 bytes;
 * 3. if that still passes the limit, the request is serialised and its UTF-8 bytes counted.
 */

/** Deeper than this, the walk gives up and the exact measure decides. */
const MAX_DEPTH = 64

/** Strings at least this long are read in step 2. */
const LONG = 1024

/** A character JSON writes as more than one byte: outside printable ASCII, or `"` or `\`. */
const WIDE = /[^\x20\x21\x23-\x5b\x5d-\x7f]/

/**
 * An upper bound of the JSON size of `value`, or `Infinity` once past `budget` (the walk stops
 * there). Objects other than plain ones and arrays (a Date, say) are measured exactly by the caller.
 */
const bound = (value: unknown, budget: number, depth: number, read: boolean): number => {
  switch (typeof value) {
    case "string":
      return read && value.length >= LONG && !WIDE.test(value) ? value.length + 2 : 6 * value.length + 2
    case "number":
      return 24
    case "boolean":
      return 5
    case "object": {
      if (value === null) return 4
      if (depth > MAX_DEPTH) return Number.POSITIVE_INFINITY
      if (Array.isArray(value)) {
        let total = 2
        for (let i = 0; i < value.length; i++) {
          // an element JSON leaves out (undefined, a function) is written as null
          total += Math.max(4, bound(value[i], budget - total, depth + 1, read)) + 1
          if (total > budget) return Number.POSITIVE_INFINITY
        }
        return total
      }
      // a class instance (a Date, a Buffer) may serialise through toJSON: measured exactly
      if (Object.getPrototypeOf(value) !== Object.prototype) return Number.POSITIVE_INFINITY
      let total = 2
      // for..in also yields inherited enumerable keys, which JSON leaves out: the bound only grows
      for (const key in value) {
        if (key === "toJSON") return Number.POSITIVE_INFINITY
        total += 6 * key.length + 4 + bound((value as Record<string, unknown>)[key], budget - total, depth + 1, read)
        if (total > budget) return Number.POSITIVE_INFINITY
      }
      return total
    }
    default:
      // undefined, functions and symbols are left out of JSON; a bigint makes it throw
      return typeof value === "bigint" ? Number.POSITIVE_INFINITY : 0
  }
}

/** UTF-8 bytes of a string: Node's count where there is one, else a scan. */
const utf8Length = (s: string): number => {
  if (typeof Buffer !== "undefined") return Buffer.byteLength(s, "utf8")
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i += 1
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/**
 * The body's size when it is over `limit` (`extra`: bytes the SDK adds, such as `"stream":true`),
 * `undefined` when it is not — or when it cannot be serialised (a cycle, a bigint): the SDK then
 * fails as it would without preflight.
 */
export const oversize = (params: object, limit: number, extra: number): number | undefined => {
  const budget = limit - extra
  if (bound(params, budget, 0, false) <= budget) return undefined
  if (bound(params, budget, 0, true) <= budget) return undefined
  let json: string
  try {
    json = JSON.stringify(params)
  } catch {
    return undefined
  }
  const bytes = utf8Length(json) + extra
  return bytes > limit ? bytes : undefined
}
