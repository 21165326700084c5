/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`): self time by function and by package, the
 * largest first.
 *
 *     node --import tsx packages/bench/src/internal/paths/top.ts PROFILE.cpuprofile [N]
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly startTime: number
  readonly endTime: number
}

/** Where a function lives: a workspace package, a dependency, Node itself, or V8 (GC, the idle loop). */
const packageOf = (url: string): string => {
  if (url === "") return "(v8: gc, idle, program)"
  if (url.startsWith("node:")) return "(node)"
  const dependency = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (dependency?.[1] !== undefined) return dependency[1]
  const workspace = url.match(/packages\/([^/]+)\//)
  return workspace?.[1] !== undefined ? `@claude-resilience/${workspace[1]}` : url
}

const file = process.argv[2]
if (file === undefined) {
  process.stderr.write("usage: top.ts PROFILE.cpuprofile [N]\n")
  process.exit(1)
}
const top = Number(process.argv[3] ?? "25")
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0)
const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, hits)
const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame
  const where = url === "" ? "" : ` ${url.replace(/^file:\/\/.*?\/(packages|node_modules)\//, "$1/")}:${lineNumber + 1}`
  const name = `${functionName === "" ? "(anonymous)" : functionName}${where}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + (node.hitCount ?? 0))
  const pkg = packageOf(url)
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (node.hitCount ?? 0))
}
const print = (title: string, table: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`)
  for (const [name, n] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `${((100 * n) / Math.max(1, hits)).toFixed(1).padStart(5)} %  ${(n * msPerHit).toFixed(0).padStart(6)} ms  ${name}\n`
    )
}
print("self time by package", byPackage)
print("self time by function", byFunction)
