/**
 * Validation and splitting of a submission: pure, nothing sent.
 */
import { BatchLimits } from "@claude-resilience/api"
import { Batches } from "@claude-resilience/batches"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"

const request = (customId: string, text = "Hi"): Batches.BatchRequest => ({
  custom_id: customId,
  params: { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: text }] }
})

const bodyBytes = (group: ReadonlyArray<Batches.BatchRequest>) =>
  new TextEncoder().encode(JSON.stringify({ requests: group })).length

describe("Batches.split", () => {
  it("keeps every batch within the limits, in order, each as full as the limits allow", () =>
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 600, max: 4000 }),
        (texts, maxRequests, maxBytes) => {
          const requests = texts.map((text, i) => request(`r-${i}`, text))
          const result = Effect.runSync(
            Effect.either(Batches.split(requests, { maxRequestsPerBatch: maxRequests, maxBytesPerBatch: maxBytes }))
          )
          if (result._tag === "Left") {
            // only a request too large for any batch is refused
            expect(result.left._tag).toBe("RequestTooLargeError")
            const id = result.left._tag === "RequestTooLargeError" ? result.left.customId : ""
            const tooLarge = requests.find((r) => r.custom_id === id)!
            expect(bodyBytes([tooLarge])).toBeGreaterThan(maxBytes)
            return
          }
          const groups = result.right
          expect(groups.flat()).toEqual(requests)
          groups.forEach((group, g) => {
            expect(group.length).toBeGreaterThan(0)
            expect(group.length).toBeLessThanOrEqual(maxRequests)
            expect(bodyBytes(group)).toBeLessThanOrEqual(maxBytes)
            const next = groups[g + 1]?.[0]
            // greedy: the next batch's first request did not fit in this one
            if (next !== undefined) {
              expect(group.length === maxRequests || bodyBytes([...group, next]) > maxBytes).toBe(true)
            }
          })
        }
      ),
      { numRuns: 200 }
    ))

  it("uses the API's limits by default", () =>
    Effect.gen(function* () {
      const requests = Array.from({ length: 5 }, (_, i) => request(`r-${i}`))
      const groups = yield* Batches.split(requests)
      expect(groups).toHaveLength(1)
      expect(BatchLimits.maxRequests).toBe(100_000)
      expect(BatchLimits.maxBytes).toBe(256 * 1024 * 1024)
    }).pipe(Effect.runSync))

  it("refuses duplicate custom_ids, naming each once", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Batches.split([request("a"), request("b"), request("a"), request("b"), request("a"), request("c")])
      )
      expect(error._tag).toBe("DuplicateCustomIdError")
      if (error._tag === "DuplicateCustomIdError") expect(error.customIds).toEqual(["a", "b"])
    }).pipe(Effect.runSync))

  it("refuses a custom_id outside the API's rule, and only those", () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (customId) => {
        const result = Effect.runSync(Effect.either(Batches.split([request(customId)])))
        const valid = /^[a-zA-Z0-9_-]{1,64}$/.test(customId)
        expect(result._tag === "Right").toBe(valid)
        if (result._tag === "Left") expect(result.left._tag).toBe("InvalidCustomIdError")
      }),
      { numRuns: 300 }
    ))
})
