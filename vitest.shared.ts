import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ViteUserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))

/**
 * Shared Vitest settings for every package: workspace packages resolve to their
 * TypeScript sources, so tests never need a build first.
 */
export const shared: ViteUserConfig = {
  resolve: {
    alias: [
      {
        // a module below a package's root, e.g. `@claude-resilience/rate-limit/QuotaStore/Redis`
        find: /^@claude-resilience\/([a-z-]+)\/([A-Za-z/]+)$/,
        replacement: path.join(root, "packages/$1/src/$2.ts")
      },
      {
        find: /^@claude-resilience\/([a-z-]+)$/,
        replacement: path.join(root, "packages/$1/src/index.ts")
      }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
}
