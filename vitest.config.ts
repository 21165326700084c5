import { defineConfig } from "vitest/config"
import workspace from "./vitest.workspace.js"

/**
 * The root config: the projects listed in vitest.workspace.ts, given to `test.projects`. Vitest 3
 * reads a workspace file on its own too, but then prints a deprecation notice on every run.
 */
export default defineConfig({ test: { projects: [...workspace] } })
