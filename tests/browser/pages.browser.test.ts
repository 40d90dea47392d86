// Every public and editor page in a real browser (issue 8, "the public site" and "the editor"): no
// serious or critical accessibility problem found by axe-core, nothing wider than a 360 px phone, no
// request to any other origin, keyboard focus visible, and in each of fr, de, nl and en every word of
// the interface translated (no key missing from the locale files, the page's language declared).
import sharp from "sharp";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const password = "correct horse battery";
const languages = ["fr", "de", "nl", "en"] as const;

describe("every page in a real browser", () => {
  let relais: RelaisInstance;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  let page: Page;
  let eventId: string;
  let seriesId: string;
  let callId: string;
  let draftId: string;
  let invitation: string;
  let reset: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const r = relais.runtime;
    await r.users.create("owner@example.org", password, { admin: true });
    await r.collectives.create({
      slug: "lyon",
      name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" },
      summary: { fr: "Collectif contre le contrôle algorithmique des allocataires" },
      primaryLanguage: "fr",
      manuallyApprovesFollowers: true,
    });
    await r.users.addMember("lyon", "owner@example.org", "owner");
    const principal = await principalOf(relais, "owner@example.org");
    const photo = await sharp({ create: { width: 1200, height: 600, channels: 3, background: "#c33" } }).jpeg().toBuffer();
    const stored = await r.media.storeImage(photo);
    if (!stored.ok) throw new Error(stored.reason);
    const published = await r.events.create(principal, "lyon", {
      name: { fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" },
      summary: { fr: "Contre le contrôle algorithmique", de: "Gegen algorithmische Kontrolle" },
      description: { fr: "Apportez vos **courriers** de la CAF." },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      image: { url: relais.url(`/media/${stored.image.name}`).href, alt: { fr: "Affiche rouge", de: "Rotes Plakat" } },
      category: "MOVEMENTS_POLITICS",
      tags: ["caf"],
      published: true,
    });
    eventId = published.event.id;
    // A recurring event with its exceptions: the rule in words and the next dates (cancelled, moved, elsewhere) swept too.
    seriesId = (
      await r.events.create(principal, "lyon", {
        name: { fr: "Permanence CAF", de: "Sprechstunde" },
        startsAt: "2030-03-12T14:00",
        endsAt: "2030-03-12T17:00",
        timezone: "Europe/Paris",
        location: { name: "Centre social", locality: "Lyon", country: "FR" },
        recurrence: { frequency: "weekly", interval: 2, weekdays: ["TU", "TH"], until: "2030-06-30" },
        published: true,
      })
    ).event.id;
    await r.series.changeOccurrence(principal, seriesId, "2030-03-12", { cancelled: true, reason: { fr: "Grève" } });
    await r.series.changeOccurrence(principal, seriesId, "2030-03-14", { startsAt: "2030-03-15T10:00", endsAt: "2030-03-15T12:00" });
    await r.series.changeOccurrence(principal, seriesId, "2030-03-26", { location: { name: "Bourse du travail", locality: "Lyon" } });
    const call = await r.calls.create(principal, "lyon", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      pitch: { fr: "Les CAF notent nos vies.", de: "Die Kassen benoten unser Leben." },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
      deadline: "2030-03-01",
      relatedEvents: [eventId],
      image: { url: relais.url(`/media/${stored.image.name}`).href, alt: { fr: "Affiche rouge", de: "Rotes Plakat" } },
    });
    await r.calls.open(principal, call.id);
    await r.calls.update(principal, call.id, { body: { fr: "Nous **exigeons** la fin immédiate du score.", de: "Wir **fordern** das Ende des Scores." } });
    callId = call.id;
    draftId = (await r.events.create(principal, "lyon", { name: { fr: "Assemblée" }, startsAt: "2030-04-01T18:00", timezone: "Europe/Paris", onlineUrl: "https://meet.example/ag", published: false })).event.id;
    invitation = (await r.links.invite(principal, "lyon", "chloe@example.org", "editor")).token;
    reset = (await r.links.createReset("cli", "owner@example.org"))?.token as string;

    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, relais.origin);
    page = await browser.context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await relais?.close();
  });

  const visit = async (path: string, lang?: string) => {
    const url = relais.url(path);
    if (lang) url.searchParams.set("lang", lang);
    const res = await page.goto(url.href);
    return res?.status();
  };

  /**
   * The page in each language, declared as such. Its words come from the locale files: a key missing
   * from them is remembered by the translator, which renders in this process (missingTranslationKeys).
   */
  const untranslated = async (path: string) => {
    const found: string[] = [];
    for (const lang of languages) {
      await visit(path, lang);
      const declared = await page.evaluate(() => document.documentElement.lang);
      if (declared !== lang) found.push(`${path}?lang=${lang}: <html lang="${declared}">`);
    }
    found.push(...missingTranslationKeys().map((key) => `${path}: the key ${key} is in no locale file`));
    return found;
  };

  /**
   * Every page reachable by links from `start` (same origin, kept by `keep`; images, stylesheets and
   * calendar files left out; `?lang=` ignored), each checked in one of the four languages in turn
   * (accessibility, phone width) and declared in all four. New pages are checked without being listed.
   */
  const crawl = async (start: string[], keep: (path: string) => boolean, opts: { screenshots?: boolean; limit?: number } = {}) => {
    const queue = [...start];
    const seen = new Set(queue);
    const visited: string[] = [];
    const problems: string[] = [];
    while (queue.length > 0 && visited.length < (opts.limit ?? 60)) {
      const path = queue.shift() as string;
      const status = await visit(path, languages[visited.length % languages.length]);
      visited.push(path);
      if (status !== 200) {
        problems.push(`${path}: answered ${status}`);
        continue;
      }
      const links = await page.$$eval("a[href]", (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
      for (const href of links) {
        const url = new URL(href);
        if (url.origin !== relais.origin.origin || /^\/(media|assets)\/|\.ics$/.test(url.pathname)) continue;
        url.searchParams.delete("lang");
        const next = url.pathname + url.search;
        if (keep(next) && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
      const kind = path === "/" ? "home" : path === "/events" ? "calendar" : /^\/@[^/]+$/.test(path) ? "collective" : /^\/events\/[0-9a-f-]{36}$/.test(path) ? "event" : undefined;
      const name = opts.screenshots && kind ? `public-${kind}` : undefined;
      problems.push(...(await pageProblems(page, name)), ...(await untranslated(path)));
    }
    return { visited, problems };
  };

  it("public pages: accessible, fit a phone, translated in fr, de, nl and en", async () => {
    // The check itself finds problems: an image without a description, a field without a label.
    await visit("/", "fr");
    await page.evaluate(() => document.querySelector("main")?.insertAdjacentHTML("beforeend", '<img src="/x.png"><input type="text">'));
    expect((await pageProblems(page)).join("\n")).toMatch(/critical image-alt[\s\S]*critical label/);
    const { visited, problems } = await crawl(["/"], (path) => !path.startsWith("/manage"), { screenshots: true });
    expect(visited).toEqual(expect.arrayContaining(["/", "/events", "/@lyon", `/events/${eventId}`, `/events/${seriesId}`, `/calls/${callId}`, `/calls/${callId}/versions`, `/calls/${callId}/versions/1`]));
    await visit("/no-such-page", "nl");
    problems.push(...(await pageProblems(page)), ...(await untranslated("/no-such-page")));
    expect(problems).toEqual([]);
  }, 300_000);

  it("editor pages before logging in: login, forgotten password, invitation, reset link", async () => {
    const problems: string[] = [];
    for (const [i, path] of ["/manage/login", "/manage/forgot", `/manage/invitations/${invitation}`, `/manage/reset/${reset}`].entries()) {
      await visit(path, languages[i % languages.length]);
      problems.push(...(await pageProblems(page)));
      problems.push(...(await untranslated(path)));
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it("editor pages of an owner who is the instance admin", async () => {
    await visit("/manage/login", "en");
    await page.getByLabel("Email").fill("owner@example.org");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    const { visited, problems } = await crawl(["/manage"], (path) => path.startsWith("/manage"));
    expect(visited).toEqual(
      expect.arrayContaining([
        "/manage",
        "/manage/account",
        "/manage/account/totp",
        "/manage/collectives/new",
        "/manage/@lyon",
        "/manage/@lyon/members",
        "/manage/@lyon/settings",
        "/manage/@lyon/audit",
        "/manage/@lyon/events/new",
        `/manage/events/${eventId}`,
        `/manage/events/${draftId}`,
        `/manage/events/${eventId}/cancel`,
        `/manage/events/${eventId}/delete`,
      ]),
    );
    // A form sent with problems: the summary and the messages next to their fields.
    await visit("/manage/@lyon/events/new", "de");
    await page.locator('input[name="name.fr"]').fill("");
    await page.getByRole("button", { name: "Vorschau" }).click();
    await page.locator(".error-summary").waitFor();
    problems.push(...(await pageProblems(page)));
    expect(problems).toEqual([]);
  }, 600_000);

  it("shows where the keyboard is: every link and button of the event form gets a visible focus ring", async () => {
    await visit(`/manage/events/${eventId}`, "fr");
    const unmarked: string[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { what: `${el.tagName} ${el.getAttribute("name") ?? el.textContent?.trim().slice(0, 30)}`, outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px" };
      });
      if (focus && !focus.outline) unmarked.push(focus.what);
    }
    expect(unmarked).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(missingTranslationKeys()).toEqual([]);
  }, 120_000);
});

async function principalOf(relais: RelaisInstance, email: string) {
  const { token } = await relais.runtime.users.createToken(email);
  const principal = await relais.runtime.users.authenticate(token);
  if (!principal) throw new Error(`no principal for ${email}`);
  return principal;
}
