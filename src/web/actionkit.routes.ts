import { createHash, randomBytes } from "node:crypto";
import express, { type Request, type Response, Router } from "express";
import type { ReportAnswer } from "../federation/kit-count-exchange.ts";
import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { ActionKitView } from "../modules/actionkit/actionkit.types.ts";
import type { PartnerKitListed } from "../modules/actionkit/partner-kits.ts";
import type { Page } from "../shared/list-page.ts";
import { actionKitListDocument, actionKitTextDocument } from "./actionkit-json.ts";
import { t } from "../shared/i18n.ts";
import { pickLanguage } from "../shared/language.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { actionKitPage, actionKitsList, countryName, pageLanguage } from "./pages/actionkit.page.ts";
import { errorPage } from "./pages/layout.ts";
import { addressKey, answerLimited, type RateLimit } from "./rate-limits.ts";

/** Kits per page of the public lists (a collective's, a country's), for each of its two lists. */
export const listPageSize = 50;

/**
 * The Content-Security-Policy of a kit's page (docs/adr: action kits): scripts from here only, and one
 * connection allowed, to this kit's counter in this language (a CSP source with a path matches that
 * path only). Nothing can be submitted (`form-action 'none'`). The page script connects to the counter
 * only when the person ticked the box, once, with an empty body.
 */
