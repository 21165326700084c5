/**
 * The accounting of a stream's attempts: the current attempt's counters (tokens the server
 * reported, characters delivered and dropped) and the record of every closed attempt.
 *
 * @internal
 */
import type { ClaudeError } from "@claude-resilience/errors"
import type * as ResumableStream from "../ResumableStream.js"

/**
 * A token count as it may be summed: a non-negative integer, else 0. The client's boundary has
 * already refused any other value; this keeps the sums sound whatever a stream carried.
 *
 * @internal
 */
export const tokens = (u: unknown): number => (typeof u === "number" && Number.isSafeInteger(u) && u >= 0 ? u : 0)

/** @internal */
export class Accounting {
  private readonly closed: Array<ResumableStream.Attempt> = []
  /** the number of the current attempt, from 1 */
  attempt = 1
  /** the model the current attempt asks */
  model: string
  kind: ResumableStream.AttemptKind = "initial"
  inputTokens = 0
  outputTokens = 0
  /** text the current attempt added to the answer */
  characters = 0
  /** characters of the current attempt not emitted because the consumer had them */
  dropped = 0
  /** whether `message_stop` arrived */
  completed = false

  constructor(model: string) {
    this.model = model
  }

  /** The closed attempts, oldest first. */
  get history(): ReadonlyArray<ResumableStream.Attempt> {
    return this.closed
  }

  /** Input tokens over every attempt so far, the current one included. */
  get totalInputTokens(): number {
    return this.closed.reduce((n, a) => n + a.inputTokens, this.inputTokens)
  }

  /** Output tokens over every attempt so far, the current one included. */
  get totalOutputTokens(): number {
    return this.closed.reduce((n, a) => n + a.outputTokens, this.outputTokens)
  }

  /** The current attempt's accounting, ended by `error`. */
  snapshot(error: ClaudeError.ClaudeError): ResumableStream.Attempt {
    return {
      attempt: this.attempt,
      kind: this.kind,
      model: this.model,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      characters: this.characters,
      dropped: this.dropped,
      completed: this.completed,
      error
    }
  }

  /** Records the current attempt as failed with `error`. */
  close(error: ClaudeError.ClaudeError): ResumableStream.Attempt {
    const attempt = this.snapshot(error)
    this.closed.push(attempt)
    return attempt
  }

  /** Starts the next attempt, on `model`. */
  next(kind: ResumableStream.AttemptKind, model: string): void {
    this.attempt += 1
    this.kind = kind
    this.model = model
    this.inputTokens = 0
    this.outputTokens = 0
    this.characters = 0
    this.dropped = 0
    this.completed = false
  }
}
