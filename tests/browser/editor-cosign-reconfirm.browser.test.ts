// Reconfirming a signature in the editor (issue 9), in Debian's Chromium, between two Relais instances:
// a collective (German editor, other server) signed version 1 of an open call in French and German;
// the initiator changes the German text; the signer's editor finds the call awaiting its
// reconfirmation among its invitations, reads what changed in German word by word (struck through and
// underlined), and reconfirms; the initiator lists the signature again for version 2. Pages checked
// with axe at 360 px and 1280 px, asking nothing of another origin.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const password = "correct horse battery";
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 200 });

describe("reconfirming a signature in a real browser", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let browser: LaunchedBrowser;
  let watchB: ReturnType<typeof watchOtherOrigins>;
  let editorA: Principal;
  let callId: string;
  let firstStamp: string;
  const problems: string[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(b.runtime, "koeln", "jana@example.org");
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    await a.runtime.calls.consult(editorA, callId);
    const found = await a.runtime.cosignPartners(b.url("/@koeln").href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.cosign.invite(editorA, callId, found.partner);
    const invitation = await until("the invitation at koeln", async () => (await b.runtime.cosign.received("cli", "koeln"))[0], 60_000);
    firstStamp = (await b.runtime.cosign.sign("cli", "koeln", invitation.id, { languages: ["fr", "de"] })).stamp?.url as string;
    await until("koeln listed", async () => (await a.runtime.cosign.signatories(callId)).some((s) => s.stampId === firstStamp), 60_000);
    await a.runtime.calls.open(editorA, callId);
    // The German text changes: koeln's signature awaits its reconfirmation.
    const v1 = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, { body: { ...v1.bodySource, de: "Wir **fordern** das sofortige Ende des Scores." } });
    await until("koeln asked again", async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.version === 2), 60_000);
    browser = await launchBrowser();
    watchB = watchOtherOrigins(browser.context, b.origin);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it("shows what changed in the language signed, and reconfirms", async () => {
    expect((await a.runtime.cosign.invitations(editorA, callId)).signatures.find((s) => s.stampId === firstStamp)?.state).toBe("pending");
    const page: Page = await browser.context.newPage();
    await page.goto(b.url("/manage/login?lang=de").href);
    await page.getByLabel("E-Mail-Adresse").fill("jana@example.org");
    await page.locator('input[name="password"]').fill(password);
    await page.locator('form button[type="submit"]').first().click();
    await page.waitForURL((url) => url.pathname === "/manage");

    await page.goto(b.url("/manage/@koeln/invitations").href);
    const item = page.locator("ul.invitations li").filter({ hasText: "Wartet auf eure erneute Bestätigung" });
    await expect.poll(() => item.count()).toBe(1);
    problems.push(...(await pageProblems(page, "reconfirm-list")));
    await item.getByRole("link").click();
    await page.waitForURL((url) => /\/manage\/@koeln\/invitations\/[0-9a-f-]+$/.test(url.pathname));

    // What changed since version 1, in German only (French did not change), word by word.
    const section = page.locator("section.reconfirm");
    expect(await section.locator("h2").textContent()).toBe("Was sich seit eurer Unterschrift geändert hat");
    expect(await section.locator("p").first().textContent()).toContain("Version 1");
    expect(await section.locator("h3").allTextContents()).toEqual(["Deutsch"]);
    expect(await section.locator("dl.reconfirm-diff dt").allTextContents()).toEqual(["Text"]);
    expect(await section.locator("dl.reconfirm-diff ins").allTextContents()).toEqual(["sofortige "]);
    expect(await section.locator("dl.reconfirm-diff del").count()).toBe(0);
    // The new text in full below, both languages ticked as before.
    expect(await page.locator('section.call-text[lang="de"] .description').textContent()).toContain("das sofortige Ende");
    expect(await page.locator('input[name="language.de"]').isChecked()).toBe(true);
    expect(await page.locator('input[name="language.fr"]').isChecked()).toBe(true);
    problems.push(...(await pageProblems(page, "reconfirm")));
    // The same page in the other interface languages, with no key missing.
    const here = new URL(page.url());
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["fr", "nl", "en", "de"]) {
      await page.goto(`${here.origin}${here.pathname}?lang=${lang}`);
      expect(await page.locator("section.reconfirm dl.reconfirm-diff ins").count()).toBe(1);
    }
    expect(missingTranslationKeys().length).toBe(missingBefore);

    await page.getByRole("button", { name: "Unsere Unterschrift erneut bestätigen" }).click();
    await poll(() => page.locator('p[role="status"]').first().textContent()).toBeTruthy();
    const listed = await until("the reconfirmed signature at cdc", async () => (await a.runtime.cosign.signatories(callId)).find((s) => s.version === 2), 60_000);
    expect(listed.stampId).not.toBe(firstStamp);
    expect(listed.state).toBe("current");
    expect((await a.runtime.cosign.invitations(editorA, callId)).signatures.find((s) => s.stampId === firstStamp)?.state).toBe("removed");

    expect(problems).toEqual([]);
    expect(watchB.requests).toEqual([]);
  }, 240_000);
});
