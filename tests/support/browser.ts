// Debian's Chromium driven by playwright-core (no browser download: `.ci/run` installs the `chromium`
// package). The flags keep it off the network: the machine has none, and the pages must need none.
// Also here: axe-core's accessibility check run inside a page, a watch on requests that leave the
// site's origin, and a forward proxy that makes a browser reach the server from another loopback address.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One Chromium with its own profile. With `proxy`, every request goes through it, loopback included
 * (playwright-core adds `<-loopback>` to the bypass list), so the server sees the proxy's address.
 * `javaScript: false`: pages run no script (what a visitor without JavaScript sees).
 */
export async function launchBrowser(opts: { proxy?: URL; javaScript?: boolean } = {}): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "relais-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    ...(opts.proxy ? { proxy: { server: opts.proxy.href } } : {}),
    ...(opts.javaScript === false ? { javaScriptEnabled: false } : {}),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  // Waits are for conditions, never for time; a busy two-core machine can be slow to answer.
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Every request a page of `context` makes to another origin than `origin` (data: and blob: URLs are
 * the page's own). Pages passed to `ignore` (a test's hostile site) are left out.
 */
export function watchOtherOrigins(context: BrowserContext, origin: URL): { readonly requests: string[]; ignore(page: Page): void } {
  const requests: string[] = [];
  const ignored = new WeakSet<Page>();
  context.on("request", (req) => {
    const url = req.url();
    if (/^(data|blob|about):/.test(url) || new URL(url).origin === origin.origin) return;
    const page = req.frame().page();
    if (ignored.has(page)) return;
    requests.push(`${url} (from ${page.url()})`);
  });
  return { requests, ignore: (page) => ignored.add(page) };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeProblem {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * axe-core's violations of impact serious or critical on the page as it is (WCAG 2.1 A and AA, and
 * axe's best practices). axe's source is evaluated through the DevTools protocol: the pages' CSP allows
 * no inline script, and the check must not need one.
 */
export async function axeProblems(page: Page): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    type Result = { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Result[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } });
    return result.violations.map((v) => ({ rule: v.id, impact: v.impact ?? "", help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(" ")) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Where the test run writes its screenshots (two of them are committed under docs/screenshots). */
export const screenshotDir = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
export const viewports = { phone: { width: 360, height: 780 }, desktop: { width: 1280, height: 900 } } as const;

/**
 * Checks the page at phone width and desktop width: nothing wider than a 360 px screen, no serious or
 * critical accessibility problem at either width, and (with `name`) screenshots at both widths.
 * Returns what is wrong, empty when nothing is.
 */
export async function pageProblems(page: Page, name?: string): Promise<string[]> {
  const problems: string[] = [];
  const path = new URL(page.url()).pathname;
  if (name) mkdirSync(screenshotDir, { recursive: true });
  const before = page.viewportSize();
  for (const [label, size] of Object.entries(viewports)) {
    await page.setViewportSize(size);
    if (name) await page.screenshot({ path: `${screenshotDir}${name}-${label}.png`, fullPage: true });
    if (label === "phone") {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > size.width) problems.push(`${path}: ${width} px wide on a ${size.width} px phone`);
    }
    for (const p of await axeProblems(page)) problems.push(`${path} at ${size.width} px: ${p.impact} ${p.rule} (${p.help}): ${p.targets.join(", ")}`);
  }
  if (before) await page.setViewportSize(before);
  return problems;
}

/**
 * A forward proxy for plain-HTTP requests that connects to servers from `localAddress` (another
 * loopback address): a browser behind it is, for the server, another client.
 */
export async function startAddressProxy(localAddress: string): Promise<{ url: URL; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = request(target, { method: req.method, headers, localAddress }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
