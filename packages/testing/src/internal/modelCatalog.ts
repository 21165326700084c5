/**
 * The Models endpoints, `GET /v1/models` and `GET /v1/models/:id`: the SDK's `ModelInfo` for each model
 * the server serves — `@claude-resilience/api`'s `Model` table (retired models only when the
 * `lifecycle` query asks for them), or exactly `Options.models` when given.
 *
 * @internal
 */
import { Model } from "@claude-resilience/api"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Exchange from "./exchange.js"
import * as Resource from "./resource.js"
import type { State } from "./state.js"

type Lifecycle = "active" | "deprecated" | "retired"

const LINES = new Set(["haiku", "sonnet", "opus", "fable", "mythos"])

const lifecycleOf = (status: Model.Status | undefined): Lifecycle =>
  status === "retired" ? "retired" : status === "deprecated" ? "deprecated" : "active"

/** "claude-sonnet-4-6" → "Claude Sonnet 4.6". */
const displayName = (id: string): string => {
  const words = id.replace(/-\d{8}$/, "").split("-")
  const name = words.filter((w) => !/^\d+$/.test(w)).map((w) => w.charAt(0).toUpperCase() + w.slice(1))
  const version = words.filter((w) => /^\d+$/.test(w)).join(".")
  return [...name, ...(version.length > 0 ? [version] : [])].join(" ")
}

/** The release date of a dated snapshot among the ids, else the server's start. */
const releasedAt = (state: State, ids: ReadonlyArray<string>): string => {
  const dated = ids.map((id) => /-(\d{4})(\d{2})(\d{2})$/.exec(id)).find((m) => m !== null)
  return dated === undefined || dated === null
    ? Resource.iso(state.time.epoch() - state.time.now())
    : `${dated[1]}-${dated[2]}-${dated[3]}T00:00:00Z`
}

/** The SDK's `ModelInfo` for an id (facts from the table when it knows the id). */
const info = (state: State, id: string) => {
  const model = Option.getOrUndefined(Model.get(id))
  const line = id.split("-")[1] ?? ""
  return {
    id,
    type: "model" as const,
    display_name: displayName(id),
    created_at: releasedAt(state, model?.ids ?? [id]),
    lifecycle: lifecycleOf(model?.status),
    deprecated_at: null,
    retires_at: null,
    line: LINES.has(line) ? line : null,
    max_input_tokens: model?.contextWindow ?? null,
    max_tokens: model?.maxOutputTokens ?? null,
    capabilities: null
  }
}

/** The models served, newest first. */
const served = (state: State, lifecycles: ReadonlyArray<string>) => {
  const configured = state.config.modelIds
  const ids = configured ?? Model.all.map((m) => m.id)
  const wanted = lifecycles.length > 0 ? lifecycles : ["active", "deprecated"]
  return ids.map((id) => info(state, id)).filter((m) => configured !== undefined || wanted.includes(m.lifecycle))
}

/** `GET /v1/models`. @internal */
export const list: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const params = Resource.query(exchange)
    const models = served(exchange.state, [...params.getAll("lifecycle"), ...params.getAll("lifecycle[]")])
    return yield* Resource.json(exchange, fault, Resource.page(models, params))
  }).pipe(Effect.merge)

/** `GET /v1/models/:id`: any id the server serves (an alias, a snapshot), else the API's 404. @internal */
export const retrieve: Exchange.Handler = (exchange, incoming) =>
  Effect.gen(function* () {
    const fault = yield* Resource.shaping(exchange, incoming)
    const id = decodeURIComponent(Resource.segments(exchange)[2] ?? "")
    if (!exchange.state.config.models.accepts(id)) return yield* Resource.notFound(exchange, `model: ${id}`)
    return yield* Resource.json(exchange, fault, info(exchange.state, id))
  }).pipe(Effect.merge)
