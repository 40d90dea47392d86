import { createHash } from "node:crypto";
import { Router } from "express";

// The site's only stylesheet. Served as a file rather than inline so that the Content-Security-Policy
// allows no inline style or script at all; its address carries its hash, so it can be cached for good.
const stylesheet = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header,main,footer{max-width:46rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5rem}
a{color:#0645ad}h1{line-height:1.2}h1,h2{overflow-wrap:break-word;hyphens:auto}
.muted{color:#555}.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:1rem 0}
nav.languages a{margin-left:.5rem}nav.site{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-weight:600}
.skip{position:absolute;left:-100vw;top:0}.skip:focus{left:.5rem;background:#fff;padding:.5rem;z-index:1}
ul.event-list,ul.collective-list{list-style:none;padding:0}ul.event-list li,ul.collective-list li{padding:.5rem 0;border-bottom:1px solid #e5e5e5}code{background:#eee;padding:.1rem .3rem;border-radius:.2rem}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
img{max-width:100%;height:auto}
ins{background:#dff5df;text-decoration:underline}del{background:#fbe3e3;text-decoration:line-through}.diff{white-space:pre-wrap}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.editor-nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem}
.editor-nav a{margin:0}
.stack>*+*{margin-top:.75rem}fieldset{border:1px solid #ccc;border-radius:.5rem;margin:1rem 0;padding:.75rem}
fieldset{min-width:0}select,input,textarea{max-width:100%;box-sizing:border-box}legend{font-weight:600;padding:0 .25rem}.field label{display:block;font-weight:600}
.field input:not([type=checkbox]),.field select,.field textarea,input.wide{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #767676;border-radius:.3rem;background:#fff}
.field.check{display:flex;gap:.5rem;align-items:center}input[type=checkbox],input[type=radio]{width:1.5rem;height:1.5rem;margin:0;flex:none}.field.check label{font-weight:normal}
.hint{color:#555;margin:.1rem 0;font-size:.9rem}.error{color:#b00020;font-weight:600;margin:.1rem 0}
.has-error input,.has-error select,.has-error textarea{border-color:#b00020;border-width:2px}
.notice{background:#eef6ee;border:1px solid #2e7d32;border-radius:.5rem;padding:.75rem;margin:1rem 0}
.error-summary{background:#fdecee;border-color:#b00020}.notice.stale{background:#fff8e1;border-color:#8a6d00}
button,.button{font:inherit;padding:.55rem 1rem;border-radius:.3rem;border:1px solid #333;background:#fff;color:#1a1a1a;cursor:pointer;text-decoration:none;display:inline-block;min-height:2.75rem;box-sizing:border-box}
button.primary,.button.primary{background:#0645ad;border-color:#0645ad;color:#fff}
button.danger{border-color:#b00020;color:#b00020}
form.inline{display:inline-block;margin:.2rem .3rem .2rem 0}
.row{display:flex;flex-wrap:wrap;gap:0 1rem}.row>.field{flex:1 1 10rem}
.buttons{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.tabs{display:flex;gap:.5rem;flex-wrap:wrap}.tabs a{margin:0;padding:.3rem .6rem;border:1px solid #0645ad;border-radius:.3rem}
ul.cards,ul.members,ul.events,ul.requests,ul.links{list-style:none;padding:0}ul.members li,ul.requests li{border-bottom:1px solid #eee;padding:.5rem 0}
ul.occurrences{list-style:none;padding:0}ul.occurrences li{border-bottom:1px solid #eee;padding:.5rem 0}ul.occurrences p{margin:.2rem 0}ul.occurrences li.cancelled>p:first-child{color:#555}
.badge{font-weight:600}.badge.cancelled{color:#b00020}.badge.moved,.badge.elsewhere{color:#8a4b00}
.toot{border-left:4px solid #6364ff;background:#fff;padding:.5rem .75rem;margin:.5rem 0;white-space:pre-wrap;font:inherit}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top}
code.secret{font-size:1.2rem;word-break:break-all}
.digest code,.who{overflow-wrap:anywhere}
figure{margin:1rem 0}figure.thumb img{display:block;max-width:15rem;border:1px solid #ddd;border-radius:.3rem}
figure.event-image img{display:block;border-radius:.5rem}
.collective-head{display:flex;gap:1rem;align-items:center}.avatar{border-radius:50%;object-fit:cover;flex:none}
pre.letter{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;background:#fff;border:1px solid #ddd;border-radius:.3rem;padding:1rem}
.privacy{background:#eef3fb;border:1px solid #0645ad;border-radius:.5rem;padding:.75rem;margin:1rem 0}
html.kit-ready .kit-noscript{display:none}textarea.letter-text{width:100%;min-height:8rem;font:inherit;box-sizing:border-box}
@media print{header,nav,.no-print,.skip{display:none!important}body{background:#fff}pre.letter{border:0;padding:0;break-inside:auto}}
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
