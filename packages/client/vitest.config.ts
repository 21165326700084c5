import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

// Redis for the fleet tests of the rate limiter (test/RateLimit.redis.test.ts): see vitest.redis.ts.
export default mergeConfig(shared, defineProject({ test: { name: "client", globalSetup: ["../../vitest.redis.ts"] } }))
