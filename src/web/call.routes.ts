import { type Request, type Response, Router } from "express";
import type { CallService } from "../modules/call/call.service.ts";
import type { CallView } from "../modules/call/call.types.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { callPage, callVersionPage, callVersionsPage } from "./pages/call.page.ts";
import { errorPage } from "./pages/layout.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { pressKitsSection } from "./pages/presskit.page.ts";

/**
 * The browsers' side of a call's URLs (servers get AS2 from src/federation/objects.ts, mounted
 * before): the call's page, its history and each version, 410 once deleted; its change notes send
 * browsers to the call's page. Calls that are not open yet (and unknown ids) go on to 404.
 */
export function callRoutes(deps: { calls: CallService; slogans?: SloganService; presskits?: PressKitService; urls: Urls }): Router {
  const router = Router();
  /** The call when it was ever public; answers 410 itself when it is deleted. */
  const publicCall = async (req: Request, res: Response): Promise<CallView | "answered" | undefined> => {
    const call = await deps.calls.load(String(req.params.id));
    if (!call?.launchedAt) return undefined;
    res.set("Vary", "Accept, Accept-Language");
    if (call.deletedAt) {
      res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return "answered";
    }
    return call;
  };
  router.get(route(paths.call), async (req, res, next) => {
    const call = await publicCall(req, res);
    if (call === undefined) return next();
    if (call === "answered") return;
    const { wanted, lang } = visitorLanguages(req);
    const slogans = deps.slogans ? await deps.slogans.ofCall(call.id) : [];
    const kits = deps.presskits ? await deps.presskits.about("call", call.id) : [];
    const sections = kits.length > 0 ? [pressKitsSection({ kits, lang, wanted, urls: deps.urls })] : [];
    res.type("html").set("Content-Language", lang).send(callPage({ call, lang, wanted, urls: deps.urls, slogans, sections }));
  });
  router.get(route(paths.callVersions), async (req, res, next) => {
    const call = await publicCall(req, res);
    if (call === undefined) return next();
    if (call === "answered") return;
    const { wanted, lang } = visitorLanguages(req);
    const versions = await deps.calls.versions(call.id);
    res.type("html").set("Content-Language", lang).send(callVersionsPage({ call, versions, lang, wanted, urls: deps.urls }));
  });
  router.get(route(paths.callVersion), async (req, res, next) => {
    const call = await publicCall(req, res);
    if (call === undefined) return next();
    if (call === "answered") return;
    const version = /^\d{1,9}$/.test(String(req.params.version)) ? await deps.calls.version(call.id, Number(req.params.version)) : null;
    if (!version) return next();
    const { wanted, lang } = visitorLanguages(req);
    res.type("html").set("Content-Language", lang).send(callVersionPage({ call, version, lang, wanted, urls: deps.urls }));
  });
  router.get(route(paths.callChangeNote), async (req, res, next) => {
    const call = await publicCall(req, res);
    if (call === undefined) return next();
    if (call === "answered") return;
    if (!(await deps.calls.changeNote(call.id, Number(req.params.revision)))) return next();
    res.redirect(303, call.apId.pathname);
  });
  return router;
}
