import { type Request, type Response, Router } from "express";
import { parsePlacardFile, parseShareImageFile, type PlacardService } from "../modules/slogan/placard.service.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { SloganView } from "../modules/slogan/slogan.types.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { errorPage } from "./pages/layout.ts";
import { sloganPage } from "./pages/slogan.page.ts";

/**
 * The browsers' side of a slogan's URLs (servers get its Note from src/federation/objects.ts, mounted
 * before): its page, its placards (PDF, downloaded) and its share images (PNG). Drafts and unknown ids
 * go on to 404; a deleted slogan answers 410. Files are rendered once per version (PlacardService) and
 * named by their version, so they may be cached briefly; they are never sniffed (nosniff is global).
 */
export function sloganRoutes(deps: { slogans: SloganService; placards: PlacardService; urls: Urls }): Router {
  const router = Router();
  const published = async (req: Request, res: Response): Promise<SloganView | "answered" | undefined> => {
    const slogan = await deps.slogans.load(String(req.params.id));
    if (!slogan?.published) return undefined;
    if (slogan.deletedAt) {
      res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return "answered";
    }
    return slogan;
  };
  router.get(route(paths.slogan), async (req, res, next) => {
    const slogan = await published(req, res);
    if (slogan === undefined) return next();
    if (slogan === "answered") return;
    const { wanted, lang } = visitorLanguages(req);
    res.type("html").set("Content-Language", lang).set("Vary", "Accept, Accept-Language").send(sloganPage({ slogan, lang, wanted, urls: deps.urls }));
  });
  router.get(route(paths.sloganPlacard), async (req, res, next) => {
    const file = parsePlacardFile(String(req.params.file));
    if (!file) return next();
    const slogan = await published(req, res);
    if (slogan === undefined) return next();
    if (slogan === "answered") return;
    const bytes = await deps.placards.placard(slogan, file.language, file.size, file.orientation);
    if (!bytes) return next();
    res
      .type("application/pdf")
      .set("Content-Disposition", `attachment; filename="slogan-${file.language}-${file.size}-${file.orientation}.pdf"`)
      .set("Cache-Control", "public, max-age=300")
      .send(bytes);
  });
  router.get(route(paths.sloganShareImage), async (req, res, next) => {
    const file = parseShareImageFile(String(req.params.file));
    if (!file) return next();
    const slogan = await published(req, res);
    if (slogan === undefined) return next();
    if (slogan === "answered") return;
    // An older version's image: the current one (its URL names the version it shows).
    if (file.version !== slogan.version) return res.redirect(301, deps.urls.sloganShareImage(slogan.id, file.language, slogan.version).pathname);
    const bytes = await deps.placards.shareImage(slogan, file.language);
    if (!bytes) return next();
    res.type("image/png").set("Cache-Control", "public, max-age=86400").send(bytes);
  });
  return router;
}
