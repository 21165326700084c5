/**
 * @since 0.1.0
 */

/**
 * FakeClaude: a real HTTP + SSE fake of the Claude Messages API with faults on demand.
 *
 * @since 0.1.0
 */
export * as FakeClaude from "./FakeClaude.js"

/**
 * Images for tests: the smallest JPEG, PNG, GIF or WebP file whose header says a given size.
 *
 * @since 0.1.0
 */
export * as FakeImage from "./FakeImage.js"

/**
 * Plain data describing the faults FakeClaude injects.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * Plain data describing scripted answers (tool calls chosen by the test).
 *
 * @since 0.1.0
 */
export * as Reply from "./Reply.js"
