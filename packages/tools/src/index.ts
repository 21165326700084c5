/**
 * @since 0.1.0
 */

/**
 * Checks a conversation against the API's rules (tool pairing, roles, prefill) and repairs the pairing.
 *
 * @since 0.1.0
 */
export * as Conversation from "./Conversation.js"

/**
 * A tool defined from an `effect/Schema` input and an `Effect` handler.
 *
 * @since 0.1.0
 */
export * as Tool from "./Tool.js"

/**
 * Why a tool call ended without a normal result, and the text its error `tool_result` carries.
 *
 * @since 0.1.0
 */
export * as ToolFailure from "./ToolFailure.js"

/**
 * A set of tools, and the function that answers an assistant turn with one `tool_result` per `tool_use`.
 *
 * @since 0.1.0
 */
export * as Toolkit from "./Toolkit.js"

/**
 * The tool loop over the resilient `Claude` service.
 *
 * @since 0.1.0
 */
export * as ToolLoop from "./ToolLoop.js"
