/**
 * The size check: the JSON body the SDK will send, against the API's limit, before any byte is
 * sent. Serialising every request to measure it would cost as much as the rest of the preflight
 * together, so a walk first bounds the size from above without allocating — a string of n UTF-16
 * units is at most 6n bytes of JSON (a `\uXXXX` escape), a number at most 24 — and only a request
 * whose bound passes the limit is serialised and measured exactly (UTF-8 bytes of `JSON.stringify`).
 */

/** Deeper than this, the walk gives up and the exact measure decides. */
const MAX_DEPTH = 64

/**
 * An upper bound of the JSON size of `value`, or `Infinity` once past `budget` (the walk stops
 * there). Objects with a `toJSON` (a Date, say) are measured exactly by the caller.
 */
const bound = (value: unknown, budget: number, depth: number): number => {
  switch (typeof value) {
    case "string":
      return 6 * value.length + 2
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
          total += Math.max(4, bound(value[i], budget - total, depth + 1)) + 1
          if (total > budget) return Number.POSITIVE_INFINITY
        }
        return total
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return Number.POSITIVE_INFINITY
      let total = 2
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        total += 6 * key.length + 4 + bound((value as Record<string, unknown>)[key], budget - total, depth + 1)
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
 * The body's size when it may be over `limit` (`extra`: bytes the SDK adds, such as
 * `"stream":true`), `undefined` when it surely is not — or when it cannot be serialised (a cycle, a
 * bigint): the SDK then fails as it would without preflight.
 */
export const oversize = (params: object, limit: number, extra: number): number | undefined => {
  if (bound(params, limit - extra, 0) + extra <= limit) return undefined
  let json: string
  try {
    json = JSON.stringify(params)
  } catch {
    return undefined
  }
  const bytes = utf8Length(json) + extra
  return bytes > limit ? bytes : undefined
}
