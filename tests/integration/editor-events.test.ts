import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("the event form", () => {
  let relais: RelaisInstance;
  let web: WebClient;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "gent", "bram@example.org");
    web = new WebClient(relais.origin);
    await web.login("ana@example.org", password);
  });
  afterAll(async () => {
    await relais?.close();
  });

  const base = {
    languages: "fr",
    "name.fr": "Rassemblement devant la CAF",
    "summary.fr": "Contre le contrôle algorithmique",
    "description.fr": "Venez **nombreux**",
    startDate: "2030-03-08",
    startTime: "14:00",
    endDate: "",
    endTime: "",
    timezone: "Europe/Paris",
    placeName: "Place Bellecour",
    street: "",
    postalCode: "",
    locality: "Lyon",
    country: "FR",
    onlineUrl: "",
    category: "",
    tags: "#caf lyon",
  };

  it("shows each problem next to its field, in the editor's language, keeping what was typed", async () => {
    await web.get("/manage/@lyon/events/new?lang=fr");
    const bad = await web.post("/manage/@lyon/events/new", { ...base, startDate: "", placeName: "", locality: "", onlineUrl: "", intent: "publish" }, { "accept-language": "fr" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Donnez la date de l’événement.");
    expect(bad.text).toContain("Donnez un lieu (au moins son nom, sa rue ou sa ville), un lien en ligne, ou les deux.");
    expect(bad.text).toMatch(/<p class="error" id="f-startDate-error">/);
    expect(bad.text).toContain('value="Rassemblement devant la CAF"');
    expect(bad.text).toContain("Venez **nombreux**");
    const badUrl = await web.post("/manage/@lyon/events/new", { ...base, onlineUrl: "meet.example/x", intent: "preview" });
    expect(badUrl.text).toContain("Écrivez une adresse complète commençant par https://");
    expect(await relais.runtime.events.list("lyon", { includePrivate: true }, null)).toHaveLength(0);
  });

  it("adds a translation by copying, previews what Mastodon shows, publishes, and the German page shows it", async () => {
    const added = await web.post("/manage/@lyon/events/new", { ...base, intent: "addLanguage", addLanguage: "de", copyFrom: "fr" });
    expect(added.status).toBe(200);
    expect(added.text).toContain('name="languages" value="fr,de"');
    expect(added.text).toMatch(/name="name\.de" type="text" value="Rassemblement devant la CAF"/);

    const form = { ...base, languages: "fr,de", "name.de": "Kundgebung vor der Familienkasse", "summary.de": "Gegen algorithmische Kontrolle", "description.de": "Kommt **alle**" };
    const preview = await web.post("/manage/@lyon/events/new", { ...form, intent: "preview" });
    expect(preview.status).toBe(200);
    expect(htmlText(preview.text)).toContain("Vendredi 8 mars 2030, 14:00 (heure de Paris) · Place Bellecour, Lyon — Contre le contrôle algorithmique");
    expect(htmlText(preview.text)).toContain("Freitag, 8. März 2030");

    const published = await web.post("/manage/@lyon/events/new", { ...form, intent: "publish" });
    expect(published.status).toBe(303);
    const id = /\/manage\/events\/([0-9a-f-]{36})\?done=published/.exec(published.location ?? "")?.[1] as string;
    const stored = await relais.runtime.events.loadForDelivery(id);
    expect(stored?.published).toBe(true);
    expect(stored?.event.name).toEqual({ fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" });
    expect(stored?.event.tags).toEqual(["caf", "lyon"]);
    const de = await fetch(relais.url(`/events/${id}?lang=de`), { headers: { accept: "text/html" } });
    expect(await de.text()).toContain("Kundgebung vor der Familienkasse");

    // Edit the time: the preview shows the note followers will get, and it is the note that is stored.
    const edit = await web.get(`/manage/events/${id}`);
    expect(edit.text).toContain("Enregistrer et prévenir les abonné·es"); // the language chosen earlier is remembered
    const moved = { ...form, startTime: "15:30" };
    const notePreview = await web.post(`/manage/events/${id}`, { ...moved, intent: "preview" });
    const shown = htmlText(/<pre class="toot note" lang="fr">([\s\S]*?)<\/pre>/.exec(notePreview.text)?.[1] ?? "");
    expect(shown).toContain("Nouvel horaire");
    expect(shown).toContain("15:30");
    const saved = await web.post(`/manage/events/${id}`, { ...moved, intent: "save" });
    expect(saved.location).toBe(`/manage/events/${id}?done=saved`);
    const notes = await relais.runtime.em.fork().getConnection().execute<{ text: string }[]>("select text from event_change_note where event_id = ? order by version desc", [id]);
    expect(notes[0]?.text).toBe(shown);

    // Cancel asks first, then tells followers.
    const ask = await web.get(`/manage/events/${id}/cancel`);
    expect(ask.text).toContain("Annuler « Rassemblement devant la CAF » ?");
    expect((await web.post(`/manage/events/${id}/cancel`, {})).location).toBe(`/manage/events/${id}/cancel`);
    expect((await relais.runtime.events.loadForDelivery(id))?.event.status).toBe("scheduled");
    const cancelled = await web.post(`/manage/events/${id}/cancel`, { confirm: "yes", "reason.fr": "Interdiction préfectorale" });
    expect(cancelled.location).toBe(`/manage/events/${id}?done=cancelled`);
    expect((await relais.runtime.events.loadForDelivery(id))?.event.statusReason).toEqual({ fr: "Interdiction préfectorale" });
  }, 60_000);

  it("refuses to let an editor of another collective see or change an event (403, nothing changed)", async () => {
    const draft = await web.post("/manage/@lyon/events/new", { ...base, intent: "draft" });
    const id = /\/manage\/events\/([0-9a-f-]{36})/.exec(draft.location ?? "")?.[1] as string;
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/events/new")).status).toBe(403);
    expect((await bram.post("/manage/@lyon/events/new", { ...base, intent: "publish" })).status).toBe(403);
    expect([403, 404]).toContain((await bram.get(`/manage/events/${id}`)).status);
    expect([403, 404]).toContain((await bram.post(`/manage/events/${id}`, { ...base, "name.fr": "Piraté", intent: "save" })).status);
    expect([403, 404]).toContain((await bram.post(`/manage/events/${id}/delete`, { confirm: "yes" })).status);
    const after = await relais.runtime.events.loadForDelivery(id);
    expect(after?.event.name).toEqual({ fr: "Rassemblement devant la CAF" });
    expect(after?.deletedAt).toBeNull();
    expect(await relais.runtime.events.list("lyon", { includePrivate: false }, null)).toHaveLength(1); // only the published one
    // Ana deletes her draft after confirming.
    expect((await web.post(`/manage/events/${id}/delete`, { confirm: "yes" })).location).toBe("/manage/@lyon?done=deleted");
  }, 60_000);

  it("says when a translation is older than the text it came from, until it is changed too", async () => {
    const form = { ...base, languages: "fr,de", "name.de": "Kundgebung vor der Familienkasse", "summary.de": "Gegen algorithmische Kontrolle", "description.de": "" };
    const created = await web.post("/manage/@lyon/events/new", { ...form, intent: "draft" });
    const id = /\/manage\/events\/([0-9a-f-]{36})/.exec(created.location ?? "")?.[1] as string;
    const notice = /<p class="notice stale" lang="fr">([^<]*)<\/p>/;
    expect((await web.get(`/manage/events/${id}`)).text).not.toMatch(notice);

    await web.post(`/manage/events/${id}`, { ...form, "summary.fr": "Contre le contrôle algorithmique des allocataires", intent: "draft" });
    const stale = await web.get(`/manage/events/${id}`);
    expect(htmlText(notice.exec(stale.text)?.[1] ?? "")).toBe(
      "Cette traduction est plus ancienne que le texte en français dont elle vient : vérifiez qu’elle dit toujours la même chose, et corrigez-la sinon.",
    );
    // The notice sits in the German fieldset, not the French one.
    expect(stale.text.indexOf('id="text-de"')).toBeLessThan(stale.text.search(notice));

    await web.post(`/manage/events/${id}`, { ...form, "summary.fr": "Contre le contrôle algorithmique des allocataires", "summary.de": "Gegen die algorithmische Kontrolle", intent: "draft" });
    expect((await web.get(`/manage/events/${id}`)).text).not.toMatch(notice);
  });
});
