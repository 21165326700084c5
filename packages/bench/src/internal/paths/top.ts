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
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  /** the node on top of the stack at each sample */
  readonly samples: ReadonlyArray<number>
  /** µs before each sample */
  readonly timeDeltas: ReadonlyArray<number>
}

/** Where a function lives: a workspace package, a dependency, Node itself, or V8 (the idle loop, GC, native code). */
const packageOf = (url: string, functionName: string): string => {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)"
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
// self time of a node: the time of the samples that found it on top of the stack
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0
  const { functionName, url, lineNumber } = node.callFrame
  const where = url === "" ? "" : ` ${url.replace(/^file:\/\/.*?\/(packages|node_modules)\//, "$1/")}:${lineNumber + 1}`
  const name = `${functionName === "" ? "(anonymous)" : functionName}${where}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + us)
  const pkg = packageOf(url, functionName)
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
}
const print = (title: string, table: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`)
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `${((100 * us) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}\n`
    )
}
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n`)
print("self time by package", byPackage)
print("self time by function", byFunction)
