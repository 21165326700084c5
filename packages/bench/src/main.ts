/**
 * `pnpm bench [--quick] [--in-process] [--no-resume] [--no-write] [--no-fleet] [--no-paths] [--seed N]`:
 * runs the benchmark and writes docs/benchmarks.md and docs/benchmarks.json. `--from-json FILE` renders
 * the page from saved results instead of running; `--only fleet` runs the fleet scenario alone and
 * `--only paths` the hot-path section alone (`--paths create,stream300,stream10k`: only those paths,
 * without memory and breaker), putting the new results into the saved ones (docs/benchmarks.json) and
 * leaving the rest as measured.
 *
 * @since 0.1.0
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { compareStrategies, seededCuts } from "./Regeneration.js"
import * as BatchBench from "./BatchBench.js"
import * as FallbackBench from "./FallbackBench.js"
import * as Bench from "./Bench.js"
import * as Fleet from "./Fleet.js"
import * as Notes from "./Notes.js"
import * as Paths from "./Paths.js"
import * as PathsReport from "./PathsReport.js"
import * as Report from "./Report.js"
import * as Server from "./Server.js"

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(name)
const seedIndex = args.indexOf("--seed")
const seed = seedIndex >= 0 ? Number(args[seedIndex + 1] ?? "42") : 42
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const onlyIndex = args.indexOf("--only")
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined
const scale = flag("--quick") ? "quick" : "full"
const pathsIndex = args.indexOf("--paths")
const pathGroups = pathsIndex >= 0 ? (args[pathsIndex + 1] ?? "").split(",").filter((g) => g !== "") : undefined

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const fromJson = args.indexOf("--from-json")
  if (only !== undefined && only !== "fleet" && only !== "paths")
    return yield* Effect.dieMessage(`--only ${only}: only "fleet" and "paths" are supported`)
  const unknownPath = pathGroups?.find((g) => !Paths.groupNames.includes(g as Paths.Group))
  if (unknownPath !== undefined)
    return yield* Effect.dieMessage(`--paths ${unknownPath}: one of ${Paths.groupNames.join(", ")}`)
  const saved = (file: string) =>
    Effect.map(fs.readFileString(path.resolve(root, file)), (text) => JSON.parse(text) as Bench.Results)
  const withHost = <A>(f: (host: Server.Host) => Promise<A>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => (flag("--in-process") ? Server.inProcess() : Server.childProcess())),
      (host) => Effect.promise(() => f(host)),
      (host) => Effect.promise(() => host.close())
    )
  const onProgress = (line: string) => process.stderr.write(`${line}\n`)
  const runPaths = Effect.promise(() =>
    Paths.run({ scale, groups: pathGroups as ReadonlyArray<Paths.Group> | undefined, onProgress })
  )
  const measured: Bench.Results =
    fromJson >= 0
      ? yield* saved(args[fromJson + 1] ?? "docs/benchmarks.json")
      : only === "paths"
        ? yield* Effect.flatMap(saved("docs/benchmarks.json"), (before) =>
            Effect.map(runPaths, (paths) => ({ ...before, paths: Paths.merge(before.paths, paths) }))
          )
        : only === "fleet"
          ? {
              ...(yield* saved("docs/benchmarks.json")),
              fleet: yield* withHost((host) => Fleet.run({ scale, seed, host, onProgress }))
            }
          : yield* withHost((host) =>
              Bench.run({ scale, seed, host, resumable: !flag("--no-resume"), fleet: !flag("--no-fleet"), onProgress })
            )
  // Output generated twice per cut, per strategy, on the same seeded cuts (the stream package's measure).
  const results: Bench.Results =
    fromJson >= 0 || only !== undefined || measured.regeneration !== undefined
      ? measured
      : {
          ...measured,
          regeneration: yield* Effect.flatMap(seededCuts(scale === "quick" ? 3 : 12), compareStrategies)
        }
  // The Message Batches scenario (its own contenders and table).
  const withBatch: Bench.Results =
    fromJson >= 0 || only !== undefined || results.batch !== undefined
      ? results
      : {
          ...results,
          batch: yield* Effect.promise(() =>
            BatchBench.run({
              scale,
              seed,
              onProgress: (line) => process.stderr.write(`${line}\n`)
            })
          )
        }
  // The outage-fallback scenario (a model down; the same workload with and without a fallback plan).
  const withFallback: Bench.Results =
    fromJson >= 0 || only !== undefined || withBatch.outageFallback !== undefined
      ? withBatch
      : {
          ...withBatch,
          outageFallback: yield* Effect.promise(() =>
            FallbackBench.run({
              scale: flag("--quick") ? "quick" : "full",
              seed,
              onProgress: (line) => process.stderr.write(`${line}\n`)
            })
          )
        }
  // The hot paths (client CPU per call against the plain SDK, ablation, memory, breaker).
  const all: Bench.Results =
    fromJson >= 0 || only !== undefined || withFallback.paths !== undefined || flag("--no-paths")
      ? withFallback
      : { ...withFallback, paths: yield* runPaths }
  yield* Console.log(Report.table(all))
  if (all.fleet !== undefined) yield* Console.log(Report.fleetTable(all.fleet))
  if (all.batch !== undefined) yield* Console.log(BatchBench.table(all.batch))
  if (all.outageFallback !== undefined) yield* Console.log(FallbackBench.table(all.outageFallback))
  if (all.paths !== undefined) {
    yield* Console.log(PathsReport.table(all.paths))
    yield* Console.log(PathsReport.ablationTable(all.paths))
    yield* Console.log(PathsReport.memoryTable(all.paths))
    if (all.paths.breaker !== undefined) yield* Console.log(PathsReport.breakerTable(all.paths.breaker))
  }
  for (const v of [
    ...Report.verdicts(all),
    ...Report.fleetVerdicts(all),
    ...(all.batch ? BatchBench.verdicts(all.batch) : []),
    ...(all.outageFallback ? FallbackBench.verdicts(all.outageFallback) : []),
    ...(all.paths ? PathsReport.verdicts(all.paths) : [])
  ])
    yield* Console.log(`${v.met ? "met   " : "MISSED"} ${v.target}: ${v.measured}`)
  if (!flag("--no-write")) {
    const notes =
      Notes.notes(all) +
      (all.batch ? `\n${BatchBench.markdown(all.batch)}` : "") +
      (all.outageFallback ? `\n${FallbackBench.markdown(all.outageFallback)}` : "")
    yield* fs.writeFileString(path.join(root, "docs/benchmarks.json"), `${JSON.stringify(all, null, 2)}\n`)
    yield* fs.writeFileString(path.join(root, "docs/benchmarks.md"), Report.markdown(all, notes))
    yield* Console.log("wrote docs/benchmarks.md and docs/benchmarks.json")
  }
})

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
