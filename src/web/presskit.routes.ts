import type { Request, Response } from "express";
import { Router } from "express";
import { pressKitZip, zipEntryName } from "../modules/presskit/presskit-zip.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { kitLanguages, type PressKitView } from "../modules/presskit/presskit.types.ts";
import { t } from "../shared/i18n.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { errorPage } from "./pages/layout.ts";
import { type KitAddresses, pressKitPage, previewAddresses, publicAddresses } from "./pages/presskit.page.ts";

/** Files are data, never a page: no script, no plugin, no form, not even in a frame of ours. */
const fileCsp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

/** Answers for a secret link: never indexed, never cached, no Referer (the global policy), nobody else's resource. */
function privateHeaders(res: Response): void {
  res.set({ "X-Robots-Tag": "noindex, nofollow, noarchive", "Cache-Control": "private, no-store", "Cross-Origin-Resource-Policy": "same-origin" });
}

/**
 * The public side of press kits (servers get the Article from src/federation/objects.ts, mounted
 * before): the page, each file and the ZIP per language, 404 until the kit is published (410 once
 * deleted); and the same through a secret link (`/press-preview/<token>`) while the link is valid.
 * Files are served with their stored type, `nosniff` (helmet), a sandboxing CSP and a
 * Content-Disposition (PDFs are downloaded, never shown inline by this origin).
 */
export function pressKitRoutes(deps: { presskits: PressKitService; urls: Urls }): Router {
  const router = Router();
  const { presskits, urls } = deps;

  const publicKit = async (req: Request, res: Response): Promise<PressKitView | "answered" | undefined> => {
    const kit = await presskits.load(String(req.params.id));
    if (!kit?.publishedAt) return undefined;
    if (kit.deletedAt) {
      res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return "answered";
    }
    return kit;
  };
  const previewKit = async (req: Request, res: Response) => {
    const found = await presskits.byLink(String(req.params.token));
    if (found) privateHeaders(res);
    return found;
  };

  const sendPage = (req: Request, res: Response, kit: PressKitView, at: KitAddresses, preview?: { expiresAt: Temporal.Instant }) => {
    const { wanted, lang } = visitorLanguages(req);
    res.set("Vary", "Accept, Accept-Language").type("html").set("Content-Language", lang);
    res.send(pressKitPage({ kit, lang, wanted, urls, at, ...(preview ? { preview } : {}) }));
  };

  const sendFile = (req: Request, res: Response, next: (e?: unknown) => void, kit: PressKitView, shared: boolean) => {
    const index = kit.files.findIndex((f) => f.name === String(req.params.name));
    const file = kit.files[index];
    if (!file) return next();
    const disposition = `${file.mediaType === "application/pdf" ? "attachment" : "inline"}; filename="${zipEntryName(file, index)}"`;
    res.sendFile(
      file.name,
      {
        root: presskits.files.directory,
        dotfiles: "deny",
        lastModified: false,
        headers: {
          "Content-Type": file.mediaType,
          "Content-Disposition": disposition,
          "Content-Security-Policy": fileCsp,
          ...(shared ? { "Cache-Control": "public, max-age=3600", "Cross-Origin-Resource-Policy": "cross-origin" } : {}),
        },
      },
      (error) => {
        if (!error) return;
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as { status?: number }).status === 404) return next();
        next(error);
      },
    );
  };

  const sendZip = (req: Request, res: Response, next: (e?: unknown) => void, kit: PressKitView, underEmbargo: boolean) => {
    const lang = String(req.params.lang);
    if (!kitLanguages(kit).includes(lang)) return next();
    const name = `${t(lang, "presskit:title").toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${kit.collective.slug}-${lang}.zip`;
    res.set({ "Content-Type": "application/zip", "Content-Disposition": `attachment; filename="${name}"`, "Content-Security-Policy": fileCsp });
    const zip = pressKitZip(kit, lang, { translate: t, pathOf: (n) => presskits.files.pathOf(n), underEmbargo });
    zip.on("error", (error) => (res.headersSent ? res.destroy(error) : next(error)));
    zip.pipe(res);
  };

  router.get(route(paths.pressKit), async (req, res, next) => {
    const kit = await publicKit(req, res);
    if (kit === undefined) return next();
    if (kit !== "answered") sendPage(req, res, kit, publicAddresses(kit, urls));
  });
  router.get(route(paths.pressKitFile), async (req, res, next) => {
    const kit = await publicKit(req, res);
    if (kit === undefined) return next();
    if (kit !== "answered") sendFile(req, res, next, kit, true);
  });
  router.get(route(paths.pressKitZip), async (req, res, next) => {
    const kit = await publicKit(req, res);
    if (kit === undefined) return next();
    if (kit !== "answered") sendZip(req, res, next, kit, false);
  });
  router.get(route(paths.pressPreview), async (req, res, next) => {
    const found = await previewKit(req, res);
    if (!found) return next();
    sendPage(req, res, found.kit, previewAddresses(String(req.params.token), urls), { expiresAt: found.expiresAt });
  });
  router.get(route(paths.pressPreviewFile), async (req, res, next) => {
    const found = await previewKit(req, res);
    if (!found) return next();
    sendFile(req, res, next, found.kit, false);
  });
  router.get(route(paths.pressPreviewZip), async (req, res, next) => {
    const found = await previewKit(req, res);
    if (!found) return next();
    sendZip(req, res, next, found.kit, !found.kit.publishedAt);
  });
  return router;
}
