/**
 * Plain data describing one fault that {@link FakeClaude} injects into one response.
 *
 * Scripted faults are queued with `FakeClaude.enqueue` and consumed in order by the requests they match.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/fault.js"

/**
 * What a fault's `match` predicate sees of a request.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const streamsOnly = (request: Fault.RequestInfo) => request.stream
 * ```
 */
export interface RequestInfo {
  readonly method: string
  readonly path: string
  /** lower-case header names, without `x-api-key` and `authorization` */
  readonly headers: Readonly<Record<string, string>>
  /** the parsed JSON body, or the raw text when it is not JSON */
  readonly body: unknown
  readonly stream: boolean
}

/**
 * Options every fault accepts.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const options: Fault.BaseOptions = { match: (request) => request.stream }
 * ```
 */
export interface BaseOptions {
  /** only a request for which this returns `true` consumes the fault (default: any request) */
  readonly match?: ((request: RequestInfo) => boolean) | undefined
}

/**
 * Headers an error response may carry.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const options: Fault.HeaderOptions = { retryAfter: "2", shouldRetry: true }
 * ```
 */
export interface HeaderOptions extends BaseOptions {
  /** raw `retry-after` value: seconds ("2") or an HTTP-date */
  readonly retryAfter?: string | undefined
  /** raw `retry-after-ms` value */
  readonly retryAfterMs?: string | undefined
  /** `x-should-retry: true|false` */
  readonly shouldRetry?: boolean | undefined
  /** any extra headers */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of {@link status}.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const options: Fault.StatusOptions = { errorType: "overloaded_error", message: "Overloaded" }
 * ```
 */
export interface StatusOptions extends HeaderOptions {
  /** `error.type` in the body (default: the API's type for the status, e.g. `overloaded_error` for 529) */
  readonly errorType?: string | undefined
  /** `error.message` in the body */
  readonly message?: string | undefined
}

/**
 * Options of the SSE error fault.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const options: Fault.SseErrorOptions = { errorType: "api_error" }
 * ```
 */
export interface SseErrorOptions extends BaseOptions {
  readonly errorType?: string | undefined
  readonly message?: string | undefined
}

/**
 * An error status with the API's JSON error body.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Status = Fault.status(529)
 * ```
 */
export interface Status extends StatusOptions {
  readonly _tag: "Status"
  readonly status: number
}

/**
 * An HTML error page, as a proxy in front of the API would send.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Html = Fault.html(502)
 * ```
 */
export interface Html extends HeaderOptions {
  readonly _tag: "Html"
  readonly status: number
}

/**
 * A status with an empty body.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.EmptyBody = Fault.emptyBody(503)
 * ```
 */
export interface EmptyBody extends HeaderOptions {
  readonly _tag: "EmptyBody"
  readonly status: number
}

/**
 * A JSON error body cut in the middle.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.TruncatedJson = Fault.truncatedJson(500)
 * ```
 */
export interface TruncatedJson extends HeaderOptions {
  readonly _tag: "TruncatedJson"
  readonly status: number
}

/**
 * A delay before the normal answer.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Latency = Fault.latency(100)
 * ```
 */
export interface Latency extends BaseOptions {
  readonly _tag: "Latency"
  readonly millis: number
}

/**
 * The connection destroyed before any response byte.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Reset = Fault.reset()
 * ```
 */
export interface Reset extends BaseOptions {
  readonly _tag: "Reset"
}

/**
 * The socket destroyed after `afterEvents` SSE events (a non-streaming request gets its headers and half
 * its body, then the socket is destroyed).
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.CutStream = Fault.cutStream(5)
 * ```
 */
export interface CutStream extends BaseOptions {
  readonly _tag: "CutStream"
  readonly afterEvents: number
}

/**
 * An SSE `event: error` after `afterEvents` events, then the end of the stream.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.SseError = Fault.sseError(5)
 * ```
 */
export interface SseError extends SseErrorOptions {
  readonly _tag: "SseError"
  readonly afterEvents: number
}

/**
 * Garbage SSE lines after `afterEvents` events, then the end of the stream.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.MalformedSse = Fault.malformedSse(5)
 * ```
 */
export interface MalformedSse extends BaseOptions {
  readonly _tag: "MalformedSse"
  readonly afterEvents: number
}

/**
 * Silence (socket kept open) for `millis` after `afterEvents` events, then the rest of the stream.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Stall = Fault.stall(5, 1_000)
 * ```
 */
export interface Stall extends BaseOptions {
  readonly _tag: "Stall"
  readonly afterEvents: number
  readonly millis: number
}

/**
 * After `afterEvents` events, `count` SSE `ping` events `everyMs` apart and nothing else, then the
 * rest of the stream: a connection that is alive but sends no content for a while.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const fault: Fault.Pings = Fault.pings(5, 10, 100)
 * ```
 */
export interface Pings extends BaseOptions {
  readonly _tag: "Pings"
  readonly afterEvents: number
  readonly count: number
  readonly everyMs: number
}

/**
 * One fault.
 *
 * @since 0.1.0
 * @category Models
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const faults: ReadonlyArray<Fault.Fault> = [Fault.status(529), Fault.reset()]
 * ```
 */
export type Fault =
  | Status
  | Html
  | EmptyBody
  | TruncatedJson
  | Latency
  | Reset
  | CutStream
  | SseError
  | MalformedSse
  | Stall
  | Pings

/**
 * An error status with the real error JSON body `{"type":"error","error":{...},"request_id":...}`.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const overloaded = Fault.status(529, { retryAfter: "2", shouldRetry: true })
 * ```
 */
export const status: (status: number, options?: StatusOptions) => Status = internal.status

/**
 * An HTML error page (default 502), like the one a proxy returns.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const badGateway = Fault.html(502)
 * ```
 */
export const html: (status?: number, options?: HeaderOptions) => Html = internal.html

/**
 * A status with an empty body.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const unavailable = Fault.emptyBody(503)
 * ```
 */
export const emptyBody: (status?: number, options?: HeaderOptions) => EmptyBody = internal.emptyBody

/**
 * A JSON error body cut mid-way (`content-type: application/json`).
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const garbled = Fault.truncatedJson(500)
 * ```
 */
export const truncatedJson: (status?: number, options?: HeaderOptions) => TruncatedJson = internal.truncatedJson

/**
 * Wait `millis` (real milliseconds), then answer normally.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const slow = Fault.latency(250)
 * ```
 */
export const latency: (millis: number, options?: BaseOptions) => Latency = internal.latency

/**
 * Destroy the connection before any response byte (the SDK reports a connection error).
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const reset = Fault.reset()
 * ```
 */
export const reset: (options?: BaseOptions) => Reset = internal.reset

/**
 * Destroy the socket after `afterEvents` SSE events.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const cut = Fault.cutStream(5)
 * ```
 */
export const cutStream: (afterEvents: number, options?: BaseOptions) => CutStream = internal.cutStream

/**
 * Send an SSE `event: error` (default `overloaded_error`) after `afterEvents` events, then end the stream.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const overloadedMidStream = Fault.sseError(4, { errorType: "overloaded_error" })
 * ```
 */
export const sseError: (afterEvents: number, options?: SseErrorOptions) => SseError = internal.sseError

/**
 * Send lines that are not valid SSE JSON after `afterEvents` events, then end the stream.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const garbage = Fault.malformedSse(3)
 * ```
 */
export const malformedSse: (afterEvents: number, options?: BaseOptions) => MalformedSse = internal.malformedSse

/**
 * Stop sending for `millis` (socket open) after `afterEvents` events, then finish the stream.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const stall = Fault.stall(3, 5_000)
 * ```
 */
export const stall: (afterEvents: number, millis: number, options?: BaseOptions) => Stall = internal.stall

/**
 * A stream that goes quiet but stays alive: after `afterEvents` events, `count` pings `everyMs`
 * apart (the first after `everyMs`), then the rest of the stream. Deterministic: no content is
 * sent in between.
 *
 * @since 0.1.0
 * @category Constructors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * // 10 pings 50 ms apart after the 4th event: half a second with no content
 * const quiet = Fault.pings(4, 10, 50)
 * ```
 */
export const pings: (afterEvents: number, count: number, everyMs: number, options?: BaseOptions) => Pings =
  internal.pings

/**
 * The same fault restricted to requests matching `predicate`.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const onlyStreams = Fault.matching(Fault.cutStream(2), (request) => request.stream)
 * ```
 */
export const matching: <F extends Fault>(fault: F, predicate: (request: RequestInfo) => boolean) => F =
  internal.matching

/**
 * The same fault restricted to requests for one model (an exact id, or a prefix ending in `*`), and
 * to those its own `match` accepts: a test can fail one model and not another.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const opusCut = Fault.forModel(Fault.cutStream(5), "claude-opus-4-8")
 * ```
 */
export const forModel: <F extends Fault>(fault: F, model: string) => F = internal.forModel

/**
 * `n` copies of a fault, to spread into `enqueue`.
 *
 * @since 0.1.0
 * @category Combinators
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * const threeOverloads = Fault.times(Fault.status(529), 3)
 * ```
 */
export const times: <F extends Fault>(fault: F, n: number) => ReadonlyArray<F> = internal.times

/**
 * A short label for records and stats, e.g. `"status:529"`, `"cutStream:5"`, `"reset"`.
 *
 * @since 0.1.0
 * @category Accessors
 * @example
 * ```ts
 * import { Fault } from "@claude-resilience/testing"
 *
 * Fault.label(Fault.html(502)) // "html:502"
 * ```
 */
export const label: (fault: Fault) => string = internal.label
