/**
 * The scripted client: a {@link Transport} that answers from a queue of steps, under the real
 * service (retries, breaker, watchdog and observability all apply), its pauses in the `Clock`'s
 * time of the layer.
 */
import { CircuitBreaker } from "@claude-resilience/circuit-breaker"
import { ClaudeError } from "@claude-resilience/errors"
import { Quota } from "@claude-resilience/rate-limit"
import { RetryPolicy } from "@claude-resilience/retry"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Claude from "../Claude.js"
import type * as ScriptedClaude from "../ScriptedClaude.js"
import { make as makeClient } from "./client.js"
import type { Transport } from "./transport.js"

export const message = (
  text: string,
  options: { readonly model?: string; readonly stopReason?: Claude.Message["stop_reason"] } = {}
): Claude.Message =>
  ({
    id: `msg_scripted_${text.length}`,
    type: "message",
    role: "assistant",
    model: options.model ?? "claude-sonnet-5-5",
    content: [{ type: "text", text, citations: null }],
    stop_reason: options.stopReason ?? "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 10,
      output_tokens: Math.max(1, Math.ceil(text.length / 4)),
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      server_tool_use: null,
      service_tier: null
    }
  }) as Claude.Message

export const events = (msg: Claude.Message, chunkSize = 16): ReadonlyArray<Claude.MessageStreamEvent> => {
  const out: Array<Claude.MessageStreamEvent> = [
    {
      type: "message_start",
      message: { ...msg, content: [], stop_reason: null, usage: { ...msg.usage, output_tokens: 1 } }
    }
  ]
  msg.content.forEach((block, index) => {
    if (block.type !== "text") return
    out.push({ type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } })
    for (let i = 0; i < block.text.length; i += chunkSize) {
      out.push({
        type: "content_block_delta",
        index,
        delta: { type: "text_delta", text: block.text.slice(i, i + chunkSize) }
      })
    }
    out.push({ type: "content_block_stop", index })
  })
  out.push({
    type: "message_delta",
    delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: { output_tokens: msg.usage.output_tokens }
  } as Claude.MessageStreamEvent)
  out.push({ type: "message_stop" })
  return out
}

export const stream = (
  text: string | Claude.Message,
  options: {
    readonly chunkSize?: number
    readonly failAfter?: { readonly events: number; readonly error: ClaudeError.ClaudeError }
  } = {}
): ScriptedClaude.Step => {
  const all = events(typeof text === "string" ? message(text) : text, options.chunkSize)
  return options.failAfter === undefined
    ? { _tag: "Stream", events: all }
    : { _tag: "Stream", events: all.slice(0, options.failAfter.events), failAfter: options.failAfter.error }
}

const exhausted = () =>
  new ClaudeError.UnknownApiError({ message: "ScriptedClaude: the script has no step left for this call" })

/** The service over a script, and the script's controls. */
export const make = (
  steps: ReadonlyArray<ScriptedClaude.Step>
): Effect.Effect<
  { readonly service: Claude.Service; readonly controls: ScriptedClaude.Service },
  never,
  RetryPolicy.RetryPolicy | CircuitBreaker.CircuitBreaker
> =>
  Effect.gen(function* () {
    const retry = yield* RetryPolicy.RetryPolicy
    const breaker = yield* CircuitBreaker.CircuitBreaker
    // A rate limiter only when one is provided: scripted attempts are admitted and settled like real ones.
    const quota = Option.getOrUndefined(yield* Effect.serviceOption(Quota.Quota))
    // Pauses sleep on the layer's clock (a TestClock drives them), run by the layer's runtime:
    // the transport is promise-based, so this is where a sleep crosses into a promise.
    const clock = yield* Effect.clock
    const runCallback = Runtime.runCallback(yield* Effect.runtime<never>())
    const wait = (millis: number, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const abortedError = () => new ClaudeError.ConnectionError({ message: "aborted", phase: "stream" })
        if (signal.aborted) return reject(abortedError())
        let cancel: (() => void) | undefined
        const aborted = () => {
          cancel?.()
          reject(abortedError())
        }
        signal.addEventListener("abort", aborted, { once: true })
        if (!Number.isFinite(millis)) return
        // An abort interrupts the sleep, so no sleeper is left waiting on the clock.
        cancel = runCallback(clock.sleep(Duration.millis(millis)), {
          onExit: (exit) => {
            signal.removeEventListener("abort", aborted)
            if (Exit.isSuccess(exit)) resolve()
          }
        })
      })
    const queue: Array<ScriptedClaude.Step> = [...steps]
    const calls: Array<ScriptedClaude.Call> = []
    const next = (operation: ScriptedClaude.Call["operation"], params: unknown): ScriptedClaude.Step | undefined => {
      calls.push({ operation, params })
      return queue.shift()
    }
    const transport: Transport = {
      create: async (params) => {
        const step = next("create", params)
        if (step === undefined) throw exhausted()
        if (step._tag === "Fail") throw step.error
        if (step._tag === "Reply") return step.message
        throw new ClaudeError.UnknownApiError({ message: "ScriptedClaude: a Stream step answered create" })
      },
      countTokens: async (params) => {
        calls.push({ operation: "count_tokens", params })
        return { input_tokens: Math.ceil(JSON.stringify(params.messages).length / 4) }
      },
      stream: async (params) => {
        const step = next("stream", params)
        if (step === undefined) throw exhausted()
        if (step._tag === "Fail") throw step.error
        const { events: list, failAfter } =
          step._tag === "Reply" ? { events: events(step.message), failAfter: undefined } : step
        const controller = new AbortController()
        return {
          controller,
          async *[Symbol.asyncIterator]() {
            for (const event of list) {
              if (event.type === "pause") await wait(event.millis, controller.signal)
              else yield event
            }
            if (failAfter !== undefined) throw failAfter
          }
        }
      }
    }
    const service = makeClient({
      options: { apiKey: Redacted.make("sk-ant-scripted") },
      retry: retry.schedule,
      breaker,
      quota,
      transport: () => transport
    })
    const controls: ScriptedClaude.Service = {
      calls: Effect.sync(() => [...calls]),
      push: (...more) => Effect.sync(() => void queue.push(...more))
    }
    return { service, controls }
  })
