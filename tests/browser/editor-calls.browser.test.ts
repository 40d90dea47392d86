// Issue 9's call editor and issue 7's partners and blocks pages in Debian's Chromium. An editor (in
// French) writes a call in French and German with its demands, deadline and day of action, starts the
// consultation, saves a new version, reads the history with its diff, meets a stale form, launches the
// call and the German public page shows it. An owner (in Dutch) follows a collective of another server
// and unfollows it, then (in English) blocks a server and lifts the block; the instance admin (in
// German) sees the instance-wide blocks. Every page seen is checked for accessibility at 360 px and at
// desktop width; none asks anything of another origin.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const password = "correct horse battery";
/** vitest's expect.poll gives up after one second; a page on a busy two-core machine may take longer. */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 200 });

describe("the call editor, partners and blocks in a real browser", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  const problems: string[] = [];
  let eventId: string;
  let callId: string;

  const check = async (page: Page, name?: string) => {
    problems.push(...(await pageProblems(page, name)));
  };
  const login = async (page: Page, email: string, lang: string, labels: { email: string; submit: string }) => {
    await page.goto(a.url(`/manage/login?lang=${lang}`).href);
    await page.getByLabel(labels.email).fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole("button", { name: labels.submit }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
  };
  const status = (page: Page) => page.locator('p[role="status"]').textContent();

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3", worker: true })]);
    await a.runtime.collectives.create({ slug: "droits-lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "gent", name: { nl: "Gent solidair" }, primaryLanguage: "nl" });
    await b.runtime.collectives.create({ slug: "aachen", name: { de: "Aachen solidarisch" }, primaryLanguage: "de" });
    const { principal } = await createEditor(a.runtime, "droits-lyon", "ana@example.org");
    await createEditor(a.runtime, "gent", "bram@example.org", "owner");
    await a.runtime.users.create("root@example.org", password, { admin: true });
    const event = await a.runtime.events.create(principal, "droits-lyon", {
      name: { fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon" },
      published: true,
    });
    eventId = event.event.id;
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, a.origin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it("the editor (in French) writes a call in two languages and saves the draft", async () => {
    const page = await browser.context.newPage();
    await login(page, "ana@example.org", "fr", { email: "Adresse e-mail", submit: "Se connecter" });
    await page.goto(a.url("/manage/@droits-lyon").href);
    await page.getByRole("link", { name: "Appels à mobilisation" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@droits-lyon/calls");
    await check(page, "calls");
    await page.getByRole("link", { name: "Nouvel appel" }).click();
    await page.locator('input[name="title.fr"]').fill("Stop au contrôle algorithmique");
    await page.locator('textarea[name="pitch.fr"]').fill("Journée d’action le 8 mars dans toutes les CAF.");
    await page.locator('textarea[name="body.fr"]').fill("Nous exigeons **la fin** du score de risque.");
    await page.locator('input[name="demand.0.fr"]').fill("La fin du score de risque");
    await page.getByRole("button", { name: "Ajouter une revendication" }).click();
    await page.locator('input[name="demand.2.fr"]').waitFor();
    await page.locator('input[name="demand.1.fr"]').fill("La publication du code");
    await page.locator('input[name="deadlineDate"]').fill("2030-03-01");
    await page.getByLabel(/Rassemblement devant la CAF/).check();
    // The German text, started from the French one.
    await page.locator('select[name="addLanguage"]').selectOption("de");
    await page.locator('select[name="copyFrom"]').selectOption("fr");
    await page.getByRole("button", { name: "Ajouter cette langue" }).click();
    await poll(() => page.locator('input[name="title.de"]').inputValue()).toBe("Stop au contrôle algorithmique");
    expect(await page.locator('input[name="demand.1.fr"]').inputValue()).toBe("La publication du code");
    await page.locator('input[name="title.de"]').fill("Stopp der algorithmischen Kontrolle");
    await page.locator('textarea[name="pitch.de"]').fill("Aktionstag am 8. März.");
    await page.locator('textarea[name="body.de"]').fill("Wir fordern **das Ende** des Risikoscores.");
    await page.locator('input[name="demand.0.de"]').fill("Das Ende des Risikoscores");
    await page.locator('input[name="demand.1.de"]').fill("Die Veröffentlichung des Codes");
    await check(page, "call-form");
    await page.getByRole("button", { name: "Enregistrer le brouillon" }).click();
    await poll(() => status(page)).toContain("Enregistré");
    callId = new URL(page.url()).pathname.split("/").pop() as string;
    const call = await a.runtime.calls.load(callId);
    expect(call?.title).toEqual({ fr: "Stop au contrôle algorithmique", de: "Stopp der algorithmischen Kontrolle" });
    expect(call?.demands).toEqual([
      { fr: "La fin du score de risque", de: "Das Ende des Risikoscores" },
      { fr: "La publication du code", de: "Die Veröffentlichung des Codes" },
    ]);
    expect(call?.relatedEvents).toEqual([eventId]);
    await page.close();
  }, 180_000);

  it("the editor starts the consultation, saves a new version, meets a stale form and reads the diff", async () => {
    const page = await browser.context.newPage();
    await page.goto(a.url(`/manage/calls/${callId}`).href);
    await page.getByRole("link", { name: "Ouvrir la consultation…" }).click();
    await check(page, "call-confirm");
    expect((await a.runtime.calls.load(callId))?.status).toBe("draft");
    await page.getByRole("button", { name: "Ouvrir la consultation" }).click();
    await poll(() => status(page)).toContain("consultation");

    // Another tab holds the form as it was; this one saves a new version first.
    const other = await browser.context.newPage();
    await other.goto(a.url(`/manage/calls/${callId}`).href);
    await page.locator('textarea[name="body.fr"]').fill("Nous exigeons **la fin** immédiate du score de risque.");
    await page.getByRole("button", { name: "Enregistrer comme nouvelle version" }).click();
    await poll(() => status(page)).toContain("Enregistré");
    expect((await a.runtime.calls.load(callId))?.version).toBe(2);

    await other.locator('input[name="title.fr"]').fill("Stop au contrôle algorithmique des allocataires");
    await other.getByRole("button", { name: "Enregistrer comme nouvelle version" }).click();
    await other.locator("#stale").waitFor();
    // Struck through: what was saved meanwhile and the form lacks; underlined: what this form adds.
    expect(await other.locator("#stale del", { hasText: "immédiate" }).count()).toBe(1);
    expect(await other.locator("#stale ins", { hasText: "des allocataires" }).count()).toBe(1);
    expect(await other.locator('input[name="title.fr"]').inputValue()).toBe("Stop au contrôle algorithmique des allocataires");
    await check(other, "call-stale");
    await other.close();

    await page.getByRole("link", { name: "Toutes les versions et ce qui a changé" }).click();
    await page.waitForURL((url) => url.pathname === `/manage/calls/${callId}/versions`);
    expect(await page.locator("ins").first().textContent()).toBe("immédiate ");
    await check(page, "call-history");
    await page.getByRole("link", { name: "allemand" }).click();
    await page.waitForURL((url) => url.search === "?language=de");
    await page.close();
  }, 180_000);

  it("the editor launches the call; the German public page shows it", async () => {
    const page = await browser.context.newPage();
    await page.goto(a.url(`/manage/calls/${callId}`).href);
    await page.getByRole("link", { name: "Lancer l’appel…" }).click();
    await page.getByRole("button", { name: "Lancer l’appel" }).click();
    await poll(() => status(page)).toContain("lancé");
    await check(page, "call-open");
    await page.goto(a.url(`/calls/${callId}?lang=de`).href);
    expect(await page.locator("h1").textContent()).toBe("Stopp der algorithmischen Kontrolle");
    expect(await page.locator("ol li").allTextContents()).toEqual(["Das Ende des Risikoscores", "Die Veröffentlichung des Codes"]);
    await page.goto(a.url("/manage").href);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/login");
    await page.close();
  }, 120_000);

  it("an owner (in Dutch) follows a collective of another server and unfollows it; (in English) blocks a server", async () => {
    const page = await browser.context.newPage();
    await login(page, "bram@example.org", "nl", { email: "E-mailadres", submit: "Inloggen" });
    await page.goto(a.url("/manage/@gent").href);
    await page.getByRole("link", { name: "Partners" }).click();
    await page.getByLabel("Handle of adres").fill(`@aachen@${b.origin.host}`);
    await page.getByLabel("Hun nieuwe evenementen doorgeven aan onze volgers").check();
    await page.getByRole("button", { name: "Volgen", exact: true }).click();
    await poll(() => status(page)).toContain("Volgverzoek verstuurd");
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator(".state").first().textContent();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe("Aanvaard");
    await check(page, "partners");
    await page.getByRole("link", { name: "Niet meer volgen…" }).click();
    await check(page, "partner-unfollow");
    await page.getByRole("button", { name: "Niet meer volgen" }).click();
    await poll(() => status(page)).toContain("niet meer");
    expect(await a.runtime.partners.list("cli", "gent")).toEqual([]);

    await page.goto(a.url("/manage/@gent/blocks?lang=en").href);
    await page.getByLabel("Server or account").fill("spam.example");
    await page.getByLabel("Reason (optional)").fill("flood of fake events");
    await page.getByRole("button", { name: "Block", exact: true }).click();
    await poll(() => status(page)).toContain("Blocked.");
    await check(page, "blocks");
    await page.getByRole("button", { name: "Lift the block" }).click();
    await poll(() => status(page)).toContain("Block lifted.");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/login");
    await page.close();
  }, 180_000);

  it("the instance admin (in German) sees the instance-wide blocks", async () => {
    const page = await browser.context.newPage();
    await login(page, "root@example.org", "de", { email: "E-Mail-Adresse", submit: "Anmelden" });
    await page.getByRole("link", { name: "Blockierungen der ganzen Instanz" }).click();
    await page.getByLabel("Server oder Konto").fill("evil.example");
    await page.getByRole("button", { name: "Blockieren", exact: true }).click();
    await poll(() => status(page)).toContain("Blockiert.");
    await check(page, "instance-blocks");
    await page.close();

    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(missingTranslationKeys()).toEqual([]);
  }, 120_000);
});
