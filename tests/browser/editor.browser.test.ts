import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { launchBrowser } from "../support/browser.ts";

/** Screenshots of the main pages, written by every run (two of them are committed under docs/). */
const shots = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const widths = { phone: { width: 360, height: 780 }, desktop: { width: 1280, height: 900 } } as const;

describe("the editor in a real browser", () => {
  let relais: RelaisInstance;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const otherOrigins: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.users.create("admin@example.org", "correct horse battery", { admin: true });
    browser = await launchBrowser();
    context = browser.context;
    context.on("request", (req) => {
      if (new URL(req.url()).origin !== relais.origin.origin && !req.url().startsWith("data:")) otherOrigins.push(req.url());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await relais?.close();
  });

  const snap = async (page: Page, name: string) => {
    for (const [label, size] of Object.entries(widths)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${shots}${name}-${label}.png`, fullPage: true });
      // Nothing wider than the screen on a phone.
      if (label === "phone") expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    }
  };

  it("logs in, creates a collective and a bilingual event, publishes it, and the public page shows it", async () => {
    const page = await context.newPage();
    await page.setExtraHTTPHeaders({ "accept-language": "fr" });
    await page.goto(relais.url("/manage").href);
    expect(new URL(page.url()).pathname).toBe("/manage/login");
    await snap(page, "login");
    await page.getByLabel("Adresse e-mail").fill("admin@example.org");
    await page.getByLabel("Mot de passe").fill("correct horse battery");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    await page.getByRole("link", { name: "Créer un collectif" }).click();
    await page.getByLabel("Identifiant").fill("droits-lyon");
    await page.getByLabel("Nom").fill("Droits sociaux Lyon");
    await page.getByRole("button", { name: "Créer un collectif" }).click();
    await page.getByRole("link", { name: "Nouvel événement" }).click();

    await page.locator('input[name="name.fr"]').fill("Rassemblement devant la CAF");
    await page.locator('input[name="summary.fr"]').fill("Contre le contrôle algorithmique");
    await page.locator('input[name="startDate"]').fill("2030-03-08");
    await page.locator('input[name="startTime"]').fill("14:00");
    await page.locator('input[name="placeName"]').fill("Place Bellecour");
    await page.locator('input[name="locality"]').fill("Lyon");
    await page.locator('select[name="addLanguage"]').selectOption("de");
    await page.locator('select[name="copyFrom"]').selectOption("fr");
    await page.getByRole("button", { name: "Ajouter cette langue" }).click();
    await page.locator('input[name="name.de"]').fill("Kundgebung vor der Familienkasse");
    await page.locator('input[name="summary.de"]').fill("Gegen algorithmische Kontrolle");
    await page.getByRole("button", { name: "Aperçu" }).click();
    await expect.poll(() => page.locator(".toot-line").first().textContent()).toContain("heure de Paris");
    await snap(page, "event-form");
    await page.getByRole("button", { name: "Publier" }).click();
    await expect.poll(() => page.locator('p[role="status"]').textContent()).toContain("Publié");

    const publicPage = await context.newPage();
    const eventPath = await page.getByRole("link", { name: "Page publique" }).getAttribute("href");
    await publicPage.goto(relais.url(`${eventPath}?lang=de`).href);
    expect(await publicPage.locator("h1").textContent()).toBe("Kundgebung vor der Familienkasse");
    await snap(publicPage, "event-page");
    await page.goto(relais.url("/manage/@droits-lyon").href);
    await snap(page, "dashboard");

    await page.getByRole("button", { name: "Se déconnecter" }).click();
    expect(new URL(page.url()).pathname).toBe("/manage/login");
    expect(otherOrigins).toEqual([]);
  }, 180_000);
});
