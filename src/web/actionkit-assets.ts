import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Router } from "express";

// The scripts of an action kit's page, served from this origin (never a CDN): pdf-lib's browser build (an
// ES module without imports), fontkit's (which pdf-lib needs to embed a font; its one import, pako, is
// served beside it as a module), DejaVu Sans as a module whose default export is the font file in
// base64, and our page script, which imports them all. The page's CSP allows scripts from this origin
// and no connection but the counter, so the font comes as a script, loaded with the page. Every address
// carries its content's hash, so each is cached for good; the page loads them all at once, so once it is
// loaded it needs nothing more (it works offline).
const require = createRequire(import.meta.url);
const withoutSourceMap = (source: string) => source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

const pdfLibSource = withoutSourceMap(readFileSync(require.resolve("pdf-lib/dist/pdf-lib.esm.min.js"), "utf8"));
export const pdfLibPath = `/assets/pdf-lib-${hash(pdfLibSource)}.js`;

// pako 1's browser build is a UMD bundle: given `module`, it fills `module.exports`.
const pakoSource = `const module = { exports: {} };\nconst exports = module.exports;\n${withoutSourceMap(readFileSync(require.resolve("pako/dist/pako.min.js"), "utf8"))}\nexport default module.exports;\n`;
const pakoPath = `/assets/pako-${hash(pakoSource)}.js`;

const fontkitFile = require.resolve("@pdf-lib/fontkit/dist/fontkit.es.min.js");
const fontkitSource = withoutSourceMap(readFileSync(fontkitFile, "utf8")).replace(/from\s*"pako"/, `from"${pakoPath}"`);
const fontkitPath = `/assets/fontkit-${hash(fontkitSource)}.js`;

const fontSource = `export default "${readFileSync(new URL("./assets/fonts/DejaVuSans.ttf", import.meta.url)).toString("base64")}";\n`;
const fontPath = `/assets/dejavu-sans-${hash(fontSource)}.js`;

const pageSource = readFileSync(new URL("./assets/actionkit.js", import.meta.url), "utf8")
  .replace('from "./pdf-lib.js"', `from "${pdfLibPath}"`)
  .replace('from "./fontkit.js"', `from "${fontkitPath}"`)
  .replace('from "./dejavu-sans.js"', `from "${fontPath}"`);

export const actionKitScriptPath = `/assets/actionkit-${hash(pageSource)}.js`;

export function actionKitAssetRoutes(): Router {
  const router = Router();
  const send = (source: string) => (_req: unknown, res: import("express").Response) => {
    res.type("text/javascript").set("Cache-Control", "public, max-age=31536000, immutable").send(source);
  };
  router.get(pdfLibPath, send(pdfLibSource));
  router.get(pakoPath, send(pakoSource));
  router.get(fontkitPath, send(fontkitSource));
  router.get(fontPath, send(fontSource));
  router.get(actionKitScriptPath, send(pageSource));
  return router;
}
