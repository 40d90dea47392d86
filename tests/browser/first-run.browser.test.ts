// Issue 8, "Done when": `relais start` (what `npm start` runs) on a fresh embedded data folder, the
// README's one command that creates the first admin (run as written, password on standard input,
// through the running server), then everything else in a browser: the admin logs in in Dutch, creates
// a collective and publishes an event; the language switcher keeps the page; the public pages show it
// in English. The real process, not an in-test instance.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { newEmbeddedDataDir } from "../support/embedded-template.ts";
import { freePort, type RelaisProcess, startProcess } from "../support/relais-process.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const adminPassword = "vier woorden zijn genoeg";

/** The README's ```sh block that creates the first admin: exactly one, holding one command. */
function adminCommand(): string {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((b) => /user create \S+ --admin/.test(b));
  expect(blocks).toHaveLength(1);
  return blocks[0] as string;
}

describe("a fresh instance, one command, then everything in a browser", () => {
  let server: RelaisProcess;
  let removeDataDir: () => Promise<void> | void;
  let origin: string;
  let env: Record<string, string>;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const { dataDir, remove } = await newEmbeddedDataDir("first-run");
    removeDataDir = remove;
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    env = { RELAIS_ORIGIN: origin, PORT: String(port), HOST: "127.0.0.1", RELAIS_DATA_DIR: dataDir, DATABASE_URL: "", REDIS_URL: "" };
    server = await startProcess(["start"], env, /listening on port/);
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, new URL(origin));
    page = await browser.context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await removeDataDir?.();
  });

  it("creates the first admin with the README's command while the server runs", async () => {
    const child = spawn("bash", ["-e", "-c", adminCommand()], { cwd: root, env: { ...process.env, ...env, RELAIS_LOG_LEVEL: "warning" }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.stdin.end(`${adminPassword}\n`);
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code, out).toBe(0);
    expect(out).toContain(`created instance admin you@example.org; log in at ${origin}/manage/login`);
  }, 120_000);

  it("the admin logs in in Dutch, creates a collective and publishes an event", async () => {
    await page.goto(`${origin}/manage`);
    await page.locator(`nav.languages a[hreflang="nl"]`).click();
    await page.locator('input[name="email"]').fill("you@example.org");
    await page.locator('input[name="password"]').fill(adminPassword);
    await page.getByRole("button", { name: t("nl", "editor:login.submit") }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    await page.getByRole("link", { name: t("nl", "editor:collective.create") }).click();
    await page.locator('input[name="slug"]').fill("gent");
    await page.locator('select[name="language"]').selectOption("nl");
    await page.locator('input[name="name"]').fill("Sociale rechten Gent");
    await page.locator('textarea[name="summary"]').fill("Collectief tegen algoritmische controle van uitkeringsgerechtigden");
    await page.getByRole("button", { name: t("nl", "editor:collective.create") }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@gent");

    await page.getByRole("link", { name: t("nl", "editor:dashboard.newEvent") }).click();
    await page.locator('input[name="name.nl"]').fill("Betoging aan het OCMW");
    await page.locator('input[name="startDate"]').fill("2030-05-01");
    await page.locator('input[name="startTime"]').fill("10:00");
    await page.locator('input[name="placeName"]').fill("Vrijdagmarkt");
    await page.locator('input[name="locality"]').fill("Gent");
    // The switcher keeps the page and what it shows: here, the form in English.
    await page.locator(`nav.languages a[hreflang="en"]`).click();
    await page.waitForURL((url) => url.pathname === "/manage/@gent/events/new" && url.searchParams.get("lang") === "en");
    expect(await page.locator("h1").textContent()).toBe(t("en", "editor:event.newTitle"));
    await page.locator(`nav.languages a[hreflang="nl"]`).click();
    await page.locator('input[name="name.nl"]').fill("Betoging aan het OCMW");
    await page.locator('input[name="startDate"]').fill("2030-05-01");
    await page.locator('input[name="startTime"]').fill("10:00");
    await page.locator('input[name="placeName"]').fill("Vrijdagmarkt");
    await page.locator('input[name="locality"]').fill("Gent");
    await page.getByRole("button", { name: t("nl", "editor:event.publish") }).click();
    await expect.poll(() => page.locator('p[role="status"]').textContent()).toBe(t("nl", "editor:done.published"));
    problems.push(...(await pageProblems(page)));
  }, 180_000);

  it("the public pages show the collective and its event, in English", async () => {
    await page.goto(`${origin}/?lang=en`);
    expect(await page.getByRole("link", { name: "Betoging aan het OCMW" }).count()).toBeGreaterThan(0);
    expect(await page.getByRole("link", { name: "Sociale rechten Gent" }).count()).toBeGreaterThan(0);
    await page.getByRole("link", { name: "Betoging aan het OCMW" }).first().click();
    await page.waitForURL((url) => url.pathname.startsWith("/events/"));
    expect(await page.locator("h1").textContent()).toBe("Betoging aan het OCMW");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    problems.push(...(await pageProblems(page)));
    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(await server.stop()).toBe(0);
  }, 120_000);
});
