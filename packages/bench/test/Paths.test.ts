/**
 * The `paths` section: its specs, verdicts and rendering on made-up numbers, and a tiny run of the
 * child process. Nothing here measures time.
 */
import { Paths, PathsReport, Rounds } from "@claude-resilience/bench"
import { describe, expect, it } from "vitest"

const group = (
  name: Paths.Group,
  variants: ReadonlyArray<readonly [Paths.Variant, ReadonlyArray<number>, number?]>
): Paths.GroupResult => ({
  group: name,
  rounds: variants[0]?.[1].length ?? 0,
  batch: 10,
  warmup: 5,
  deltas: name === "create" ? 0 : 300,
  variants: variants.map(([variant, usPerCall, wallP50Ms]) => ({ variant, usPerCall, wallP50Ms: wallP50Ms ?? 1 }))
})

const memory = (variant: Paths.MemoryVariant, bytesPerCall: number): Paths.MemoryResult => ({
  variant,
  inFlight: 1000,
  pendingAtMeasure: 1000,
  heapBytesPerCall: bytesPerCall - 100,
  externalBytesPerCall: 100,
  bytesPerCall
})

const results: Paths.Results = {
  meta: { date: "2026-12-03", node: "v20", os: "Linux", cpu: "CPU", cores: 2, scale: "quick", model: Paths.model },
  groups: [
    group("create", [
      ["sdk", [100, 200, 100], 2],
      ["default", [110, 260, 150], 2.5],
      ["no-logs", [100, 250, 140], 2.4]
    ]),
    group("stream300", [
      ["sdk", [1000, 1000, 1000]],
      ["stream", [1400, 1600, 1450]],
      ["resumable", [1500, 1700, 1600]]
    ])
  ],
  memory: [
    memory("sdk-create", 35_000),
    memory("create", 70_000),
    memory("sdk-stream", 40_000),
    memory("stream", 50_000)
  ],
  breaker: { repetitions: 3, baselineUs: [1, 2, 3], closedUs: [2, 3.5, 9], rejectedUs: [5, 6, 7] }
}

describe("Paths.specs", () => {
  it("the specs interleave enough rounds and start with their reference", () => {
    for (const scale of ["quick", "full"] as const)
      for (const spec of Paths.specs(scale)) {
        expect(spec.variants[0]).toBe("sdk")
        expect(spec.rounds).toBeGreaterThanOrEqual(3)
        expect(spec.batch).toBeGreaterThan(0)
      }
    expect(Paths.specs("full").map((s) => s.group)).toEqual(Paths.groupNames)
  })
})

