// The editor's guards, in Debian's Chromium (issue 8, "Tests"): a TOTP code cannot be used twice;
// wrong passwords from one address are throttled while the right one still works from another; a
// form with a wrong token, or sent from another site, is refused; an editor of one collective can
// change nothing of another's; an SVG or an HTML page named .jpg is refused with what was typed kept.
// Each refusal is checked where it matters (nothing changed, nothing queued for followers), and the
// pages that say so pass axe and fit a phone.
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys, t } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, startAddressProxy, watchOtherOrigins } from "../support/browser.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const password = "correct horse battery";

describe("the editor's guards in a real browser", () => {
  let relais: RelaisInstance;
  let browser: LaunchedBrowser;
  let elsewhere: LaunchedBrowser;
  let proxy: Awaited<ReturnType<typeof startAddressProxy>>;
  let watch: ReturnType<typeof watchOtherOrigins>;
  let page: Page;
  let lyonEvent: string;
  let gentEvent: string;
  const problems: string[] = [];
  const outboxRows = async () => Number(((await relais.runtime.em.fork().getConnection().execute("select count(*) as n from outbox")) as { n: string }[])[0]?.n);

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const r = relais.runtime;
    await r.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await r.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    const ana = (await createEditor(r, "lyon", "ana@example.org")).principal;
    const gent = (await createEditor(r, "gent", "gent@example.org", "owner")).principal;
    await createEditor(r, "lyon", "totp@example.org");
    const event = (who: Principal, slug: string, name: Record<string, string>) =>
      r.events.create(who, slug, { name, startsAt: "2030-05-01T10:00", timezone: "Europe/Brussels", location: { name: "Vrijdagmarkt", locality: "Gent" }, published: true });
    lyonEvent = (await event(ana, "lyon", { fr: "Manifestation" })).event.id;
    gentEvent = (await event(gent, "gent", { nl: "Betoging" })).event.id;
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, relais.origin);
    page = await browser.context.newPage();
    proxy = await startAddressProxy("127.0.0.4");
    elsewhere = await launchBrowser({ proxy: proxy.url });
  }, 180_000);
  afterAll(async () => {
    await elsewhere?.close();
    await proxy?.close();
    await browser?.close();
    await relais?.close();
  });

  const logIn = async (p: Page, email: string, lang: string, pass = password) => {
    await p.goto(relais.url(`/manage/login?lang=${lang}`).href);
    await p.locator('input[name="email"]').fill(email);
    await p.locator('input[name="password"]').fill(pass);
    const answer = p.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/manage/login");
    await p.getByRole("button", { name: t(lang, "editor:login.submit") }).click();
    return (await answer).status();
  };
  const logOut = async (p: Page, lang: string) => {
    await p.getByRole("button", { name: t(lang, "editor:nav.logout") }).click();
    await p.waitForURL((url) => url.pathname === "/manage/login");
  };

  it("turns TOTP on, then refuses the code that turned it on and accepts the next one (in Dutch)", async () => {
    expect(await logIn(page, "totp@example.org", "nl")).toBe(303);
    await page.goto(relais.url("/manage/account").href);
    await page.getByRole("link", { name: t("nl", "editor:totp.enable") }).click();
    const secret = ((await page.locator("code.secret").textContent()) as string).replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,64}$/);
    problems.push(...(await pageProblems(page)));
    const used = await generate({ secret });
    await page.locator('input[name="code"]').fill(used);
    await page.getByRole("button", { name: t("nl", "editor:totp.confirm") }).click();
    expect(await page.locator("ul.codes li").count()).toBe(10);
    problems.push(...(await pageProblems(page)));
    await logOut(page, "nl");

    // The password alone leads to the code step; the code seen once does not pass again.
    expect(await logIn(page, "totp@example.org", "nl")).toBe(303);
    await page.waitForURL((url) => url.pathname === "/manage/login/code");
    await page.locator('input[name="code"]').fill(used);
    await page.getByRole("button", { name: t("nl", "editor:login.submit") }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain(t("nl", "editor:totp.wrong"));
    expect(new URL(page.url()).pathname).toBe("/manage/login/code");
    problems.push(...(await pageProblems(page)));
    const next = await generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + 1) * 30 });
    await page.locator('input[name="code"]').fill(next);
    await page.getByRole("button", { name: t("nl", "editor:login.submit") }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    await logOut(page, "nl");
  }, 180_000);

  it("throttles wrong passwords from one address while the right one still works from another (in English)", async () => {
    const attacker = await elsewhere.context.newPage();
    for (let i = 0; i < 5; i++) expect(await logIn(attacker, "ana@example.org", "en", `guess number ${i}`)).toBe(401);
    // Now even the right password is refused from that address, with a message, and no session.
    expect(await logIn(attacker, "ana@example.org", "en")).toBe(429);
    await expect.poll(() => attacker.locator("body").textContent()).toContain("Too many failed attempts from your address");
    problems.push(...(await pageProblems(attacker)));
    expect((await elsewhere.context.cookies()).filter((c) => /session/.test(c.name))).toEqual([]);
    await attacker.close();

    // Ana, from her own address, is not locked out.
    expect(await logIn(page, "ana@example.org", "en")).toBe(303);
    await page.waitForURL((url) => url.pathname === "/manage");
  }, 180_000);

  it("refuses a form whose token is wrong, and a form sent from another site", async () => {
    await page.goto(relais.url(`/manage/events/${lyonEvent}`).href);
    await page.locator('input[name="name.fr"]').fill("Manifestation détournée");
    await page.locator('form.event-form input[name="_csrf"]').evaluate((input) => {
      (input as HTMLInputElement).value = "forged-token";
    });
    const answer = page.waitForResponse((res) => res.request().method() === "POST");
    await page.getByRole("button", { name: t("en", "editor:event.saveAndSend") }).click();
    expect((await answer).status()).toBe(403);
    await expect.poll(() => page.locator("h1").textContent()).toBe(t("en", "editor:errors.csrf"));
    problems.push(...(await pageProblems(page)));

    // A page on another site posts a cancellation to Relais while Ana is logged in.
    const site = await hostileSite(relais.url(`/manage/events/${lyonEvent}/cancel`));
    try {
      const hostile = await browser.context.newPage();
      watch.ignore(hostile);
      const refused = hostile.waitForResponse((res) => res.request().method() === "POST" && res.url().startsWith(relais.origin.origin));
      await hostile.goto(site.url.href);
      expect((await refused).status()).toBe(403);
      await expect.poll(() => hostile.locator("h1").textContent()).toBe(t("en", "editor:errors.csrf"));
      await hostile.close();
    } finally {
      await site.close();
    }
    const stored = await relais.runtime.events.loadForDelivery(lyonEvent);
    expect(stored?.event.name).toEqual({ fr: "Manifestation" });
    expect(stored?.event.status).toBe("scheduled");
  }, 180_000);

  it("lets an editor of one collective change nothing of another's: 403, nothing changed, nothing queued", async () => {
    const before = await outboxRows();
    for (const path of [`/manage/events/${gentEvent}`, `/manage/events/${gentEvent}/cancel`, "/manage/@gent/events/new", "/manage/@gent/members", "/manage/@gent/settings"]) {
      const res = await page.goto(relais.url(path).href);
      expect(res?.status(), path).toBe(403);
      expect(await page.locator("h1").textContent()).toBe(t("en", "editor:errors.forbidden"));
    }
    problems.push(...(await pageProblems(page)));
    // Her own form, pointed at the other collective's event (as a crafted request would be).
    await page.goto(relais.url(`/manage/events/${lyonEvent}`).href);
    await page.locator('input[name="name.fr"]').fill("Détourné");
    await page.locator("form.event-form").evaluate((form, id) => {
      (form as HTMLFormElement).action = `/manage/events/${id}`;
    }, gentEvent);
    const answer = page.waitForResponse((res) => res.request().method() === "POST");
    await page.getByRole("button", { name: t("en", "editor:event.saveAndSend") }).click();
    expect((await answer).status()).toBe(403);
    expect((await relais.runtime.events.loadForDelivery(gentEvent))?.event.name).toEqual({ nl: "Betoging" });
    expect((await relais.runtime.events.loadForDelivery(lyonEvent))?.event.name).toEqual({ fr: "Manifestation" });
    expect(await outboxRows()).toBe(before);
  }, 180_000);

  it("refuses an SVG or an HTML page named .jpg next to the image field, keeping what was typed and storing nothing", async () => {
    const files = () => readdirSync(relais.mediaDir).filter((f) => !f.startsWith("."));
    const before = files();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
    const page404 = Buffer.from("<!doctype html><html><script>alert(document.cookie)</script></html>");
    for (const bytes of [svg, page404]) {
      await page.goto(relais.url("/manage/@lyon/events/new").href);
      await page.locator('input[name="name.fr"]').fill("Rassemblement devant la CAF");
      await page.locator('input[name="startDate"]').fill("2030-03-08");
      await page.locator('input[name="placeName"]').fill("Place Bellecour");
      await page.locator('input[name="imageFile"]').setInputFiles({ name: "affiche.jpg", mimeType: "image/jpeg", buffer: bytes });
      const answer = page.waitForResponse((res) => res.request().method() === "POST");
      await page.getByRole("button", { name: t("en", "editor:event.preview") }).click();
      expect((await answer).status()).toBe(422);
      await expect.poll(() => page.locator("#f-image-error").textContent()).toBe(t("en", "editor:event.problem.image_not-an-image"));
      expect(await page.locator('input[name="name.fr"]').inputValue()).toBe("Rassemblement devant la CAF");
      expect(await page.locator('input[name="placeName"]').inputValue()).toBe("Place Bellecour");
    }
    problems.push(...(await pageProblems(page)));
    expect(files()).toEqual(before);

    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(missingTranslationKeys()).toEqual([]);
  }, 180_000);
});

/** Another site (another loopback address: another site for the browser) whose page posts a form to `target` at once. */
async function hostileSite(target: URL): Promise<{ url: URL; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><form method="post" action="${target.href}"><input name="confirm" value="yes"><input name="reason.fr" value="Piratage"></form>
<script>document.forms[0].submit()</script>`);
  });
  server.listen(0, "127.0.0.3");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.3:${port}/`),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
