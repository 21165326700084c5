// Compiles every `@example` of the packages' public modules: each JSDoc ```ts block becomes a
// file in .examples/ and one `tsc --noEmit` checks them all against the sources.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const out = join(root, ".examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out)

const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== "internal") walk(path)
    } else if (name.endsWith(".ts")) files.push(path)
  }
}
for (const pkg of readdirSync(join(root, "packages"))) {
  const src = join(root, "packages", pkg, "src")
  try {
    walk(src)
  } catch {
    // a package without src
  }
}

let count = 0
for (const file of files) {
  const text = readFileSync(file, "utf8")
  for (const doc of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    for (const block of doc[1].matchAll(/```ts\n([\s\S]*?)```/g)) {
      const code = block[1]
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, ""))
        .join("\n")
      count++
      const name = `${relative(join(root, "packages"), file).replace(/[/.]/g, "_")}_${count}.ts`
      writeFileSync(join(out, name), `${code}\nexport {}\n`)
    }
  }
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
    include: ["./*.ts"]
  })
)
try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], { stdio: "inherit" })
  console.log(`${count} examples compile`)
} catch {
  console.error("some examples do not compile (files in .examples/)")
  process.exit(1)
}
