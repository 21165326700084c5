/**
 * The source article's TypeScript `callWithRetry`, transcribed as written (the only change:
 * `console.log` goes to a `log` function, so the bench prints nothing), and its Python
 * `stream_with_recovery` in TypeScript, line for line. The article's client is `new Anthropic()`,
 * i.e. with the SDK's default 2 retries underneath its own loop.
 */
import Anthropic from "@anthropic-ai/sdk"

export interface Article {
  readonly callWithRetry: (
    messages: Anthropic.Messages.MessageParam[],
    model?: string,
    maxRetries?: number,
    baseDelay?: number
  ) => Promise<Anthropic.Messages.Message>
  readonly streamWithRecovery: (prompt: string, model: string, onText: (text: string) => void) => Promise<string>
}

export const make = (client: Anthropic, log: (line: string) => void): Article => {
  async function callWithRetry(
    messages: Anthropic.Messages.MessageParam[],
    model = "claude-sonnet-4-6",
    maxRetries = 5,
    baseDelay = 1000
  ): Promise<Anthropic.Messages.Message> {
    for (let attempt = 0; attempt < maxRetries; attempt++) {
      try {
        return await client.messages.create({
          model,
          max_tokens: 2048,
          messages
        })
      } catch (err) {
        if (err instanceof Anthropic.RateLimitError) {
          if (attempt === maxRetries - 1) throw err
          // As written: `headers` is a `Headers` object in current SDKs, so this reads undefined (→ 0).
          const retryAfter =
            Number.parseInt(
              (err.headers as unknown as Record<string, string> | undefined)?.["retry-after"] ?? "0",
              10
            ) * 1000
          const wait = Math.max(retryAfter, baseDelay * 2 ** attempt)
          log(`Rate limited. Waiting ${wait}ms (attempt ${attempt + 1}/${maxRetries})`)
          await new Promise((r) => setTimeout(r, wait))
          continue
        }
        if (err instanceof Anthropic.APIError && (err.status ?? 0) >= 500) {
          if (attempt === maxRetries - 1) throw err
          const wait = baseDelay * 2 ** attempt
          log(`Server error ${err.status}. Waiting ${wait}ms`)
          await new Promise((r) => setTimeout(r, wait))
          continue
        }
        throw err // 4xx — do not retry
      }
    }
    throw new Error("Max retries exceeded")
  }

  async function streamWithRecovery(prompt: string, model: string, onText: (text: string) => void): Promise<string> {
    const collected: Array<string> = []
    try {
      const stream = client.messages.stream({
        model,
        max_tokens: 2048,
        messages: [{ role: "user", content: prompt }]
      })
      for await (const event of stream) {
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
          collected.push(event.delta.text)
          onText(event.delta.text)
        }
      }
      return collected.join("")
    } catch (err) {
      if (err instanceof Anthropic.APIConnectionError) {
        // Network error mid-stream
        const partial = collected.join("")
        if (partial) {
          // Re-prompt asking Claude to continue from where it stopped
          log(`[Reconnecting after ${partial.length} chars...]`)
          const continuation = await client.messages.create({
            model,
            max_tokens: 2048,
            messages: [
              { role: "user", content: prompt },
              { role: "assistant", content: partial },
              { role: "user", content: "Continue from exactly where you left off." }
            ]
          })
          const first = continuation.content[0]
          const text = first?.type === "text" ? first.text : ""
          onText(text)
          return partial + text
        }
      }
      throw err // No partial content — re-raise
    }
  }

  return { callWithRetry, streamWithRecovery }
}
