/**
 * Splitting a submission into batches the API accepts: in order, each batch holding at most
 * `maxRequests` requests and a body of at most `maxBytes` bytes (`{"requests":[a,b,...]}`, exactly as
 * the SDK serialises it).
 */
import type * as Batches from "../Batches.js"

const encoder = new TextEncoder()

/** A request's size in the body: its JSON in UTF-8. */
export const byteSize = (request: Batches.BatchRequest): number => encoder.encode(JSON.stringify(request)).length

/** The body of a batch of requests of these sizes: the envelope, the requests, the commas between. */
export const bodySize = (sizes: ReadonlyArray<number>): number =>
  '{"requests":[]}'.length + sizes.reduce((a, b) => a + b, 0) + Math.max(0, sizes.length - 1)

/**
 * Consecutive groups of the requests, greedily as large as the limits allow. `sizes[i]` is the size
 * of request i; every single request must fit on its own (the validation checks it).
 */
export const split = <A>(
  requests: ReadonlyArray<A>,
  sizes: ReadonlyArray<number>,
  limits: Batches.Limits
): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<Array<A>> = []
  let current: Array<A> = []
  let bytes = 0
  for (let i = 0; i < requests.length; i++) {
    const size = sizes[i] ?? 0
    // adding this request costs its size, plus a comma when it is not the first
    const added = current.length === 0 ? bodySize([size]) : bytes + 1 + size
    if (current.length > 0 && (current.length >= limits.maxRequests || added > limits.maxBytes)) {
      out.push(current)
      current = []
      bytes = bodySize([size])
    } else {
      bytes = added
    }
    current.push(requests[i]!)
  }
  if (current.length > 0) out.push(current)
  return out
}
