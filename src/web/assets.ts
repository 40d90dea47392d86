import { createHash } from "node:crypto";
import { Router } from "express";

// The site's only stylesheet. Served as a file rather than inline so that the Content-Security-Policy
// allows no inline style or script at all; its address carries its hash, so it can be cached for good.
const stylesheet = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header,main,footer{max-width:46rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5rem}
a{color:#0645ad}h1{line-height:1.2}
.muted{color:#555}.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:1rem 0}
nav[aria-label] a{margin-left:.5rem}code{background:#eee;padding:.1rem .3rem;border-radius:.2rem}
:focus-visible{outline:3px solid #f90;outline-offset:2px}
`;

const version = createHash("sha256").update(stylesheet).digest("hex").slice(0, 12);

export const stylesheetPath = `/assets/relais-${version}.css`;

/** Static assets of the pages, at addresses that change with their content. */
export function assetRoutes(): Router {
  const router = Router();
  router.get(stylesheetPath, (_req, res) => {
    res.type("text/css").set("Cache-Control", "public, max-age=31536000, immutable").send(stylesheet);
  });
  return router;
}
