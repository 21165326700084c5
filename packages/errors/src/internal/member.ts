import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as CE from "../ClaudeError.js"
import { redact } from "./redaction.js"

/** The brand of every member; the public `ClaudeError.TypeId` is this symbol. */
export const TypeId: CE.TypeId = Symbol.for("@claude-resilience/errors/ClaudeError") as CE.TypeId

export const isClaudeError = (u: unknown): u is CE.ClaudeError => Predicate.hasProperty(u, TypeId)

/** `Tag (status, type, code, reason, mid-stream, request id, wait): message`, for `toString`. */
export const describe = (e: CE.ClaudeError): string => {
  const parts: Array<string> = []
  if ("status" in e && e.status !== undefined) parts.push(String(e.status))
  if ("errorType" in e && e.errorType !== undefined) parts.push(e.errorType)
  if ("errorCode" in e && e.errorCode !== undefined) parts.push(e.errorCode)
  if (e._tag === "ConnectionError") parts.push(e.reason)
  if (e._tag === "CircuitOpenError") parts.push(`${e.key} ${e.state}`)
  if (e._tag === "PreflightError") parts.push(e.check, e.field)
  if (e._tag === "RequestTooLargeError" && e.preflight === true) parts.push("preflight")
  if (e._tag === "RefusalError" || e._tag === "ContextWindowExceededError") parts.push(e.model)
  if (e._tag === "RefusalError" && e.stopDetails?.category) parts.push(e.stopDetails.category)
  if ("phase" in e && e.phase === "stream") parts.push("mid-stream")
  if ("requestId" in e && e.requestId !== undefined) parts.push(`request-id ${e.requestId}`)
  if ("retryAfter" in e && e.retryAfter !== undefined) parts.push(`retry after ${Duration.format(e.retryAfter)}`)
  const head = parts.length > 0 ? `${e._tag} (${parts.join(", ")})` : e._tag
  // The decoders redact every field; this is the second line for errors built by hand.
  return redact(`${head}: ${e.message}`)
}

/**
 * The base every member extends: a `Schema.TaggedError` carrying the {@link TypeId} brand as a
 * class field, whose `toString` names the tag, status, type, request id and wait.
 */
export const Member =
  <Self>() =>
  <Tag extends string, Fields extends Schema.Struct.Fields>(
    tag: Tag,
    fields: Fields
  ): MemberClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
    // Typed by the signature above: `Self` is only known to the subclass.
    const Tagged = Schema.TaggedError<{ readonly _tag: Tag }>()(tag, fields) as unknown as new (
      props: unknown,
      disableValidation?: boolean
    ) => Cause.YieldableError
    class Base extends Tagged {
      readonly [TypeId] = TypeId
      override toString(): string {
        return describe(this as unknown as CE.ClaudeError)
      }
    }
    return Base as unknown as MemberClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields>
  }

export interface MemberClass<Self, Tag extends string, Fields extends Schema.Struct.Fields>
  extends Schema.Class<
    Self,
    Fields,
    Schema.Struct.Encoded<Fields>,
    Schema.Struct.Context<Fields>,
    Schema.Struct.Constructor<Omit<Fields, "_tag">>,
    {},
    Cause.YieldableError & { readonly [CE.TypeId]: CE.TypeId }
  > {
  readonly _tag: Tag
}

/**
 * A member built without running its constructor: no validation, no defaults, no stack trace —
 * an `Error` constructor captures a stack, which costs tens of microseconds on a deep fiber stack.
 */
export const unsafeMake = <A>(member: { readonly prototype: unknown; readonly _tag: string }, props: object): A => {
  const error = Object.create(member.prototype as object) as Record<PropertyKey, unknown>
  error._tag = member._tag
  error[TypeId] = TypeId
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue
    if (key === "message") {
      Object.defineProperty(error, "message", { value, writable: true, enumerable: false, configurable: true })
    } else error[key] = value
  }
  return error as A
}
