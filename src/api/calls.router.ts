import { type Request, type Response, Router } from "express";
import type { CallService } from "../modules/call/call.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { AppError, notFound } from "../shared/errors.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { presentCall, presentCallVersion } from "./call.presenter.ts";
import { jsonBody } from "./json-body.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";

/** The version a client saw, from `If-Match: "v3"` (or `"3"`); undefined without the header. */
function ifVersion(req: Request): number | undefined {
  const header = req.get("if-match");
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"v?(\d{1,9})"\s*$/.exec(header);
  if (!m) {
    throw new AppError("bad_request", 400, `If-Match: give the version you read as its ETag, e.g. "v3" (got ${header.slice(0, 40)})`, [
      { field: "If-Match", message: 'must be an ETag such as "v3"' },
    ]);
  }
  return Number(m[1]);
}

/** The version of the call as an ETag, for If-Match on the next change. */
const withEtag = (res: Response, version: number) => res.set("ETag", `"v${version}"`);

/**
 * The calls part of the JSON API: every route is token → validation (in the service) → handler →
 * presenter. Changing a call may carry `If-Match` with the ETag read (409 when it changed since).
 */
export function callsApiRouter(deps: { calls: CallService; users: UserService; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);

  router.get("/api/v1/collectives/:slug/calls", auth, async (req, res) => {
    const page = parsePageQuery(req.query);
    const result = await deps.calls.page(String(req.params.slug), principalOf(res), { includePrivate: req.query.drafts === "true" }, page);
    res.json(presentPage(result, presentCall));
  });
  router.post("/api/v1/collectives/:slug/calls", auth, json, async (req, res) => {
    const call = await deps.calls.create(principalOf(res), String(req.params.slug), req.body);
    withEtag(res, call.version).status(201).location(call.apId.href).json(presentCall(call));
  });
  router.get("/api/v1/calls/:id", auth, async (req, res) => {
    const call = await deps.calls.get(principalOf(res), id(req));
    withEtag(res, call.version).json(presentCall(call));
  });
  router.patch("/api/v1/calls/:id", auth, json, async (req, res) => {
    const call = await deps.calls.update(principalOf(res), id(req), req.body, { ifVersion: ifVersion(req), mergeLanguages: true });
    withEtag(res, call.version).json(presentCall(call));
  });
  for (const action of ["consult", "open", "close", "withdraw"] as const) {
    router.post(`/api/v1/calls/:id/${action}`, auth, async (req, res) => {
      const call = await deps.calls[action](principalOf(res), id(req));
      withEtag(res, call.version).json(presentCall(call));
    });
  }
  router.delete("/api/v1/calls/:id", auth, async (req, res) => {
    await deps.calls.delete(principalOf(res), id(req));
    res.status(204).end();
  });
  router.get("/api/v1/calls/:id/versions", auth, async (req, res) => {
    await deps.calls.get(principalOf(res), id(req)); // 404 to whoever may not see the call
    res.json({ items: (await deps.calls.versions(id(req))).map(presentCallVersion) });
  });
  router.get("/api/v1/calls/:id/versions/:version", auth, async (req, res) => {
    await deps.calls.get(principalOf(res), id(req));
    const version = await deps.calls.version(id(req), Number(req.params.version));
    if (!version) throw notFound(`version ${String(req.params.version)} of the call ${id(req)}`);
    res.json(presentCallVersion(version));
  });
  return router;
}
