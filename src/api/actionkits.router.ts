import { type Request, type Response, Router } from "express";
import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { IncomingKit } from "../modules/actionkit/actionkit.types.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { AppError, invalid, notFound } from "../shared/errors.ts";
import type { Urls } from "../shared/urls.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { presentActionKit } from "./actionkit.presenter.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";

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
 * The action kits part of the JSON API: token → validation (in the service) → handler → presenter. A
 * change may carry `If-Match` with the ETag read (409 when it changed since). Adopting takes the URL of
 * a partner's kit, here or on another server; `read` turns it into the kit to adopt (or says why not).
 */
export function actionKitsApiRouter(deps: {
  actionkits: ActionKitService;
  users: UserService;
  urls: Urls;
  read: (url: string) => Promise<{ ok: true; kit: IncomingKit } | { ok: false; reason: string }>;
  authFailures?: RateLimit;
}): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);
  const present = (k: Parameters<typeof presentActionKit>[0]) => presentActionKit(k, deps.urls);

  router.get("/api/v1/collectives/:slug/kits", auth, async (req, res) => {
    const page = parsePageQuery(req.query);
    const result = await deps.actionkits.page(String(req.params.slug), principalOf(res), { includeDrafts: req.query.drafts === "true" }, page);
    res.json(presentPage(result, present));
  });
  router.post("/api/v1/collectives/:slug/kits", auth, json, async (req, res) => {
    const kit = await deps.actionkits.create(principalOf(res), String(req.params.slug), req.body);
    withEtag(res, kit.version).status(201).location(kit.apId.href).json(present(kit));
  });
  router.post("/api/v1/collectives/:slug/kits/adopt", auth, json, async (req, res) => {
    const body = req.body as { url?: unknown; published?: unknown } | null;
    const extra = body && typeof body === "object" ? Object.keys(body).filter((k) => k !== "url" && k !== "published") : [];
    if (!body || typeof body !== "object" || typeof body.url !== "string" || !URL.canParse(body.url) || extra.length > 0 || (body.published !== undefined && typeof body.published !== "boolean")) {
      throw invalid('give the URL of the partner\'s action kit, e.g. {"url": "https://relais.example/kits/…"} (and optionally "published": true)', [
        { field: "url", message: "must be the URL of a partner's action kit" },
      ]);
    }
    const read = await deps.read(body.url);
    if (!read.ok) throw invalid(`cannot adopt that action kit: ${read.reason}`, [{ field: "url", message: "must be the URL of a published action kit of a partner" }]);
    const kit = await deps.actionkits.adopt(principalOf(res), String(req.params.slug), read.kit, { published: body.published as boolean | undefined });
    withEtag(res, kit.version).status(201).location(kit.apId.href).json(present(kit));
  });
  router.get("/api/v1/kits", auth, async (req, res) => {
    if (typeof req.query.country !== "string") throw invalid("give a country, e.g. ?country=FR", [{ field: "country", message: "is required: a two-letter country code" }]);
    const result = await deps.actionkits.pageOfCountry(req.query.country, parsePageQuery(req.query));
    res.json(presentPage(result, present));
  });
  router.get("/api/v1/kits/:id", auth, async (req, res) => {
    const kit = await deps.actionkits.get(principalOf(res), id(req));
    withEtag(res, kit.version).json(presentActionKit(kit, deps.urls, await deps.actionkits.counts(kit)));
  });
  router.get("/api/v1/kits/:id/versions", auth, async (req, res) => {
    const kit = await deps.actionkits.get(principalOf(res), id(req));
    const versions = await deps.actionkits.versions(kit.id);
    res.json({ items: versions.map(({ kitId: _kit, createdAt, ...v }) => ({ ...v, createdAt: createdAt.toString() })) });
  });
  router.get("/api/v1/kits/:id/versions/:version", auth, async (req, res) => {
    const kit = await deps.actionkits.get(principalOf(res), id(req));
    const version = /^\d{1,9}$/.test(String(req.params.version)) ? await deps.actionkits.version(kit.id, Number(req.params.version)) : null;
    if (!version) throw notFound(`version ${String(req.params.version).slice(0, 20)} of the action kit ${kit.id}`);
    const { kitId: _kit, createdAt, ...v } = version;
    res.json({ ...v, createdAt: createdAt.toString() });
  });
  router.patch("/api/v1/kits/:id", auth, json, async (req, res) => {
    const kit = await deps.actionkits.update(principalOf(res), id(req), req.body, { ifVersion: ifVersion(req), mergeLanguages: true });
    withEtag(res, kit.version).json(present(kit));
  });
  router.delete("/api/v1/kits/:id", auth, async (req, res) => {
    await deps.actionkits.delete(principalOf(res), id(req));
    res.status(204).end();
  });
  return router;
}
