/** Counts, usage and cost over a set of outcomes: usage from the succeeded Messages, cost at the batch price. */
import { BatchLimits, Model } from "@claude-resilience/api"
import type * as BatchOutcome from "../BatchOutcome.js"
import type * as Batches from "../Batches.js"

export const counts = (outcomes: Iterable<BatchOutcome.BatchOutcome>): Batches.Counts => {
  const out = { succeeded: 0, errored: 0, canceled: 0, expired: 0 }
  for (const outcome of outcomes) {
    switch (outcome._tag) {
      case "Succeeded":
        out.succeeded++
        break
      case "Errored":
        out.errored++
        break
      case "Canceled":
        out.canceled++
        break
      case "Expired":
        out.expired++
        break
    }
  }
  return out
}

export const summarize = (outcomes: Iterable<BatchOutcome.BatchOutcome>): Batches.Totals => {
  const list = [...outcomes]
  const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 }
  let cost = 0
  let unpriced = 0
  for (const outcome of list) {
    if (outcome._tag !== "Succeeded") continue
    const u = outcome.message.usage
    const item = {
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0
    }
    usage.inputTokens += item.inputTokens
    usage.outputTokens += item.outputTokens
    usage.cacheCreationInputTokens += item.cacheWriteTokens
    usage.cacheReadInputTokens += item.cacheReadTokens
    const price = Model.cost(outcome.message.model, item)
    if (price === undefined) unpriced++
    else cost += price * BatchLimits.priceFactor
  }
  return { counts: counts(list), usage, cost, unpriced }
}
