/**
 * Compactor: what stands in for the dropped messages (a user-supplied note, a summary from a cheaper
 * model), fitted against FakeClaude over real HTTP; and summaries of any shape from an in-memory Claude.
 */
import { Claude } from "@claude-resilience/client"
import { Compactor, ContextWindow } from "@claude-resilience/context-window"
import { FakeClaude } from "@claude-resilience/testing"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Effect, pipe } from "effect"
import { answeringClaude, claudeOverFake, layout, MESSAGES_PATH, request, requestsOn, roleProblem } from "./helpers.js"

layer(claudeOverFake({ seed: 3 }), { excludeTestServices: true })("compactors against FakeClaude", (it) => {
  it.effect("data-last form and a user-supplied compactor", () =>
    Effect.gen(function* () {
      const messages = layout(
        Array.from({ length: 20 }, () => ({ _tag: "text" as const, user: 800, assistant: 800 })),
        false,
        50
      )
      const note: Compactor.Service = {
        name: "note",
        reserve: 20,
        replace: ({ dropped }) => Effect.succeed({ text: `[${dropped.length} earlier messages removed]` })
      }
      const fitted = yield* pipe(
        request(messages),
        ContextWindow.fit({ contextWindow: 5_000 }),
        Effect.provide(Compactor.layer(note))
      )
      expect(fitted.compactor).toBe("note")
      const first = fitted.request.messages[0]!
      assert(typeof first.content !== "string")
      expect(first.content[0]).toEqual({ type: "text", text: `[${fitted.droppedMessages} earlier messages removed]` })
      expect(fitted.inputTokens).toBeLessThanOrEqual(fitted.budget)
      expect(FakeClaude.estimateTokens(fitted.request)).toBe(fitted.inputTokens)
    })
  )

  it.effect("summarize: one call to the cheaper model, its cost reported, the summary in the kept turn", () =>
    Effect.gen(function* () {
      const claude = yield* Claude.Claude
      const messages = layout(
        Array.from({ length: 30 }, () => ({ _tag: "text" as const, user: 1_000, assistant: 1_000 })),
        false,
        50
      )
      const before = yield* requestsOn(MESSAGES_PATH)
      const fitted = yield* ContextWindow.fit(request(messages), { contextWindow: 8_000, pin: 1 }).pipe(
        Effect.provide(Compactor.layerSummarize({ model: "claude-haiku-4-5", maxTokens: 300 }))
      )
      const calls = (yield* requestsOn(MESSAGES_PATH)).slice(before.length)
      expect(calls.length).toBe(1)
      expect((calls[0]!.body as { model: string }).model).toBe("claude-haiku-4-5")
      const replacement = fitted.replacement
      assert(replacement !== undefined)
      expect(replacement.model).toBe("claude-haiku-4-5")
      expect(replacement.usage?.outputTokens).toBeGreaterThan(0)
      expect(replacement.costUsd).toBeCloseTo(
        (replacement.usage!.inputTokens * 1 + replacement.usage!.outputTokens * 5) / 1_000_000,
        12
      )
      // pinned task (user) is followed by an assistant turn: the summary goes into the pinned turn
      const kept = fitted.request.messages
      expect(roleProblem(kept)).toBeUndefined()
      expect(JSON.stringify(kept[0])).toContain("<summary of")
      expect(fitted.inputTokens).toBeLessThanOrEqual(fitted.budget)
      yield* claude.messages.create(fitted.request)
    })
  )
})

describe("summarize: replies of any shape", () => {
  const messages = layout(
    Array.from({ length: 20 }, () => ({ _tag: "text" as const, user: 800, assistant: 800 })),
    false,
    50
  )
  const summaryOf = (text: string) => ({
    content: [{ type: "text", text }],
    usage: { input_tokens: 1_000, output_tokens: 50 }
  })

  it.effect("a well-formed reply is the summary; a malformed one fails the fit with a protocol error naming it", () =>
    Effect.gen(function* () {
      const fitWith = (reply: unknown) => {
        const { layer: claude } = answeringClaude({ reply: () => reply })
        return Effect.gen(function* () {
          const compactor = yield* Compactor.summarize({ maxTokens: 100 })
          return yield* ContextWindow.fit(request(messages), { contextWindow: 5_000, compactor })
        }).pipe(Effect.provide(claude))
      }
      const fitted = yield* fitWith(summaryOf("They talked."))
      expect(fitted.replacement?.text).toContain("They talked.")
      expect(fitted.replacement?.usage).toEqual({ inputTokens: 1_000, outputTokens: 50 })
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [null, "expected a message (an object), found null"],
        [
          { ...summaryOf("x"), content: "They talked." },
          "content: expected an array of content blocks, found a string"
        ],
        [{ ...summaryOf("x"), content: [{ type: "text", text: 5 }] }, "content.0.text: expected a string"],
        [{ ...summaryOf("x"), usage: { input_tokens: -1, output_tokens: 1 } }, "usage.input_tokens"],
        [{ content: [] }, "usage: expected an object, found nothing"]
      ]
      for (const [reply, expected] of cases) {
        const error = yield* Effect.flip(fitWith(reply))
        assert(error._tag === "ConnectionError", error._tag)
        expect(error.reason).toBe("protocol")
        expect(error.message).toContain(`malformed summary reply: ${expected}`)
      }
    })
  )
})
