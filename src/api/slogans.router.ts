import { type Request, type Response, Router } from "express";
import type { ReadSloganResult } from "../federation/slogan-reader.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { AppError, invalid } from "../shared/errors.ts";
import type { Urls } from "../shared/urls.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";
import { presentSlogan } from "./slogan.presenter.ts";

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

const withEtag = (res: Response, version: number) => res.set("ETag", `"v${version}"`);

/**
 * The slogans part of the JSON API: token → validation (in the service) → handler → presenter. A
 * change may carry `If-Match` with the ETag read (409 when it changed since). Adopting reads the
 * partner's slogan by its URL (`read`), then the service checks the partnership.
 */
export function slogansApiRouter(deps: { slogans: SloganService; users: UserService; urls: Urls; read: (url: string) => Promise<ReadSloganResult>; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);
  const present = (s: Parameters<typeof presentSlogan>[0]) => presentSlogan(s, deps.urls);

  router.get("/api/v1/collectives/:slug/slogans", auth, async (req, res) => {
    const page = parsePageQuery(req.query);
    const result = await deps.slogans.page(String(req.params.slug), principalOf(res), { includeDrafts: req.query.drafts === "true" }, page);
    res.json(presentPage(result, present));
  });
  router.post("/api/v1/collectives/:slug/slogans", auth, json, async (req, res) => {
    const slogan = await deps.slogans.create(principalOf(res), String(req.params.slug), req.body);
    withEtag(res, slogan.version).status(201).location(slogan.apId.href).json(present(slogan));
  });
  router.post("/api/v1/collectives/:slug/slogans/adopt", auth, json, async (req, res) => {
    const body = req.body as { url?: unknown; published?: unknown } | null;
    const extra = body && typeof body === "object" ? Object.keys(body).filter((k) => k !== "url" && k !== "published") : [];
    if (!body || typeof body !== "object" || typeof body.url !== "string" || extra.length > 0 || (body.published !== undefined && typeof body.published !== "boolean")) {
      throw invalid('give the URL of the partner\'s slogan, e.g. {"url": "https://partner.example/slogans/…"} (and optionally "published": false)', [
        { field: "url", message: "must be the URL of a partner's slogan" },
      ]);
    }
    const read = await deps.read(body.url);
    if (!read.ok) throw invalid(`the slogan could not be read: ${read.reason}`, [{ field: "url", message: read.reason }]);
    const slogan = await deps.slogans.adopt(principalOf(res), String(req.params.slug), read.slogan, { published: body.published as boolean | undefined });
    withEtag(res, slogan.version).status(201).location(slogan.apId.href).json(present(slogan));
  });
  router.get("/api/v1/slogans/:id", auth, async (req, res) => {
    const slogan = await deps.slogans.get(principalOf(res), id(req));
    withEtag(res, slogan.version).json(present(slogan));
  });
  router.patch("/api/v1/slogans/:id", auth, json, async (req, res) => {
    const slogan = await deps.slogans.update(principalOf(res), id(req), req.body, { ifVersion: ifVersion(req), mergeLanguages: true });
    withEtag(res, slogan.version).json(present(slogan));
  });
  router.delete("/api/v1/slogans/:id", auth, async (req, res) => {
    await deps.slogans.delete(principalOf(res), id(req));
    res.status(204).end();
  });
  return router;
}
