// Issue 8's browser test, in Debian's Chromium: an owner invites an editor; the editor sets a password,
// logs in, writes a French/German event with a phone photo, publishes it; a Mastodon-shaped follower
// receives it with the image (without its GPS position); the German page shows it; the editor moves it
// (the change note previewed is the one the follower receives), cancels it after confirming, logs out.
// The owner works in French, the editor in German. Every page seen is checked for accessibility and
// phone width; none asks anything of another origin; screenshots are written at both widths.
import sharp from "sharp";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { type LaunchedBrowser, launchBrowser, pageProblems, watchOtherOrigins } from "../support/browser.ts";
import { exiftool, jpegMetadataSegments, withGpsExif } from "../support/exif.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;
const objectOf = (activity: Json | null | undefined) => (activity?.object ?? {}) as Json;
const adminPassword = "correct horse battery";
const editorPassword = "Kundgebung am Samstag um zwei";

/** A change note's HTML as the plain text it was made from (paragraphs, line breaks), without its link. */
function noteText(content: string): string {
  return content
    .replace(/<p><a href="[^"]*">[^<]*<\/a><\/p>$/, "")
    .replace(/<\/p><p>/g, "\n\n")
    .replace(/<br>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("an owner and an editor in a real browser, and a Mastodon follower", () => {
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let browser: LaunchedBrowser;
  let watch: ReturnType<typeof watchOtherOrigins>;
  const problems: string[] = [];
  let photo: Buffer;
  let invitationLink: string;
  let editorPage: Page;
  let eventPath: string;
  let eventId: string;

  /** Checks the page as it is (accessibility at both widths, phone width) and, with a name, takes screenshots. */
  const check = async (page: Page, name?: string) => {
    problems.push(...(await pageProblems(page, name)));
  };

  beforeAll(async () => {
    relais = await startRelaisInstance();
    mastodon = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.users.create("admin@example.org", adminPassword, { admin: true });
    const plain = await sharp({ create: { width: 1600, height: 900, channels: 3, background: "#c33" } }).jpeg().toBuffer();
    photo = withGpsExif(plain, 45.7578, 4.832);
    browser = await launchBrowser();
    watch = watchOtherOrigins(browser.context, relais.origin);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await mastodon?.close();
    await relais?.close();
  });

  it("the owner (in French) creates a collective and invites an editor; the link is shown to pass on", async () => {
    const page = await browser.context.newPage();
    await page.goto(relais.url("/manage").href);
    expect(new URL(page.url()).pathname).toBe("/manage/login");
    await page.locator(`nav.languages a[hreflang="fr"]`).click();
    await check(page, "login");
    await page.getByLabel("Adresse e-mail").fill("admin@example.org");
    await page.getByLabel("Mot de passe").fill(adminPassword);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    await page.getByRole("link", { name: "Créer un collectif" }).click();
    await page.getByLabel("Identifiant").fill("droits-lyon");
    await page.getByLabel("Nom").fill("Droits sociaux Lyon");
    await page.getByRole("button", { name: "Créer un collectif" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@droits-lyon");

    await page.getByRole("link", { name: "Membres" }).click();
    await page.getByLabel("Adresse e-mail").fill("ana@example.org");
    await page.getByRole("button", { name: "Créer l’invitation" }).click();
    invitationLink = await page.locator("#new-link").inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${relais.origin.origin}/manage/invitations/[A-Za-z0-9_-]{43}$`));
    await check(page, "members");
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/login");
    await page.close();

    // Meanwhile someone on Mastodon follows the collective.
    await mastodon.follow(relais.url("/@droits-lyon"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 30_000 });
  }, 180_000);

  it("the editor (in German) sets a password with the link, then logs in with it", async () => {
    editorPage = await browser.context.newPage();
    const page = editorPage;
    await page.goto(`${invitationLink}?lang=de`);
    expect(await page.locator("h1").textContent()).toBe("Einladung");
    await check(page, "invitation");
    await page.locator('input[name="password"]').fill(editorPassword);
    await page.locator('input[name="confirm"]').fill(editorPassword);
    await page.getByRole("button", { name: "Konto erstellen und beitreten" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@droits-lyon");
    await page.getByRole("button", { name: "Abmelden" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/login");

    await page.getByLabel("E-Mail-Adresse").fill("ana@example.org");
    await page.getByLabel("Passwort").fill(editorPassword);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL((url) => url.pathname === "/manage");
    await page.getByRole("link", { name: "Droits sociaux Lyon" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/@droits-lyon");
  }, 120_000);

  it("the editor writes the event in French and German with a phone photo, previews it and publishes it", async () => {
    const page = editorPage;
    await page.getByRole("link", { name: "Neue Veranstaltung" }).click();
    await page.locator('input[name="name.fr"]').fill("Rassemblement devant la CAF");
    await page.locator('input[name="summary.fr"]').fill("Contre le contrôle algorithmique");
    await page.locator('input[name="startDate"]').fill("2030-03-08");
    await page.locator('input[name="startTime"]').fill("14:00");
    await page.locator('input[name="placeName"]').fill("Place Bellecour");
    await page.locator('input[name="locality"]').fill("Lyon");
    await page.locator('select[name="country"]').selectOption("FR");
    await page.locator('input[name="imageFile"]').setInputFiles({ name: "IMG_2041.jpg", mimeType: "image/jpeg", buffer: photo });
    // A translation, started from the French text: the photo goes up with this step and stays.
    await page.locator('select[name="addLanguage"]').selectOption("de");
    await page.locator('select[name="copyFrom"]').selectOption("fr");
    await page.getByRole("button", { name: "Diese Sprache hinzufügen" }).click();
    await expect.poll(() => page.locator('input[name="name.de"]').inputValue()).toBe("Rassemblement devant la CAF");
    expect(await page.locator('input[name="image"]').inputValue()).toMatch(/^[0-9a-f]{32}\.jpg$/);
    await page.locator('input[name="name.de"]').fill("Kundgebung vor der Familienkasse");
    await page.locator('input[name="summary.de"]').fill("Gegen algorithmische Kontrolle");
    await page.locator('input[name="imageAlt.fr"]').fill("Affiche rouge");
    await page.locator('input[name="imageAlt.de"]').fill("Rotes Plakat");

    await page.getByRole("button", { name: "Vorschau" }).click();
    await page.locator(".toot-line").first().waitFor();
    expect(await page.locator(".toot-line").allTextContents()).toEqual([
      "Vendredi 8 mars 2030, 14:00 (heure de Paris) · Place Bellecour, Lyon — Contre le contrôle algorithmique",
      "Freitag, 8. März 2030, 14:00 Uhr (Ortszeit Paris) · Place Bellecour, Lyon — Gegen algorithmische Kontrolle",
    ]);
    await check(page, "event-form");
    await page.getByRole("button", { name: "Veröffentlichen" }).click();
    await expect.poll(() => page.locator('p[role="status"]').textContent()).toContain("Veröffentlicht");
    eventPath = (await page.getByRole("link", { name: "Öffentliche Seite" }).getAttribute("href")) as string;
    eventId = eventPath.split("/").pop() as string;

    // The follower gets the event with its image, and the image has no position in it any more.
    const created = await mastodon.waitFor((d) => d.activity?.type === "Create" && objectOf(d.activity).type === "Event", { timeoutMs: 30_000 });
    const event = objectOf(created.activity);
    expect(event.id).toBe(relais.url(eventPath).href);
    expect(event.nameMap).toEqual({ fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" });
    const [image] = event.attachment as Json[];
    expect(image).toMatchObject({ type: "Image", mediaType: "image/jpeg", nameMap: { fr: "Affiche rouge", de: "Rotes Plakat" } });
    const served = await fetch(String(image?.url));
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(jpegMetadataSegments(photo)).toEqual(["Exif"]);
    expect(jpegMetadataSegments(bytes)).toEqual([]);
    expect(Object.keys(await exiftool(bytes)).filter((k) => /GPS|Make|EXIF:/.test(k))).toEqual([]);
  }, 180_000);

  it("the German page shows the event with its image", async () => {
    const page = await browser.context.newPage();
    await page.goto(relais.url(`${eventPath}?lang=de`).href);
    expect(await page.locator("h1").textContent()).toBe("Kundgebung vor der Familienkasse");
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    const image = page.getByRole("img", { name: "Rotes Plakat" });
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1600);
    await check(page, "event-page");
    await page.close();
  }, 120_000);

  it("the editor moves the event: the change note previewed is the one the follower receives", async () => {
    const page = editorPage;
    await page.locator('input[name="startTime"]').fill("15:30");
    await page.getByRole("button", { name: "Vorschau" }).click();
    await page.locator("pre.toot.note").waitFor();
    const previewed = (await page.locator("pre.toot.note").textContent()) as string;
    expect(previewed).toContain("15:30");
    await page.getByRole("button", { name: "Speichern und Follower benachrichtigen" }).click();
    await expect.poll(() => page.locator('p[role="status"]').textContent()).toContain("Gespeichert");

    const note = await mastodon.waitFor(
      (d) => d.activity?.type === "Create" && objectOf(d.activity).type === "Note" && String(objectOf(d.activity).url) === relais.url(eventPath).href,
      { timeoutMs: 30_000 },
    );
    expect(noteText(String(objectOf(note.activity).content))).toBe(previewed);
    const updated = await mastodon.waitFor((d) => d.activity?.type === "Update" && objectOf(d.activity).id === relais.url(eventPath).href, { timeoutMs: 30_000 });
    expect(objectOf(updated.activity).startTime).toBe("2030-03-08T15:30:00+01:00");
  }, 120_000);

  it("the editor cancels the event after confirming, then logs out", async () => {
    const page = editorPage;
    await page.getByRole("link", { name: "Veranstaltung absagen…" }).click();
    await page.waitForURL((url) => url.pathname === `/manage/events/${eventId}/cancel`);
    // Asking first changed nothing.
    expect((await relais.runtime.events.loadForDelivery(eventId))?.event.status).toBe("scheduled");
    await check(page, "cancel");
    await page.getByLabel("Grund (optional) (Französisch)").fill("Interdiction préfectorale");
    await page.getByLabel("Grund (optional) (Deutsch)").fill("Verbot durch die Präfektur");
    await page.getByRole("button", { name: "Veranstaltung absagen" }).click();
    await expect.poll(() => page.locator('p[role="status"]').textContent()).toContain("abgesagt");
    const cancelled = await mastodon.waitFor(
      (d) => d.activity?.type === "Update" && objectOf(d.activity).eventStatus === "EventCancelled",
      { timeoutMs: 30_000 },
    );
    expect(objectOf(cancelled.activity).id).toBe(relais.url(eventPath).href);

    await page.goto(relais.url("/manage/@droits-lyon").href);
    await check(page, "dashboard");
    await page.getByRole("button", { name: "Abmelden" }).click();
    await page.waitForURL((url) => url.pathname === "/manage/login");
    expect((await page.goto(relais.url("/manage").href))?.url()).toMatch(/\/manage\/login/);

    expect(problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(missingTranslationKeys()).toEqual([]);
  }, 120_000);
});
