/**
 * The checks of a submission before anything is sent: each request on its own ({@link validate}),
 * then the set of them (unique `custom_id`s).
 */
import { BatchLimits } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import { DuplicateCustomIdError, InvalidCustomIdError, type RequestError, RequestTooLargeError } from "../BatchError.js"
import type * as Batches from "../Batches.js"
import { bodySize, byteSize } from "./split.js"

/**
 * One request's checks: its `custom_id` follows the API's rule, and the request fits in a batch on
 * its own. Returns its size in bytes (as it will be sent, for the split).
 *
 * Preflight plugs in here: once the client's preflight module (the checks `messages.create` runs
 * before sending: model, `max_tokens`, context window, prefill, ...) lands, run it on
 * `request.params` at the marked line and add its error to `BatchError.RequestError`.
 */
export const validate = (
  request: Batches.BatchRequest,
  index: number,
  maxBytes: number
): Effect.Effect<number, RequestError> =>
  Effect.suspend((): Effect.Effect<number, RequestError> => {
    if (!BatchLimits.isValidCustomId(request.custom_id)) {
      return Effect.fail(
        new InvalidCustomIdError({
          message: `requests[${index}].custom_id ${JSON.stringify(request.custom_id)} must be 1 to 64 letters, digits, _ or -`,
          customId: request.custom_id,
          index
        })
      )
    }
    const bytes = byteSize(request)
    if (bodySize([bytes]) > maxBytes) {
      return Effect.fail(
        new RequestTooLargeError({
          message: `${request.custom_id} has ${bytes} bytes; a batch holds at most ${maxBytes}`,
          customId: request.custom_id,
          bytes,
          maxBytes
        })
      )
    }
    // PREFLIGHT: yield the preflight checks of `request.params` here.
    return Effect.succeed(bytes)
  })

/** Every request's checks, then unique `custom_id`s; the sizes of the requests, in order. */
export const validateAll = (
  requests: ReadonlyArray<Batches.BatchRequest>,
  maxBytes: number
): Effect.Effect<ReadonlyArray<number>, RequestError> =>
  Effect.gen(function* () {
    const seen = new Set<string>()
    const duplicates = new Set<string>()
    for (const request of requests) {
      if (seen.has(request.custom_id)) duplicates.add(request.custom_id)
      seen.add(request.custom_id)
    }
    if (duplicates.size > 0) {
      const customIds = [...duplicates]
      return yield* Effect.fail(
        new DuplicateCustomIdError({ message: `duplicate custom_id: ${customIds.join(", ")}`, customIds })
      )
    }
    return yield* Effect.forEach(requests, (request, i) => validate(request, i, maxBytes))
  })
