/**
 * The scripted-reply data: constructors of `Reply`.
 *
 * @internal
 */
import type * as Reply from "../Reply.js"

/** @internal */
export const toolUse = (
  calls: ReadonlyArray<Reply.ToolCall>,
  options: Reply.BaseOptions & { readonly text?: string | undefined } = {}
): Reply.ToolUse => ({ ...options, _tag: "ToolUse", calls })

/** @internal */
export const text = (text: string, options: Reply.BaseOptions = {}): Reply.Text => ({ ...options, _tag: "Text", text })

/** @internal */
export const times = <R extends Reply.Reply>(reply: R, n: number): ReadonlyArray<R> =>
  Array.from({ length: Math.max(0, n) }, () => reply)
