// The press-kit editor (issue 10) over real HTTP, PostgreSQL and files: logins and rights (another
// collective's editor gets 404 before publication, 403 after), CSRF on plain and multipart forms,
// problems shown next to their field in the editor's language with what was typed kept, a bilingual kit
// under embargo about a launched call, uploads (a JPEG kept, an SVG, an HTML page named .pdf and an
// oversized file refused, nothing stored), secret links (shown once, working anonymously, revoked),
// public pages that never list a kit under embargo until the injected clock passes it and the publisher
// runs, then list it with its ZIP per language; publication at once and deletion after a confirmation.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { gpsJpeg, htmlAsPdf, svgFile } from "../support/press-files.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const maxUploadBytes = 300_000;
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const kitIdOf = (location: string | undefined) => /\/manage\/presskits\/([0-9a-f-]{36})/.exec(location ?? "")?.[1] as string;

describe("the press-kit editor", () => {
  let relais: RelaisInstance;
  let now = new Date();
  let ana: WebClient;
  let bram: WebClient;
  let callId: string;
  let eventId: string;
  let kitId: string;
  const anonymous = () => new WebClient(relais.origin);
  const storedFiles = () => {
    const dir = join(relais.mediaDir, "presskits");
    return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith(".")) : [];
  };
  const form = () => ({
    languages: "fr,de,nl,en",
    "title.fr": "Journée d'action du 8 mars",
    "lead.fr": "Le collectif appelle à manifester devant la CAF.",
    "body.fr": "Le **8 mars**, nous serons devant la CAF.",
    "contactLabel.fr": "Service presse",
    "title.de": "Aktionstag am 8. März",
    "lead.de": "Das Kollektiv ruft zur Kundgebung auf.",
    "body.de": "Am **8. März** sind wir vor der Familienkasse.",
    "contactLabel.de": "Pressestelle",
    email: "presse@lyon.example",
    phone: "",
    about: `call/${callId}`,
    embargoDate: "2030-03-08",
    embargoTime: "09:00",
    timezone: "Europe/Paris",
  });

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, clock: () => now, env: { RELAIS_MAX_UPLOAD_BYTES: String(maxUploadBytes) } });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    const { principal } = await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "gent", "bram@example.org", "owner");
    const call = await relais.runtime.calls.create(principal, "lyon", { title: { fr: "Stop au contrôle algorithmique" }, body: { fr: "Nous **exigeons**" }, deadline: "2030-03-01" });
    await relais.runtime.calls.open(principal, call.id);
    callId = call.id;
    const event = await relais.runtime.events.create(principal, "lyon", { name: { fr: "Rassemblement devant la CAF" }, startsAt: "2030-03-08T14:00", timezone: "Europe/Paris", location: { name: "CAF", locality: "Lyon" }, published: true });
    eventId = event.event.id;
    ana = new WebClient(relais.origin);
    await ana.login("ana@example.org", password);
    bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
  }, 60_000);
  afterAll(async () => {
    await relais?.close();
  });

  it("asks for a login and refuses another collective's editor", async () => {
    const nobody = await anonymous().get("/manage/@lyon/presskits/new");
    expect(nobody.status).toBe(303);
    expect(nobody.location).toMatch(/^\/manage\/login/);
    expect((await bram.get("/manage/@lyon/presskits/new")).status).toBe(403);
    await bram.get("/manage");
    expect((await bram.post("/manage/@lyon/presskits/new", form())).status).toBe(403);
    expect(await relais.runtime.presskits.list("lyon", "cli", { includePrivate: true })).toHaveLength(0);
  });

  it("refuses a form without its CSRF token, storing nothing", async () => {
    await ana.get("/manage/@lyon/presskits/new");
    expect((await ana.post("/manage/@lyon/presskits/new", { ...form(), _csrf: null })).status).toBe(403);
    expect((await ana.post("/manage/@lyon/presskits/new", { ...form(), _csrf: "forged" })).status).toBe(403);
    expect(await relais.runtime.presskits.list("lyon", "cli", { includePrivate: true })).toHaveLength(0);
  });

  it("shows each problem next to its field, in the editor's language, keeping what was typed", async () => {
    await ana.get("/manage/@lyon/presskits/new?lang=fr");
    const badEmail = await ana.post("/manage/@lyon/presskits/new", { ...form(), email: "presse-at-lyon" });
    expect(badEmail.status).toBe(422);
    expect(badEmail.text).toContain('<p class="error" id="f-email-error">Indiquez une adresse e-mail comme presse@collectif.example.</p>');
    expect(htmlText(badEmail.text)).toContain('value="presse-at-lyon"');
    const bad = await ana.post("/manage/@lyon/presskits/new", { ...form(), "lead.de": "", embargoTime: "" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<p class="error" id="f-lead-de-error">Écrivez le chapô (1 000 caractères au plus) dans chaque langue du communiqué.</p>');
    expect(bad.text).toContain('id="f-embargoDate-error"');
    const text = htmlText(bad.text);
    expect(text).toContain('value="Journée d\'action du 8 mars"');
    expect(text).toContain("Am **8. März** sind wir vor der Familienkasse.</textarea>");
    expect(text).toContain('value="presse@lyon.example"');
    expect(text).toContain('value="2030-03-08"');
    expect(text).toMatch(new RegExp(`<option value="call/${callId}" selected>`));
    const noContact = await ana.post("/manage/@lyon/presskits/new", { ...form(), email: "" });
    expect(noContact.status).toBe(422);
    expect(noContact.text).toContain("Indiquez une adresse e-mail du collectif ou une ligne téléphonique.");
    expect(await relais.runtime.presskits.list("lyon", "cli", { includePrivate: true })).toHaveLength(0);
  });

  it("creates a bilingual kit under embargo about the call: invisible everywhere public", async () => {
    const created = await ana.post("/manage/@lyon/presskits/new", form());
    expect(created.status).toBe(303);
    kitId = kitIdOf(created.location);
    expect(created.location).toBe(`/manage/presskits/${kitId}?done=saved`);
    const kit = await relais.runtime.presskits.load(kitId);
    expect(kit?.title).toEqual({ fr: "Journée d'action du 8 mars", de: "Aktionstag am 8. März" });
    expect(kit?.contact).toEqual({ label: { fr: "Service presse", de: "Pressestelle" }, email: "presse@lyon.example" });
    expect(kit?.embargoAt?.toString()).toBe("2030-03-08T08:00:00Z");
    expect(kit?.timezone).toBe("Europe/Paris");
    expect(kit?.callId).toBe(callId);
    expect(kit?.publishedAt).toBeUndefined();

    const page = await ana.get(`/manage/presskits/${kitId}?lang=en`);
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toMatch(/Under embargo<\/strong> — public on Mar 8, 2030, 9:00\s?AM \(Europe\/Paris\)/);
    expect(htmlText(page.text)).toContain("Am **8. März** sind wir vor der Familienkasse.</textarea>");
    expect((await anonymous().get(`/presskits/${kitId}`)).status).toBe(404);
    expect(htmlText((await anonymous().get("/@lyon")).text)).not.toContain("Journée d'action du 8 mars");
    expect(htmlText((await anonymous().get(`/calls/${callId}`)).text)).not.toContain("Journée d'action du 8 mars");
    // Another collective's editor does not learn that it exists.
    expect((await bram.get(`/manage/presskits/${kitId}`)).status).toBe(404);
    await bram.get("/manage");
    expect((await bram.post(`/manage/presskits/${kitId}`, form())).status).toBe(404);
    expect((await bram.post(`/manage/presskits/${kitId}/links`, { days: "7" })).status).toBe(404);
    expect((await bram.post(`/manage/presskits/${kitId}/publish`, { confirm: "yes" })).status).toBe(404);
  });

  it("changes the release, keeping the text typed when a problem is found", async () => {
    await ana.get(`/manage/presskits/${kitId}?lang=en`);
    const bad = await ana.post(`/manage/presskits/${kitId}`, { ...form(), "title.fr": "", "lead.fr": "Nouveau chapô" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="f-title-fr-error"');
    expect(htmlText(bad.text)).toContain("Nouveau chapô</textarea>");
    expect((await relais.runtime.presskits.load(kitId))?.title.fr).toBe("Journée d'action du 8 mars");
    const saved = await ana.post(`/manage/presskits/${kitId}`, { ...form(), "lead.fr": "Nouveau chapô" });
    expect(saved.status).toBe(303);
    expect((await relais.runtime.presskits.load(kitId))?.lead.fr).toBe("Nouveau chapô");
  });

  it("adds a JPEG, refuses an SVG, an HTML page named .pdf and an oversized file, and removes a file", async () => {
    const page = await ana.get(`/manage/presskits/${kitId}?lang=en`);
    const meta = { kind: "photo", "caption.fr": "Manifestation devant la CAF", "caption.de": "Kundgebung vor der Familienkasse", credit: "Photo: Droits sociaux Lyon", licence: "cc-by" };
    expect(page.text).toContain('enctype="multipart/form-data"');
    const forged = await ana.postMultipart(`/manage/presskits/${kitId}/files`, { ...meta, _csrf: "forged" }, { field: "file", filename: "a.jpg", contentType: "image/jpeg", bytes: await gpsJpeg() });
    expect(forged.status).toBe(403);

    const svg = await ana.postMultipart(`/manage/presskits/${kitId}/files`, { ...meta, kind: "logo" }, { field: "file", filename: "logo.svg", contentType: "image/svg+xml", bytes: svgFile });
    expect(svg.status).toBe(422);
    expect(svg.text).toContain('<p class="error" id="f-file-error">Refused: only JPEG, PNG and WebP images and PDF documents are accepted, checked by their content (SVG is not accepted).</p>');
    expect(htmlText(svg.text)).toContain('value="Kundgebung vor der Familienkasse"');
    const fakePdf = await ana.postMultipart(`/manage/presskits/${kitId}/files`, { ...meta, kind: "document" }, { field: "file", filename: "release.pdf", contentType: "application/pdf", bytes: htmlAsPdf });
    expect(fakePdf.status).toBe(422);
    expect(fakePdf.text).toContain("Refused: only JPEG, PNG and WebP images and PDF documents are accepted");
    const big = await ana.postMultipart(`/manage/presskits/${kitId}/files`, meta, { field: "file", filename: "big.jpg", contentType: "image/jpeg", bytes: Buffer.alloc(maxUploadBytes * 2, 0xab) });
    expect(big.status).toBe(413);
    expect(big.text).toContain('<p class="error" id="f-file-error">Refused: the file is larger than 292 kB.');
    const none = await ana.postMultipart(`/manage/presskits/${kitId}/files`, meta, null);
    expect(none.status).toBe(422);
    expect(none.text).toContain("Choose a file to upload.");
    const noCredit = await ana.postMultipart(`/manage/presskits/${kitId}/files`, { ...meta, credit: "" }, { field: "file", filename: "a.jpg", contentType: "image/jpeg", bytes: await gpsJpeg() });
    expect(noCredit.status).toBe(422);
    expect(noCredit.text).toContain('id="f-credit-error"');
    expect((await relais.runtime.presskits.load(kitId))?.files).toHaveLength(0);
    expect(storedFiles()).toEqual([]);

    const added = await ana.postMultipart(`/manage/presskits/${kitId}/files`, meta, { field: "file", filename: "DSC_0042.jpg", contentType: "image/jpeg", bytes: await gpsJpeg() });
    expect(added.status).toBe(303);
    expect(added.location).toBe(`/manage/presskits/${kitId}?done=fileAdded`);
    const second = await ana.postMultipart(`/manage/presskits/${kitId}/files`, { ...meta, "caption.fr": "Deuxième" }, { field: "file", filename: "b.jpg", contentType: "image/jpeg", bytes: await gpsJpeg(400, 300) });
    expect(second.status).toBe(303);
    const files = (await relais.runtime.presskits.load(kitId))?.files ?? [];
    expect(files.map((f) => f.caption.fr)).toEqual(["Manifestation devant la CAF", "Deuxième"]);
    expect(files[0]?.licence).toBe("cc-by");
    const withFiles = await ana.get(`/manage/presskits/${kitId}?done=fileAdded&lang=en`);
    expect(withFiles.text).toContain("File added.");
    await bram.get("/manage");
    expect((await bram.post(`/manage/presskits/${kitId}/files/${files[1]?.id}/remove`, {})).status).toBe(404);
    const removed = await ana.post(`/manage/presskits/${kitId}/files/${files[1]?.id}/remove`, {});
    expect(removed.location).toBe(`/manage/presskits/${kitId}?done=fileRemoved`);
    expect((await relais.runtime.presskits.load(kitId))?.files.map((f) => f.caption.fr)).toEqual(["Manifestation devant la CAF"]);
    expect(storedFiles()).toHaveLength(1);
  });

  it("makes a secret link shown once, which opens the kit anonymously until it is revoked", async () => {
    await ana.get(`/manage/presskits/${kitId}?lang=en`);
    const made = await ana.post(`/manage/presskits/${kitId}/links`, { label: "Le Progrès", days: "14" });
    expect(made.status).toBe(201);
    const url = /<code class="secret">([^<]+)<\/code>/.exec(made.text)?.[1] as string;
    expect(url).toMatch(new RegExp(`^${relais.origin.origin}/press-preview/[A-Za-z0-9_-]{43}$`));
    expect(made.text).toContain("Copy it now: it is shown only this once.");
    const preview = await anonymous().get(new URL(url).pathname);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("x-robots-tag")).toContain("noindex");
    expect(htmlText(preview.text)).toContain("Journée d'action du 8 mars");
    const again = await ana.get(`/manage/presskits/${kitId}?lang=en`);
    expect(again.text).not.toContain(new URL(url).pathname);
    expect(again.text).toContain("Le Progrès");
    const bad = await ana.post(`/manage/presskits/${kitId}/links`, { label: "x", days: "365" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="f-days-error"');

    const [link] = await relais.runtime.presskits.links("cli", kitId);
    const revoked = await ana.post(`/manage/presskits/${kitId}/links/${link?.id}/revoke`, {});
    expect(revoked.location).toBe(`/manage/presskits/${kitId}?done=linkRevoked`);
    expect((await anonymous().get(new URL(url).pathname)).status).toBe(404);
  });

  it("lists the kit on the collective's and the call's pages only once the clock passes the embargo and the publisher runs", async () => {
    await relais.runtime.presskits.publishDue();
    expect(htmlText((await anonymous().get("/@lyon")).text)).not.toContain("Journée d'action du 8 mars");
    now = new Date("2030-03-08T07:59:00Z");
    expect(await relais.runtime.presskits.publishDue()).toBe(0);
    expect(htmlText((await anonymous().get("/@lyon")).text)).not.toContain("Journée d'action du 8 mars");
    now = new Date("2030-03-08T08:00:30Z");
    expect(await relais.runtime.presskits.publishDue()).toBe(1);
    for (const path of ["/@lyon?lang=fr", `/calls/${callId}?lang=fr`]) {
      const page = await anonymous().get(path, { "accept-language": "fr" });
      expect(page.status).toBe(200);
      expect(htmlText(page.text)).toContain(`<a href="/presskits/${kitId}">Journée d'action du 8 mars</a>`);
      expect(page.text).toContain(`href="/presskits/${kitId}/presskit-fr.zip"`);
      expect(page.text).toContain(`href="/presskits/${kitId}/presskit-de.zip"`);
    }
    const zip = await fetch(relais.url(`/presskits/${kitId}/presskit-de.zip`));
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    const editor = await ana.get(`/manage/presskits/${kitId}?lang=en`);
    expect(editor.text).toContain("The kit is published: its embargo is over.");
    expect(editor.text).not.toContain('name="embargoDate"');
    // Now public: another collective's editor learns it exists, and is still refused.
    expect((await bram.get(`/manage/presskits/${kitId}`)).status).toBe(403);
  });

  it("publishes a draft at once after a confirmation, and deletes a kit after one", async () => {
    const created = await ana.post("/manage/@lyon/presskits/new", { ...form(), about: `event/${eventId}`, embargoDate: "", embargoTime: "", "title.fr": "Dossier sans embargo" });
    const draftId = kitIdOf(created.location);
    expect((await relais.runtime.presskits.load(draftId))?.embargoAt).toBeUndefined();
    expect((await relais.runtime.presskits.load(draftId))?.eventId).toBe(eventId);
    expect(htmlText((await anonymous().get(`/events/${eventId}`)).text)).not.toContain("Dossier sans embargo");
    const ask = await ana.get(`/manage/presskits/${draftId}/publish?lang=en`);
    expect(ask.text).toContain('name="confirm" value="yes"');
    expect((await ana.post(`/manage/presskits/${draftId}/publish`, {})).status).toBe(303);
    expect((await relais.runtime.presskits.load(draftId))?.publishedAt).toBeUndefined();
    const published = await ana.post(`/manage/presskits/${draftId}/publish`, { confirm: "yes" });
    expect(published.location).toBe(`/manage/presskits/${draftId}?done=published`);
    expect((await relais.runtime.presskits.load(draftId))?.publishedAt).toBeDefined();
    expect((await anonymous().get(`/presskits/${draftId}`)).status).toBe(200);
    const eventPage = htmlText((await anonymous().get(`/events/${eventId}`, { "accept-language": "fr" })).text);
    expect(eventPage).toContain(`<a href="/presskits/${draftId}">Dossier sans embargo</a>`);
    expect(eventPage).toContain(`href="/presskits/${draftId}/presskit-de.zip"`);

    expect((await ana.post(`/manage/presskits/${draftId}/delete`, {})).status).toBe(303);
    expect((await relais.runtime.presskits.load(draftId))?.deletedAt).toBeUndefined();
    const deleted = await ana.post(`/manage/presskits/${draftId}/delete`, { confirm: "yes" });
    expect(deleted.location).toBe("/manage/@lyon/presskits?done=deleted");
    expect((await anonymous().get(`/presskits/${draftId}`)).status).toBe(410);
    expect(htmlText((await anonymous().get("/@lyon")).text)).not.toContain("Dossier sans embargo");
  });
});
