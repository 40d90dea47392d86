// The slogan editor in Debian's Chromium (issue 10): an editor writing in German attaches a new slogan
// to a call and an event of the collective (selects), publishes it and finds it on the call's and the
// event's public pages; a line too long is shown next to its field with what was typed kept; on
// "Adopt a partner's slogan" the editor sees the slogans of the partner the collective follows (not its
// drafts), adopts one and lands on the draft that names and links the original. Every page passes axe
// at 360 px and 1280 px with nothing wider than the phone, asks nothing of another origin, and misses no
// translation key.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys, t } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const password = "correct horse battery";
const de = (key: string) => t("de", key);

describe("the slogan editor in a real browser", () => {
  let relais: RelaisInstance;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  let page: Page;
  let callId: string;
  let eventId: string;
  let partnerSloganUrl: string;
  const problems: string[] = [];

  beforeAll(async () => {
    relais = await startRelaisInstance();
    const r = relais.runtime;
    await r.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    await r.collectives.create({ slug: "paris", name: { fr: "Droits sociaux Paris" }, primaryLanguage: "fr" });
    const ana = (await createEditor(r, "lyon", "ana@example.org")).principal;
    const pia = (await createEditor(r, "paris", "pia@example.org")).principal;
    const call = await r.calls.create(ana, "lyon", { title: { fr: "Stop au contrôle", de: "Schluss mit der Kontrolle" }, body: { fr: "Nous exigeons.", de: "Wir fordern." } });
    await r.calls.open(ana, call.id);
    callId = call.id;
    eventId = (
      await r.events.create(ana, "lyon", { name: { fr: "Rassemblement", de: "Kundgebung" }, startsAt: "2030-05-01T10:00", timezone: "Europe/Paris", location: { name: "Bellecour", locality: "Lyon" }, published: true })
    ).event.id;
    partnerSloganUrl = (await r.slogans.create(pia, "paris", { text: { fr: "Paris ne trie pas", de: "Paris sortiert nicht" }, tags: ["paris"] })).apId.href;
    await r.slogans.create(pia, "paris", { text: { fr: "Brouillon de Paris" }, published: false });
    await followPartner(relais, "lyon", handleOf(relais, "paris"));
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, relais.origin);
    page = await browser.context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await relais?.close();
  });

  it("attaches a slogan to a call and an event, shows a problem next to its field, and adopts a partner's slogan (in German)", async () => {
    await page.goto(relais.url("/manage/login?lang=de").href);
    await page.locator('input[name="email"]').fill("ana@example.org");
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole("button", { name: de("editor:login.submit") }).click();
    await page.waitForURL((url) => url.pathname === "/manage");

    await page.goto(relais.url("/manage/@lyon/slogans").href);
    await page.getByRole("link", { name: de("editor:slogan.new") }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@lyon/slogans/new");
    problems.push(...(await pageProblems(page)));
    await page.locator('input[name="text.de"]').fill("x".repeat(121));
    await page.locator('input[name="text.fr"]').fill("Pas de tri des pauvres");
    await page.getByLabel(de("editor:slogan.call")).selectOption({ label: `Schluss mit der Kontrolle (${de("call:status.open")})` });
    await page.getByRole("button", { name: de("editor:slogan.save") }).click();
    await expect.poll(() => page.locator("#f-text-de-error").textContent()).toBe(de("editor:slogan.problem.line"));
    expect(await page.locator('input[name="text.fr"]').inputValue()).toBe("Pas de tri des pauvres");
    expect(await page.getByLabel(de("editor:slogan.call")).inputValue()).toBe(callId);
    problems.push(...(await pageProblems(page)));

    await page.locator('input[name="text.de"]').fill("Keine Sortierung der Armen");
    await page.getByLabel(de("editor:slogan.tags")).fill("caf, lyon");
    await page.getByLabel(de("editor:slogan.event")).selectOption(eventId);
    await page.getByLabel(de("editor:slogan.publish")).check();
    await page.getByRole("button", { name: de("editor:slogan.save") }).click();
    await page.waitForURL((url) => /^\/manage\/slogans\/[0-9a-f-]{36}$/.test(url.pathname));
    const id = new URL(page.url()).pathname.split("/").at(-1) as string;
    expect(await relais.runtime.slogans.load(id)).toMatchObject({ callId, eventId, tags: ["caf", "lyon"], published: true });
    problems.push(...(await pageProblems(page)));

    for (const path of [`/calls/${callId}`, `/events/${eventId}`]) {
      await page.goto(relais.url(`${path}?lang=de`).href);
      await expect.poll(() => page.getByRole("link", { name: "Keine Sortierung der Armen" }).count()).toBe(1);
      problems.push(...(await pageProblems(page)));
    }

    await page.goto(relais.url("/manage/@lyon/slogans").href);
    await page.getByRole("link", { name: de("editor:slogan.adopt") }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@lyon/slogans/adopt");
    expect(await page.locator("body").textContent()).not.toContain("Brouillon de Paris");
    problems.push(...(await pageProblems(page)));
    await page.getByRole("button", { name: de("editor:slogan.adoptButton") }).first().click();
    await page.waitForURL((url) => /^\/manage\/slogans\/[0-9a-f-]{36}$/.test(url.pathname));
    expect(await page.locator('input[name="text.de"]').inputValue()).toBe("Paris sortiert nicht");
    const origin = page.getByRole("link", { name: "Droits sociaux Paris" });
    expect(await origin.getAttribute("href")).toBe(partnerSloganUrl);
    expect(await page.locator("p.muted", { hasText: de("editor:slogan.origin") }).count()).toBe(1);
    problems.push(...(await pageProblems(page)));

    await page.goto(relais.url("/manage/@lyon/slogans/adopt").href);
    await expect.poll(() => page.locator("strong", { hasText: de("editor:slogan.adopted") }).count()).toBe(1);

    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(missingTranslationKeys()).toEqual([]);
  }, 240_000);
});