export function actionKitPolicy(countUrl: URL, https: boolean): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${countUrl.origin}${countUrl.pathname}`,
    "form-action 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * The browsers' side of action kits (servers get the Article from src/federation/objects.ts, mounted
 * before): the page in the visitor's language and in each of the kit's languages, the opt-in counter,
 * and the lists per collective and per country. Drafts and unknown ids go on to 404; a deleted kit is 410.
 */
export function actionKitRoutes(deps: {
  actionkits: ActionKitService;
  urls: Urls;
  countLimit: RateLimit;
  /** Counts another server reports for its copy of one of our kits (ADR 0032), and their rate limit per address. */
  copyCounts?: { receive(kitId: string, request: globalThis.Request): Promise<ReportAnswer>; limit: RateLimit };
}): Router {
  const router = Router();
  // The rate limit of the counter keys on a hash salted per process: no address is kept, even in memory.
  const salt = randomBytes(16);
  const https = deps.urls.origin.protocol === "https:";
  const published = async (req: Request, res: Response): Promise<ActionKitView | "answered" | undefined> => {
    const kit = await deps.actionkits.load(String(req.params.id));
    if (!kit?.published) return undefined;
    if (kit.deletedAt) {
      res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return "answered";
    }
    return kit;
  };
  const show = async (res: Response, kit: ActionKitView, kitLang: string, visitorLang: string) => {
    const lang = pageLanguage(kitLang, visitorLang);
    const count = await deps.actionkits.counts(kit);
    res
      .type("html")
      .set("Content-Language", kitLang)
      .set("Content-Security-Policy", actionKitPolicy(deps.urls.actionKitCount(kit.id, kitLang), https))
      .set("Cache-Control", "no-store")
      .send(actionKitPage({ kit, kitLang, lang, count, urls: deps.urls }));
  };

  router.get(route(paths.actionKit), async (req, res, next) => {
    const kit = await published(req, res);
    if (kit === undefined) return next();
    if (kit === "answered") return;
    const { wanted, lang } = visitorLanguages(req);
    const kitLang = pickLanguage(kit.title, wanted, kit.collective.primaryLanguage)?.language ?? kit.collective.primaryLanguage;
    res.set("Vary", "Accept, Accept-Language");
    await show(res, kit, kitLang, lang);
  });

  // The kit's text as JSON, what its editors wrote (FEDERATION.md, "Action kits"): a partner on another
  // server reads it to adopt the kit. Public as the kit's pages are; 404 for a draft, 410 once deleted.
  router.get(route(paths.actionKitText), async (req, res, next) => {
    const kit = await deps.actionkits.load(String(req.params.id));
    if (!kit?.published) return next();
    if (kit.deletedAt) {
      res.status(410).json({ error: "gone", message: "this action kit was deleted" });
      return;
    }
    res.set("Cache-Control", "no-cache").json(actionKitTextDocument(kit));
  });

  router.get(route(paths.actionKitPage), async (req, res, next) => {
    const kitLang = String(req.params.lang);
    const kit = await published(req, res);
    if (kit === undefined || (kit !== "answered" && !(kitLang in kit.title))) return next();
    if (kit === "answered") return;
    await show(res, kit, kitLang, visitorLanguages(req).lang);
  });

  // One letter downloaded, counted: an empty POST, nothing else read or kept (no body, no query, no address).
  router.post(route(paths.actionKitCount), async (req, res) => {
    if (Object.keys(req.query).length > 0 || Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding")) {
      res.status(400).json({ error: "bad_request", message: "the counter takes an empty POST: nothing typed, no query" });
      return;
    }
    const key = createHash("sha256").update(salt).update(addressKey(req.ip)).digest("base64url");
    const verdict = await deps.countLimit.hit(key);
    if (verdict.limited) return answerLimited(res, verdict.retryAfterSeconds, "too many counts from your address");
    const counted = await deps.actionkits.count(String(req.params.id), String(req.params.lang));
    if (!counted) {
      res.status(404).json({ error: "not_found", message: "no published action kit in that language here" });
      return;
    }
    res.status(204).set("Cache-Control", "no-store").end();
  });

  // Another server reports the counts of its copy of one of our kits (ADR 0032): a small signed JSON POST.
  const copyCounts = deps.copyCounts;
  if (copyCounts) {
    router.post(route(paths.actionKitRemoteCounts), express.raw({ type: () => true, limit: "4kb" }), async (req, res) => {
      const verdict = await copyCounts.limit.hit(`kit-counts ${addressKey(req.ip)}`);
      if (verdict.limited) return answerLimited(res, verdict.retryAfterSeconds, "too many reports from your address");
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const request = new globalThis.Request(new URL(req.originalUrl, deps.urls.origin), { method: "POST", headers, body: new Uint8Array(body) });
      const answer = await copyCounts.receive(String(req.params.id), request);
      res.status(answer.status).set("Cache-Control", "no-store");
      if (answer.retryAfterSeconds !== undefined) res.set("Retry-After", String(answer.retryAfterSeconds));
      if (answer.status === 204) res.end();
      else if (answer.body) res.json(answer.body);
      else res.json({ error: answer.status === 429 ? "too_many_requests" : "refused", message: answer.message });
    });
  }

  // A collective's published kits as JSON (FEDERATION.md): its partners' editors list them to adopt one.
  router.get(route(paths.collectiveKitsJson), async (req, res, next) => {
    const slug = String(req.params.identifier);
    let kits: readonly ActionKitView[];
    try {
      kits = await deps.actionkits.list(slug, null, { limit: 100 });
    } catch {
      return next();
    }
    res.set("Cache-Control", "no-cache").json(actionKitListDocument(deps.urls.collective(slug), kits));
  });

  // The public lists: the kits here and the partners' kits, each a page of 50 at a time (keyset cursors:
  // `cursor` for the kits here, `partners` for the partners'); a "more" link carries the other list's position.
  const listPages = (req: Request) => {
    const param = (name: string) => (typeof req.query[name] === "string" && req.query[name] !== "" ? (req.query[name] as string) : undefined);
    const own = param("cursor");
    const partners = param("partners");
    const lang = param("lang");
    const more = (path: string, which: "cursor" | "partners", next: string | null) => {
      if (next === null) return undefined;
      const q = new URLSearchParams();
      if (lang) q.set("lang", lang);
      q.set("cursor", which === "cursor" ? next : (own ?? ""));
      q.set("partners", which === "partners" ? next : (partners ?? ""));
      for (const k of ["cursor", "partners"]) if (q.get(k) === "") q.delete(k);
      return `${path}?${q.toString()}`;
    };
    return { own: { limit: listPageSize, cursor: own }, partners: { limit: listPageSize, cursor: partners }, more };
  };

  /** One page of a public list: the kits here and the partners' kits, each with its "more" link. */
  const sendList = (
    req: Request,
    res: Response,
    list: { path: string; title: string; kits: Page<ActionKitView>; partnerKits: Page<PartnerKitListed>; more: ReturnType<typeof listPages>["more"] },
  ) => {
    const { wanted, lang } = visitorLanguages(req);
    res.type("html").set("Content-Language", lang).send(
      actionKitsList({
        kits: list.kits.items,
        partnerKits: list.partnerKits.items,
        moreKits: list.more(list.path, "cursor", list.kits.next),
        morePartnerKits: list.more(list.path, "partners", list.partnerKits.next),
        lang,
        wanted,
        urls: deps.urls,
        title: list.title,
        path: list.path,
      }),
    );
  };

  router.get(route(paths.collectiveKits), async (req, res) => {
    const slug = String(req.params.identifier);
    const pages = listPages(req);
    const kits = await deps.actionkits.page(slug, null, {}, pages.own);
    const partnerKits = await deps.actionkits.partnerKits(slug, pages.partners);
    const title = t(visitorLanguages(req).lang, "actionkit:page.kits");
    sendList(req, res, { path: deps.urls.collectiveKits(slug).pathname, title, kits, partnerKits, more: pages.more });
  });

  router.get(route(paths.countryKits), async (req, res, next) => {
    const country = String(req.params.country);
    if (!/^[a-zA-Z]{2}$/.test(country)) return next();
    const pages = listPages(req);
    const kits = await deps.actionkits.pageOfCountry(country, pages.own);
    const partnerKits = await deps.actionkits.partnerKitsOfCountry(country, pages.partners);
    const lang = visitorLanguages(req).lang;
    const title = t(lang, "actionkit:page.countryTitle", { country: countryName(country.toUpperCase(), lang) });
    sendList(req, res, { path: deps.urls.countryKits(country).pathname, title, kits, partnerKits, more: pages.more });
  });
  return router;
}
