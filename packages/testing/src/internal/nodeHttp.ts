/**
 * Serving an `@effect/platform` HttpApp over `node:http`, in place of `@effect/platform-node`'s
 * `NodeHttpServer`, which would make every user of this test package install `@effect/cluster`, `sql`,
 * `rpc`, `workflow` and a native install script for one server. It does what the fake needs and no
 * more: each request reaches the app as a web `Request` (`HttpServerRequest.fromWeb`), its Node
 * response stays reachable ({@link toServerResponse}: SSE and socket faults write to it directly), a
 * client that goes away interrupts its fiber, and an answer already written on the socket is left as
 * it is.
 *
 * @internal
 */
import * as Http from "node:http"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type * as StreamWeb from "node:stream/web"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"

/** The Node response of each request being served, by its web `Request` (the platform request's `source`). */
const responses = new WeakMap<object, Http.ServerResponse>()

/**
 * The Node response under a request served by {@link serve}, as `@effect/platform-node`'s
 * `NodeHttpServerRequest.toServerResponse` gives it.
 *
 * @internal
 */
export const toServerResponse = (request: HttpServerRequest.HttpServerRequest): Http.ServerResponse => {
  const response = typeof request.source === "object" && request.source !== null && responses.get(request.source)
  if (!response) throw new Error("toServerResponse: the request was not served by NodeHttp.serve")
  return response
}

/** Writes the app's answer, unless the handler already answered (or cut) on the socket. */
const respond = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const res = toServerResponse(request)
    if (res.headersSent || res.writableEnded || res.destroyed) return Effect.void
    const web = HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD" })
    const headers: Record<string, string> = {}
    web.headers.forEach((value, name) => {
      headers[name] = value
    })
    res.writeHead(response.status, headers)
    const body = response.body
    if (web.body === null) return Effect.async<void>((resume) => void res.end(() => resume(Effect.void)))
    if (body._tag === "Uint8Array" || (body._tag === "Raw" && typeof body.body === "string")) {
      const bytes = body.body as Uint8Array | string
      return Effect.async<void>((resume) => void res.end(bytes, () => resume(Effect.void)))
    }
    // streams and form data: through the web body
    const stream = web.body as unknown as StreamWeb.ReadableStream
    return Effect.tryPromise((signal) => pipeline(Readable.fromWeb(stream), res, { signal })).pipe(
      Effect.orElse(() => Effect.sync(() => res.destroy()))
    )
  })

/** The Node request as a web `Request` whose body streams from the socket. */
const toWeb = (req: Http.IncomingMessage, origin: string): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value)
  }
  const method = req.method ?? "GET"
  const init: RequestInit & { duplex?: "half" } = { method, headers }
  if (method !== "GET" && method !== "HEAD") {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
    init.duplex = "half"
  }
  return new Request(new URL(req.url ?? "/", origin), init)
}

/** What the app needs besides the request, which each request brings. */
type Needs<R> = Exclude<Exclude<R, Scope.Scope>, HttpServerRequest.HttpServerRequest>

/**
 * Listens on `host:port` (0: any free port) and serves `app` until the scope closes; closing drops
 * every open connection first, so stalled and kept-alive ones cannot hold the close.
 *
 * @internal
 */
export const serve = <E, R>(
  app: HttpApp.Default<E, R>,
  options: { readonly port: number; readonly host: string }
): Effect.Effect<{ readonly port: number }, never, Scope.Scope | Needs<R>> =>
  Effect.gen(function* () {
    const server = yield* Effect.acquireRelease(
      Effect.sync(() => Http.createServer()),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          if (!server.listening) return resume(Effect.void)
          server.close(() => resume(Effect.void))
        })
    )
    yield* Effect.async<void>((resume) => {
      const onError = (error: Error) => resume(Effect.die(error))
      server.once("error", onError)
      server.listen(options.port, options.host, () => {
        server.off("error", onError)
        resume(Effect.void)
      })
    })
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : options.port
    const origin = `http://${options.host}:${port}`

    const handled = HttpApp.toHandled(app, respond)
    const runFork = Runtime.runFork(yield* Effect.runtime<Needs<R>>())
    const onRequest = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
      const web = toWeb(req, origin)
      responses.set(web, res)
      const fiber = runFork(
        Effect.provideService(handled, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web))
      )
      res.on("close", () => {
        if (!res.writableEnded) fiber.unsafeInterruptAsFork(HttpServerError.clientAbortFiberId)
      })
    }
    server.on("request", onRequest)
    yield* Effect.addFinalizer(() => Effect.sync(() => server.off("request", onRequest)))
    return { port }
  })
