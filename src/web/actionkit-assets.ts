import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Router } from "express";

// The two scripts of an action kit's page, served from this origin (never a CDN): pdf-lib's browser
// build (an ES module without imports) and our page script, which imports it. Their addresses carry
// their hashes, so they are cached for good; the page loads both at once, so once it is loaded it needs
// nothing more (it works offline).
const pdfLibSource = readFileSync(createRequire(import.meta.url).resolve("pdf-lib/dist/pdf-lib.esm.min.js"), "utf8").replace(
  /\n\/\/# sourceMappingURL=\S+\s*$/,
  "\n",
);
const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

export const pdfLibPath = `/assets/pdf-lib-${hash(pdfLibSource)}.js`;

const pageSource = readFileSync(new URL("./assets/actionkit.js", import.meta.url), "utf8").replace('from "./pdf-lib.js"', `from "${pdfLibPath}"`);

export const actionKitScriptPath = `/assets/actionkit-${hash(pageSource)}.js`;

export function actionKitAssetRoutes(): Router {
  const router = Router();
  const send = (source: string) => (_req: unknown, res: import("express").Response) => {
    res.type("text/javascript").set("Cache-Control", "public, max-age=31536000, immutable").send(source);
  };
  router.get(pdfLibPath, send(pdfLibSource));
  router.get(actionKitScriptPath, send(pageSource));
  return router;
}
