import { type Request, Router } from "express";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import type { Urls } from "../shared/urls.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";
import { presentPressKit, presentPressKitFile, presentPressKitLink } from "./presskit.presenter.ts";
import { readBoundedBody } from "./upload-body.ts";

/** A file's description from the query of a raw upload: `kind`, `credit`, `licence`, `caption.<lang>`. */
function fileMetaFromQuery(query: Request["query"]): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const caption: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (key.startsWith("caption.")) caption[key.slice("caption.".length)] = text;
    else meta[key] = text;
  }
  if (Object.keys(caption).length > 0) meta.caption = caption;
  return meta;
}

/**
 * The press kits part of the JSON API: token → validation (in the service) → handler → presenter.
 * Files are uploaded as the raw body (the file's bytes, any Content-Type: the bytes decide), their
 * description in the query; the kit is checked (and the editor's right) before a byte is read.
 */
export function pressKitsApiRouter(deps: { presskits: PressKitService; users: UserService; urls: Urls; maxUploadBytes: number; authFailures?: RateLimit }): Router {
  const router = Router();
  const { presskits, urls } = deps;
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);
  const present = (kit: Parameters<typeof presentPressKit>[0]) => presentPressKit(kit, urls);

  router.get("/api/v1/collectives/:slug/presskits", auth, async (req, res) => {
    const kits = await presskits.list(String(req.params.slug), principalOf(res), { includePrivate: req.query.drafts === "true" });
    res.json({ items: kits.map(present) });
  });
  router.post("/api/v1/collectives/:slug/presskits", auth, json, async (req, res) => {
    const kit = await presskits.create(principalOf(res), String(req.params.slug), req.body);
    res.status(201).location(kit.apId.href).json(present(kit));
  });
  router.get("/api/v1/presskits/:id", auth, async (req, res) => {
    res.json(present(await presskits.get(principalOf(res), id(req))));
  });
  router.patch("/api/v1/presskits/:id", auth, json, async (req, res) => {
    res.json(present(await presskits.update(principalOf(res), id(req), req.body, { mergeLanguages: true })));
  });
  router.delete("/api/v1/presskits/:id", auth, async (req, res) => {
    await presskits.delete(principalOf(res), id(req));
    res.status(204).end();
  });
  router.post("/api/v1/presskits/:id/publish", auth, async (req, res) => {
    res.json(present(await presskits.publishNow(principalOf(res), id(req))));
  });
  router.post("/api/v1/presskits/:id/files", auth, async (req, res) => {
    const principal = principalOf(res);
    await presskits.links(principal, id(req)); // 404/403 before a byte of the file is read
    const bytes = await readBoundedBody(req, res, deps.maxUploadBytes);
    const file = await presskits.addFile(principal, id(req), bytes, fileMetaFromQuery(req.query));
    res.status(201).location(urls.pressKitFile(id(req), file.name).href).json(presentPressKitFile(id(req), file, urls));
  });
  router.patch("/api/v1/presskits/:id/files/:fileId", auth, json, async (req, res) => {
    const file = await presskits.updateFile(principalOf(res), id(req), String(req.params.fileId), req.body);
    res.json(presentPressKitFile(id(req), file, urls));
  });
  router.delete("/api/v1/presskits/:id/files/:fileId", auth, async (req, res) => {
    await presskits.removeFile(principalOf(res), id(req), String(req.params.fileId));
    res.status(204).end();
  });
  router.get("/api/v1/presskits/:id/links", auth, async (req, res) => {
    res.json({ items: (await presskits.links(principalOf(res), id(req))).map(presentPressKitLink) });
  });
  router.post("/api/v1/presskits/:id/links", auth, json, async (req, res) => {
    const { token, link } = await presskits.createLink(principalOf(res), id(req), req.body ?? {});
    // The only time the token is shown: it is kept as a hash.
    res.status(201).json({ ...presentPressKitLink(link), url: urls.pressPreview(token).href });
  });
  router.delete("/api/v1/presskits/:id/links/:linkId", auth, async (req, res) => {
    await presskits.revokeLink(principalOf(res), id(req), String(req.params.linkId));
    res.status(204).end();
  });
  return router;
}
