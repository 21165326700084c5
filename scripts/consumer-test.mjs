// The consumer test: what a user outside the monorepo gets. Packs every library package (each
// packages/* whose package.json is not private, demo and bench aside), installs the tarballs with npm
// into a fresh temporary project together with their peer dependencies at the ranges they declare
// (so the Effect 3 line) from the registry, type-checks a program with `module: NodeNext` + `strict`,
// runs it against FakeClaude started from the installed testing package, and asserts its output. An
// install, export-map or type regression fails here.
//
//   node scripts/consumer-test.mjs               build first, then test
//   node scripts/consumer-test.mjs --skip-build  use the packages' dist/ as they are (`pnpm test` builds just before)
//   node scripts/consumer-test.mjs --keep        keep the temporary project (its path is printed)
//
// Quiet: one line when it passes; every command's output when something fails.
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const root = new URL("..", import.meta.url).pathname
const args = new Set(process.argv.slice(2))
const started = Date.now()
const transcript = []

/** Runs a command, keeping its output for the failure report. */
const sh = async (cmd, argv, options = {}) => {
  transcript.push(`$ ${cmd} ${argv.join(" ")}${options.cwd ? `   (in ${options.cwd})` : ""}`)
  const t0 = Date.now()
  try {
    const { stdout, stderr } = await run(cmd, argv, { maxBuffer: 64 * 1024 * 1024, ...options })
    transcript.push(stdout, stderr, `(${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    return stdout
  } catch (error) {
    transcript.push(error.stdout ?? "", error.stderr ?? "")
    throw new Error(`${cmd} ${argv.join(" ")} failed (exit ${error.code})`)
  }
}

const check = (condition, what) => {
  if (!condition) throw new Error(`assertion failed: ${what}`)
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"))

/** The library packages: not private, not the drill or the benchmarks. */
const libraries = () =>
  readdirSync(join(root, "packages"))
    .filter((dir) => !["demo", "bench"].includes(dir) && existsSync(join(root, "packages", dir, "package.json")))
    .map((dir) => ({ dir, pkg: readJson(join(root, "packages", dir, "package.json")) }))
    .filter(({ pkg }) => pkg.private !== true)

/** Every required peer dependency of the packages, at the range they declare (the narrowest when two differ). */
const peersOf = (packages) => {
  const names = new Set(packages.map(({ pkg }) => pkg.name))
  const peers = new Map()
  for (const { pkg } of packages) {
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
      if (names.has(name) || pkg.peerDependenciesMeta?.[name]?.optional === true) continue
      const known = peers.get(name)
      // a longer range like "^0.97.2" is narrower than "^0.97.0": keep the highest floor
      if (known === undefined || range.localeCompare(known, undefined, { numeric: true }) > 0) peers.set(name, range)
    }
  }
  return [...peers].map(([name, range]) => `${name}@${range}`)
}

const main = async () => {
  const packages = libraries()
  check(packages.length > 0, "library packages found")
  const missing = packages.filter(({ dir }) => !existsSync(join(root, "packages", dir, "dist", "index.js")))
  if (!args.has("--skip-build") || missing.length > 0) await sh("pnpm", ["build"], { cwd: root })

  const dir = mkdtempSync(join(tmpdir(), "claude-resilience-consumer-"))
  try {
    // 1. pack (one pnpm process): pnpm rewrites workspace:^ to the version
    const tarballs = join(dir, "tarballs")
    const filters = packages.flatMap(({ pkg }) => ["--filter", pkg.name])
    await sh("pnpm", ["-r", ...filters, "pack", "--pack-destination", tarballs], { cwd: root })
    const files = readdirSync(tarballs).map((f) => join(tarballs, f))
    check(files.length === packages.length, `one tarball per package (${files.length}/${packages.length})`)

    // 2. a fresh project: the tarballs, their peers from the registry, and what a TypeScript user adds
    const app = join(dir, "app")
    await sh("mkdir", ["-p", join(app, "src")])
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
    const rootPkg = readJson(join(root, "package.json"))
    const tools = [`@types/node@${rootPkg.devDependencies["@types/node"]}`]
    await sh(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        ...files,
        ...peersOf(packages),
        ...tools
      ],
      { cwd: app }
    )
    const effect = readJson(join(app, "node_modules", "effect", "package.json")).version
    check(effect.startsWith("3."), `the Effect 3 line is installed (effect ${effect})`)

    // 3. the programs: the user's, and an import of every package's entry and a public submodule
    writeFileSync(join(app, "src", "main.ts"), readFileSync(join(root, "scripts", "consumer", "main.ts")))
    const names = packages.map(({ pkg }) => pkg.name)
    writeFileSync(
      join(app, "src", "exports.ts"),
      [
        ...names.map((name, i) => `import * as entry${i} from "${name}"`),
        `const entries: Record<string, object> = { ${names.map((name, i) => `"${name}": entry${i}`).join(", ")} }`,
        'const closed = await import("@claude-resilience/client/internal/metrics" as string).then(() => false, (e) => e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED")',
        'const submodule = Object.keys(await import("@claude-resilience/client/Claude"))',
        "console.log(JSON.stringify({ entries: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Object.keys(v)])), closed, submodule }))",
        ""
      ].join("\n")
    )
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          outDir: "dist",
          rootDir: "src",
          types: ["node"]
        },
        include: ["src"]
      })
    )

    // 4. every import in what was published names a declared dependency or peer (skipLibCheck would
    // otherwise let a .d.ts import of an undeclared package turn into `any`)
    for (const name of names) {
      const pkgDir = join(app, "node_modules", name)
      const pkg = readJson(join(pkgDir, "package.json"))
      // a published README's links must work on npm: none may leave the package by a relative path
      const readme = readFileSync(join(pkgDir, "README.md"), "utf8")
      const outside = readme.match(/\]\((?:\.\.\/)[^)]*\)/g) ?? []
      check(outside.length === 0, `${name}'s README links nothing outside the package (${outside.join(", ")})`)
      const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
      for (const file of readdirSync(join(pkgDir, "dist"), { recursive: true })) {
        if (!/\.(js|d\.ts)$/.test(file)) continue
        const text = readFileSync(join(pkgDir, "dist", file), "utf8")
        const specs = [
          ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gm),
          ...text.matchAll(/^\s*import\s+"([^"]+)"/gm),
          ...text.matchAll(/\bimport\("([^"]+)"\)/g)
        ].map((m) => m[1])
        for (const spec of specs) {
          if (spec.startsWith(".") || spec.startsWith("node:") || spec === name || spec.startsWith(`${name}/`)) continue
          const dep = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
          check(declared.has(dep), `${name}/dist/${file} imports "${spec}", which ${name} does not declare`)
        }
      }
    }

    // 5. type-check and compile with the workspace's TypeScript, then run with node
    await sh(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: app })
    const exportsOut = JSON.parse(await sh("node", ["dist/exports.js"], { cwd: app }))
    for (const name of names) check(exportsOut.entries[name]?.length > 0, `${name} exports its modules`)
    check(exportsOut.closed === true, "./internal/* is closed")
    check(exportsOut.submodule.includes("layer"), "a public submodule (client/Claude) resolves")

    const out = JSON.parse((await sh("node", ["dist/main.js"], { cwd: app })).trim().split("\n").at(-1))
    check(out.created.stopReason === "end_turn", "the create answered after its 529")
    check(out.streamed.exact === true && out.streamed.resumptions === 1, "the cut stream resumed to the exact text")
    check(out.failure === "NotFoundError", "an unknown model fails with NotFoundError in the typed channel")
    check(out.successes >= 2, "the tagged success counter counted the calls")
    check(out.metrics.claude_tokens_input_total > 0, "the token counters counted")
    check(JSON.stringify(out.requests) === JSON.stringify(["529", "200", "cut", "200", "404"]), "what FakeClaude saw")

    // 6. the fake-claude command of the installed testing package
    const version = (await sh(join(app, "node_modules", ".bin", "fake-claude"), ["--version"], { cwd: app })).trim()
    check(version === readJson(join(root, "packages", "testing", "package.json")).version, "npx fake-claude runs")

    const installed = (await sh("npm", ["ls", "--all", "--parseable"], { cwd: app })).trim().split("\n").length - 1
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(
      `consumer test: ${packages.length} packages packed, installed with npm (${installed} packages, effect ${effect}), type-checked (NodeNext, strict) and run against FakeClaude in ${seconds} s`
    )
  } finally {
    if (args.has("--keep")) console.log(`kept: ${dir}\n${transcript.filter((l) => /^\$|^\(\d/.test(l)).join("\n")}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(transcript.filter((line) => line.length > 0).join("\n"))
  console.error(`\nconsumer test FAILED: ${error.message}`)
  process.exit(1)
})
