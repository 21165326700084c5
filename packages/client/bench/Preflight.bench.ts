/**
 * The preflight's cost per request (target: under 20 µs for an ordinary one), each iteration 1,000
 * checks of the same request so the figure is per 1,000. Requests: a one-line question; a 20-turn
 * conversation with system blocks, 3 tools and 2 cache breakpoints; the same with 3 images (their
 * headers read); a 1 MB prompt (the size bound walks it, no serialisation); and 10 MB of base64
 * images (the bound reads the long strings). For scale, `JSON.stringify` of the conversation — which
 * the SDK does anyway to send it — runs beside them.
 */
import { Preflight } from "@claude-resilience/client"
import type { Claude } from "@claude-resilience/client"
import { FakeImage } from "@claude-resilience/testing"
import { Either } from "effect"
import { bench, describe } from "vitest"

const batch = 1_000

const question: Claude.MessageCreateParams = {
  model: "claude-sonnet-4-6",
  max_tokens: 1024,
  messages: [{ role: "user", content: "What is the capital of France?" }]
}

const tool = (name: string) => ({
  name,
  description: `The ${name} tool`,
  input_schema: { type: "object" as const, properties: { query: { type: "string" } }, required: ["query"] }
})

const conversation: Claude.MessageCreateParams = {
  model: "claude-haiku-4-5",
  max_tokens: 4096,
  system: [
    { type: "text", text: "You are a careful assistant.", cache_control: { type: "ephemeral" } },
    { type: "text", text: "Answer briefly." }
  ],
  tools: [tool("search"), tool("fetch_page"), tool("calculator")],
  messages: [
    ...Array.from({ length: 20 }, (_, i): Claude.MessageCreateParams["messages"][number] =>
      i % 2 === 0
        ? { role: "user", content: [{ type: "text", text: `Question ${i}: tell me more about item ${i}.` }] }
        : { role: "assistant", content: `Answer ${i}: item ${i} is one of many, and here is a paragraph about it.` }
    ),
    { role: "user", content: [{ type: "text", text: "And finally?", cache_control: { type: "ephemeral" } }] }
  ]
}

const withImages: Claude.MessageCreateParams = {
  ...conversation,
  messages: [
    {
      role: "user",
      content: [
        FakeImage.block("image/jpeg", 1024, 768, 200_000),
        FakeImage.block("image/png", 800, 600, 100_000),
        FakeImage.block("image/webp", 1568, 1568, 50_000),
        { type: "text", text: "Compare these." }
      ]
    }
  ]
}

const megabyte: Claude.MessageCreateParams = {
  ...question,
  messages: [{ role: "user", content: "lorem ipsum ".repeat(90_000) }]
}

const tenMegabytesOfImages: Claude.MessageCreateParams = {
  ...question,
  messages: [{ role: "user", content: [1, 2, 3, 4].map(() => FakeImage.block("image/png", 2000, 2000, 1_900_000)) }]
}

const run = (params: Claude.MessageCreateParams, n: number) => {
  for (let i = 0; i < n; i++) {
    if (Either.isLeft(Preflight.validate(params))) throw new Error("the bench's requests are valid")
  }
}

describe("Preflight.validate (per 1,000 requests)", () => {
  bench("a one-line question", () => run(question, batch))
  bench("a 20-turn conversation, system blocks, 3 tools, 2 breakpoints", () => run(conversation, batch))
  bench("3 base64 images (headers read)", () => run(withImages, batch))
  bench("a 1 MB prompt (size bounded by a walk)", () => run(megabyte, batch))
  bench("for scale: JSON.stringify of the 20-turn conversation", () => {
    for (let i = 0; i < batch; i++) JSON.stringify(conversation)
  })
})

describe("Preflight.validate (per request)", () => {
  bench("10 MB of base64 images (long strings read)", () => run(tenMegabytesOfImages, 1))
  bench("for scale: JSON.stringify of the 10 MB request", () => {
    JSON.stringify(tenMegabytesOfImages)
  })
})
