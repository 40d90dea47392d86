// The slogan editor (issue 10) over real HTTP: logins, CSRF, the list with drafts, a problem shown next to
// its field in the editor's language, a draft then published (visible on the public page, with placards),
// a stale form refused with the text kept, deletion after a confirmation, and another collective refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const idOf = (location: string | undefined) => /\/manage\/slogans\/([0-9a-f-]{36})/.exec(location ?? "")?.[1] as string;

describe("the slogan editor", () => {
  let relais: RelaisInstance;
  let ana: WebClient;
  let id: string;
  const form = { "text.fr": "Pas de tri des pauvres", "text.de": "Keine Sortierung der Armen", "text.nl": "", "text.en": "", tags: "caf, #lyon", seenVersion: "0" };

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "gent", "bram@example.org", "owner");
    ana = new WebClient(relais.origin);
    await ana.login("ana@example.org", password);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("asks for a login, and lists a collective's slogans to its editors only", async () => {
    const anonymous = await new WebClient(relais.origin).get("/manage/@lyon/slogans");
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(/^\/manage\/login/);
    const list = await ana.get("/manage/@lyon/slogans?lang=en");
    expect(list.status).toBe(200);
    expect(list.text).toContain("No slogan yet.");
    expect(list.text).toContain('href="/manage/@lyon/slogans/new"');
    expect((await ana.get("/manage/@lyon")).text).toContain('href="/manage/@lyon/slogans"');
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/slogans")).status).toBe(403);
    expect((await bram.get("/manage/@lyon/slogans/new")).status).toBe(403);
    expect((await bram.post("/manage/@lyon/slogans/new", form)).status).toBe(403);
    expect(await relais.runtime.slogans.list("lyon", "cli", { includeDrafts: true })).toHaveLength(0);
  });

  it("refuses a form without its CSRF token", async () => {
    await ana.get("/manage/@lyon/slogans/new");
    const res = await ana.post("/manage/@lyon/slogans/new", { ...form, _csrf: null });
    expect(res.status).toBe(403);
    expect(await relais.runtime.slogans.list("lyon", "cli", { includeDrafts: true })).toHaveLength(0);
  });

  it("shows a problem next to its field, in the editor's language, keeping what was typed", async () => {
    await ana.get("/manage/@lyon/slogans/new?lang=fr");
    const bad = await ana.post("/manage/@lyon/slogans/new", { ...form, "text.de": "x".repeat(121) });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/<p class="error" id="f-text-de-error">Une ligne de 120 caractères au plus\.<\/p>/);
    expect(htmlText(bad.text)).toContain('value="Pas de tri des pauvres"');
    const empty = await ana.post("/manage/@lyon/slogans/new", { ...form, "text.fr": "", "text.de": "" });
    expect(empty.status).toBe(422);
    expect(empty.text).toMatch(/<p class="error" id="f-text-fr-error">Écrivez le slogan dans au moins une langue\.<\/p>/);
    expect(await relais.runtime.slogans.list("lyon", "cli", { includeDrafts: true })).toHaveLength(0);
  });

  it("saves a draft (listed, not public), then publishes it: public page and placards", async () => {
    const saved = await ana.post("/manage/@lyon/slogans/new", form);
    expect(saved.status).toBe(303);
    id = idOf(saved.location);
    expect(saved.location).toBe(`/manage/slogans/${id}?done=saved`);
    const draft = await relais.runtime.slogans.load(id);
    expect(draft?.published).toBe(false);
    expect(draft?.text).toEqual({ fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" });
    expect(draft?.tags).toEqual(["caf", "lyon"]);
    expect(htmlText((await ana.get("/manage/@lyon/slogans")).text)).toContain("Pas de tri des pauvres");
    expect((await new WebClient(relais.origin).get(`/slogans/${id}`)).status).toBe(404);

    const page = await ana.get(`/manage/slogans/${id}?lang=en`);
    expect(page.text).toContain('name="seenVersion" value="1"');
    const published = await ana.post(`/manage/slogans/${id}`, { ...form, "text.en": "No sorting of the poor", seenVersion: "1", published: "1" });
    expect(published.status).toBe(303);
    const edit = await ana.get(`/manage/slogans/${id}?lang=en`);
    expect(edit.text).toContain(`href="/slogans/${id}"`);
    expect(edit.text).toContain(`href="/slogans/${id}/placards/en-a4-portrait.pdf"`);
    const pub = await new WebClient(relais.origin).get(`/slogans/${id}`);
    expect(pub.status).toBe(200);
    expect(htmlText(pub.text)).toContain("Pas de tri des pauvres");
    const placard = await fetch(new URL(`/slogans/${id}/placards/fr-a4-portrait.pdf`, relais.origin));
    expect(placard.status).toBe(200);
  });

  it("refuses a form opened before someone else's save, keeping the typed text", async () => {
    const current = await relais.runtime.slogans.load(id);
    await ana.get(`/manage/slogans/${id}?lang=en`);
    const stale = await ana.post(`/manage/slogans/${id}`, { ...form, "text.fr": "Texte tapé", seenVersion: String((current?.version ?? 1) - 1), published: "1" });
    expect(stale.status).toBe(409);
    expect(htmlText(stale.text)).toContain('value="Texte tapé"');
    expect((await relais.runtime.slogans.load(id))?.text.fr).toBe("Pas de tri des pauvres");
  });

  it("deletes after a confirmation, and never for another collective's editor", async () => {
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get(`/manage/slogans/${id}`)).status).toBe(403);
    expect((await bram.post(`/manage/slogans/${id}/delete`, { confirm: "yes" })).status).toBe(403);
    const ask = await ana.get(`/manage/slogans/${id}/delete?lang=en`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('name="confirm" value="yes"');
    const unconfirmed = await ana.post(`/manage/slogans/${id}/delete`, {});
    expect(unconfirmed.status).toBe(303);
    expect((await relais.runtime.slogans.load(id))?.deletedAt).toBeUndefined();
    const done = await ana.post(`/manage/slogans/${id}/delete`, { confirm: "yes" });
    expect(done.location).toBe("/manage/@lyon/slogans?done=deleted");
    expect((await relais.runtime.slogans.load(id))?.deletedAt).toBeDefined();
    expect([404, 410]).toContain((await new WebClient(relais.origin).get(`/slogans/${id}`)).status);
    expect(htmlText((await ana.get("/manage/@lyon/slogans")).text)).not.toContain("Pas de tri des pauvres");
  });

  it("lists the collective's press kits, drafts and embargoed ones too, to its editors only", async () => {
    const empty = await ana.get("/manage/@lyon/presskits?lang=en");
    expect(empty.status).toBe(200);
    expect(empty.text).toContain("No press kit yet.");
    expect((await ana.get("/manage/@lyon")).text).toContain('href="/manage/@lyon/presskits"');
    const kit = { lead: { fr: "Appel." }, body: { fr: "Texte" }, contact: { email: "presse@lyon.example" } };
    await relais.runtime.presskits.create("cli", "lyon", { ...kit, title: { fr: "Brouillon de dossier" } });
    await relais.runtime.presskits.create("cli", "lyon", { ...kit, title: { fr: "Dossier sous embargo" }, embargo: "2099-01-01T09:00", timezone: "Europe/Paris" });
    const list = await ana.get("/manage/@lyon/presskits?lang=fr");
    const text = htmlText(list.text);
    expect(text).toContain("Brouillon de dossier");
    expect(text).toContain("Dossier sous embargo");
    expect(text).toContain("Sous embargo");
    expect(text).toMatch(/public le .*2099/);
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/presskits")).status).toBe(403);
  });
});
