// The signing screens (issue 9) in Debian's Chromium, between two Relais instances: the initiator's
// editor (in English) invites a partner collective to sign the call's version; the partner's editor (in
// Dutch, on the other server) reads the exact text in each language and signs; the initiator's page
// (in English) shows the verified signature. Every page is checked for accessibility at 360 px and at
// desktop width, and asks nothing of any origin but its own.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const password = "correct horse battery";
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 200 });

describe("co-signing a call in a real browser", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let browser: LaunchedBrowser;
  let watchA: ReturnType<typeof watchOtherOrigins>;
  let watchB: ReturnType<typeof watchOtherOrigins>;
  let editorA: Principal;
  let callId: string;
  const problems: string[] = [];
  const check = async (page: Page, name?: string) => {
    problems.push(...(await pageProblems(page, name)));
  };
  const login = async (page: Page, instance: RelaisInstance, email: string, lang: string, labels: { email: string; submit: string }) => {
    await page.goto(instance.url(`/manage/login?lang=${lang}`).href);
    await page.getByLabel(labels.email).fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole("button", { name: labels.submit }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
  };
  const status = (page: Page) => page.locator('p[role="status"]').first().textContent();

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent solidair" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(b.runtime, "gent", "lies@example.org");
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", nl: "Stop de algoritmische controle" },
      pitch: { fr: "Journée d’action le 8 mars.", nl: "Actiedag op 8 maart." },
      body: { fr: "Nous **exigeons** la fin du score.", nl: "Wij **eisen** het einde van de score." },
      demands: [{ fr: "Fin du score de risque", nl: "Afschaffing van de risicoscore" }],
    });
    callId = call.id;
    await a.runtime.calls.consult(editorA, callId);
    browser = await launchBrowser();
    // Each server's pages may ask only that server.
    watchA = watchOtherOrigins(browser.context, a.origin);
    watchB = watchOtherOrigins(browser.context, b.origin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it("the initiator invites, the partner reads the text in each language and signs, the initiator sees the signature", async () => {
    const pageA = await browser.context.newPage();
    watchB.ignore(pageA);
    await login(pageA, a, "ana@example.org", "en", { email: "Email", submit: "Log in" });
    await pageA.goto(a.url(`/manage/calls/${callId}`).href);
    await pageA.getByRole("link", { name: "Co-signatures…" }).click();
    await pageA.getByLabel("Partner collective").fill(`@gent@${b.origin.host}`);
    await pageA.getByRole("button", { name: "Invite to sign" }).click();
    await poll(() => status(pageA)).toContain("Invitation sent");
    await check(pageA, "call-signatures");

    const pageB = await browser.context.newPage();
    watchA.ignore(pageB);
    const inv = await until("the invitation at gent", async () => (await b.runtime.cosign.received("cli", "gent"))[0], 60_000);
    await login(pageB, b, "lies@example.org", "nl", { email: "E-mailadres", submit: "Inloggen" });
    await pageB.goto(b.url("/manage/@gent").href);
    await pageB.getByRole("link", { name: "Uitnodigingen om te ondertekenen" }).click();
    await check(pageB, "invitations");
    await pageB.getByRole("link", { name: "Stop au contrôle algorithmique" }).click();
    await pageB.waitForURL((url) => url.pathname === `/manage/@gent/invitations/${inv.id}`);
    expect(await pageB.locator('section.call-text[lang="nl"] h2').textContent()).toBe("Stop de algoritmische controle");
    expect(await pageB.locator('section.call-text[lang="nl"] ol li').allTextContents()).toEqual(["Afschaffing van de risicoscore"]);
    await check(pageB, "invitation");
    await pageB.getByRole("button", { name: "Deze versie ondertekenen" }).click();
    await poll(() => status(pageB)).toContain("Ondertekend");

    await until("the verified signature", async () => ((await a.runtime.cosign.invitations(editorA, callId)).signatures.some((s) => s.state === "current") ? true : undefined), 60_000);
    await pageA.reload();
    expect(await pageA.locator(".signatures .state").first().textContent()).toBe("Signed");

    expect(problems).toEqual([]);
    expect(watchA.requests).toEqual([]);
    expect(watchB.requests).toEqual([]);
  }, 240_000);
});
