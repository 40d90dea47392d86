// The dates of a recurring event in the editor, in Debian's Chromium (issue 17): an editor working in
// German cancels one date of a weekly help desk with a note and moves another, from the event's page;
// the list marks both, and the public page shows them. Pages checked with axe at 360 px and 1280 px,
// asking nothing of another origin, with no translation key missing in any interface language.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("the dates of a recurring event in a real browser", () => {
  let relais: RelaisInstance;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  let id: string;
  let publicPath: string;
  const problems: string[] = [];

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "koeln", name: { de: "Sozialberatung Köln" }, primaryLanguage: "de" });
    const { principal } = await createEditor(relais.runtime, "koeln", "jana@example.org");
    const created = await relais.runtime.events.create(principal, "koeln", {
      name: { de: "Sprechstunde Jobcenter" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Berlin",
      location: { name: "Bürgerzentrum", locality: "Köln", country: "DE" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], count: 8 },
      published: true,
    });
    id = created.event.id;
    publicPath = created.event.apId.pathname;
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, relais.origin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await relais?.close();
  });

  it("cancels a date with a note and moves another from the event's page", async () => {
    const page: Page = await browser.context.newPage();
    await page.goto(relais.url("/manage/login?lang=de").href);
    await page.getByLabel("E-Mail-Adresse").fill("jana@example.org");
    await page.locator('input[name="password"]').fill("correct horse battery");
    await page.locator('form button[type="submit"]').first().click();
    await page.waitForURL((url) => url.pathname === "/manage");

    await page.goto(relais.url(`/manage/events/${id}`).href);
    expect(await page.locator("#dates-title").textContent()).toBe("Termine der Reihe");
    expect(await page.locator("ul.occurrences > li").count()).toBe(8);
    problems.push(...(await pageProblems(page, "series-dates")));

    await page.locator("#date-2030-03-26").getByRole("link", { name: "Absagen…" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/occurrences/2030-03-26"));
    problems.push(...(await pageProblems(page, "series-occurrence")));
    await page.getByLabel("Hinweis (optional)").fill("Streik im Bürgerzentrum");
    await page.getByRole("button", { name: "Diesen Termin absagen" }).click();
    await page.waitForURL((url) => url.pathname === `/manage/events/${id}`);
    expect(await page.locator('p[role="status"]').textContent()).toBe("Der Termin ist abgesagt.");
    expect(await page.locator("#date-2030-03-26").textContent()).toContain("Hinweis: Streik im Bürgerzentrum");

    await page.locator("#date-2030-04-02").getByRole("link", { name: "Verschieben…" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/occurrences/2030-04-02"));
    await page.locator('#move input[name="startDate"]').fill("2030-04-03");
    await page.locator('#move input[name="endDate"]').fill("2030-04-03");
    await page.getByRole("button", { name: "Termin verschieben" }).click();
    await page.waitForURL((url) => url.pathname === `/manage/events/${id}`);
    expect(await page.locator("#date-2030-04-02").textContent()).toContain("Verschoben");
    problems.push(...(await pageProblems(page, "series-dates-changed")));

    // The same pages in every interface language, with no key missing.
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["fr", "nl", "en", "de"]) {
      await page.goto(relais.url(`/manage/events/${id}/occurrences/2030-04-09?lang=${lang}`).href);
      await page.goto(relais.url(`/manage/events/${id}/series/split?from=2030-04-09`).href);
      await page.goto(relais.url(`/manage/events/${id}/series/end`).href);
      await page.goto(relais.url(`/manage/events/${id}`).href);
    }
    expect(missingTranslationKeys().length).toBe(missingBefore);

    await page.goto(relais.url(publicPath).href);
    expect(await page.locator("#occurrence-2030-03-26").textContent()).toContain("Streik im Bürgerzentrum");
    expect(await page.locator("#occurrence-2030-04-02 del").count()).toBe(1);
    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
  }, 240_000);
});
