import { Router } from "express";
import type { MediaService } from "../modules/media/media.service.ts";
import { storedMediaType } from "../modules/media/media.service.ts";
import { paths, route } from "../shared/paths.ts";

/**
 * Uploaded images at /media/<random name>. A name never changes content, so they are cached for a
 * year; nosniff (helmet) keeps browsers to the declared type, and `Cross-Origin-Resource-Policy:
 * cross-origin` lets other sites' pages show an image their server copied a link to (ADR 0010).
 */
export function mediaRoutes(media: MediaService): Router {
  const router = Router();
  router.get(route(paths.media), (req, res, next) => {
    const name = String(req.params.name);
    const type = storedMediaType(name);
    if (!type) return next();
    res.sendFile(
      name,
      {
        root: media.directory,
        dotfiles: "deny",
        maxAge: 365 * 24 * 3600 * 1000,
        immutable: true,
        lastModified: false,
        headers: { "Content-Type": type, "Cross-Origin-Resource-Policy": "cross-origin", "Content-Disposition": "inline" },
      },
      (error) => {
        if (!error) return;
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as { status?: number }).status === 404) return next();
        next(error);
      },
    );
  });
  return router;
}