describe("PathsReport", () => {
  it("formats a spread as median (min–max) and a verdict cell", () => {
    expect(PathsReport.formatSpread({ median: 1.234, min: 1, max: 2.5 }, 2, "×")).toBe("1.23× (1.00–2.50)")
    expect(PathsReport.formatSpread(Rounds.spread([]))).toBe("–")
    expect([PathsReport.formatMet(true), PathsReport.formatMet(false), PathsReport.formatMet(undefined)]).toEqual([
      "yes",
      "**no**",
      "–"
    ])
  })

  it("a ratio verdict is met at or below the limit, unmeasured without a ratio", () => {
    expect(PathsReport.ratioVerdict("t", { median: 1.2, min: 1, max: 2 }, 1.2).met).toBe(true)
    expect(PathsReport.ratioVerdict("t", { median: 1.21, min: 1, max: 2 }, 1.2)).toEqual({
      target: "t",
      measured: "1.21× (rounds 1.00–2.00×)",
      met: false
    })
    expect(PathsReport.ratioVerdict("t", undefined, 1.2).met).toBeUndefined()
  })

  it("verdicts: the ratio of each path per round, the breaker over Effect.void, memory, the p50", () => {
    const all = PathsReport.verdicts(results)
    // create: per-round ratios 1.1, 1.3, 1.5 → median 1.3 > 1.2
    expect(all[0]).toMatchObject({ measured: "1.30× (rounds 1.10–1.50×)", met: false })
    // stream 300: 1.4, 1.6, 1.45 → 1.45 ≤ 1.5
    expect(all[1]).toMatchObject({ measured: "1.45× (rounds 1.40–1.60×)", met: true })
    // not run
    expect(all[2]?.met).toBeUndefined()
    // resumable over stream: 1500/1400, 1700/1600, 1600/1450 → median 1.0714…
    expect(all[3]?.measured.startsWith("1.07×")).toBe(true)
    expect(all[3]?.met).toBe(true)
    const breaker = all.find((v) => v.target.startsWith("circuit breaker"))
    // per-repetition differences: closed 1, 1.5, 6 → 1.5; rejected 4, 4, 4 → 4
    expect(breaker).toMatchObject({ measured: "closed 1.50 µs, rejection 4.00 µs", met: false })
    const memoryVerdicts = all.filter((v) => v.target.startsWith("memory"))
    expect(memoryVerdicts.map((v) => v.met)).toEqual([false, true])
    const p50 = all.find((v) => v.target.startsWith("fault-free loopback"))
    expect(p50).toMatchObject({ measured: "2.50 ms vs 2.00 ms (+0.50 ms)", met: true })
  })

  it("the ablation table shows each variant's difference to the default layer per round", () => {
    const table = PathsReport.ablationTable(results)
    // no-logs − default per round: −10, −10, −10
    expect(table).toContain(`| ${Paths.labels["no-logs"]} | 140 (100–250) | -10 (-10–-10) |`)
    expect(table).toContain(`| ${Paths.labels.default} | 150 (110–260) | – |`)
  })

  it("the section names the machine, the targets and every table", () => {
    const page = PathsReport.markdown(results)
    for (const text of [
      "2026-12-03",
      "Node v20",
      "### Targets",
      "### Per path",
      "(ablation)",
      "### Memory",
      "### Circuit breaker"
    ])
      expect(page).toContain(text)
    expect(page).toContain(
      "| stream, 300 tokens | plain SDK | 1000 (1000–1000) | 1450 (1400–1600) | 1.45× (1.40–1.60) | ≤ 1.5× | yes |"
    )
  })

  it("merge keeps saved groups, memory and breaker that were not measured again", () => {
    const fresh: Paths.Results = {
      ...results,
      groups: [group("stream10k", [["sdk", [1]]])],
      memory: [],
      breaker: undefined
    }
    const merged = Paths.merge(results, fresh)
    expect(merged.groups.map((g) => g.group)).toEqual(["create", "stream300", "stream10k"])
    expect(merged.memory).toBe(results.memory)
    expect(merged.breaker).toBe(results.breaker)
    expect(Paths.merge(undefined, fresh)).toBe(fresh)
  })
})

describe("Paths.runJobs (a tiny run in the child process: structure only, timings are never asserted)", () => {
  it("runs every create variant, a stream group, a memory variant and the breaker", { timeout: 180_000 }, async () => {
    const [create, stream] = Paths.specs("quick")
    const tiny = (spec: Paths.GroupSpec): Paths.GroupSpec => ({ ...spec, rounds: 2, batch: 2, warmup: 1 })
    const jobs: ReadonlyArray<Paths.Job> = [
      { type: "group", spec: tiny(create!) },
      { type: "group", spec: tiny(stream!) },
      { type: "memory", variant: "stream", inFlight: 5, holdMs: 1500, warmup: 1 },
      { type: "breaker", repetitions: 2 }
    ]
    const seen: Array<number> = []
    const answers = await Paths.runJobs(jobs, (index) => seen.push(index))
    expect(seen).toEqual([0, 1, 2, 3])
    const [createResult, streamResult, memoryResult, breaker] = answers as [
      Paths.GroupResult,
      Paths.GroupResult,
      Paths.MemoryResult,
      Paths.BreakerResult
    ]
    // the child checks every answer's length
    expect(createResult.variants.map((v) => v.variant)).toEqual(create!.variants)
    expect(createResult.spansPerCall).toBeGreaterThanOrEqual(0)
    expect(streamResult.deltas).toBe(300)
    for (const result of [createResult, streamResult])
      for (const v of result.variants) {
        expect(v.usPerCall).toHaveLength(2)
        expect(v.usPerCall.every((n) => n > 0)).toBe(true)
      }
    expect(memoryResult).toMatchObject({ variant: "stream", inFlight: 5 })
    expect(memoryResult.pendingAtMeasure).toBeLessThanOrEqual(5)
    expect([breaker.baselineUs, breaker.closedUs, breaker.rejectedUs].map((a) => a.length)).toEqual([2, 2, 2])
  })
})
