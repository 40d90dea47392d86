// The action kits' pages of the editor over real HTTP: a login asked for, the list (drafts too, with the
// opt-in count and the public pages per language of published kits) for the collective's editors only,
// linked from the dashboard, in fr/de/nl/en without a missing key; the form that writes a kit one
// language at a time (forms sent as a browser sends them, as the page shows them): a blank that is no
// field refused next to the letter with what was typed kept, a draft saved, translated into German with
// the French kept, published (version 1, its pages public), changed (version 2), a stale form refused
// (409) with the text kept then saved, a field removed, deletion after a confirmation (410), CSRF and
// another collective's editor refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { formFields } from "../support/html-form.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("the action kits in the editor", () => {
  let relais: RelaisInstance;
  let ana: WebClient;
  let kitId: string;

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

  it("lists a collective's kits, drafts too, to its editors only", async () => {
    const anonymous = await new WebClient(relais.origin).get("/manage/@lyon/kits");
    expect(anonymous.location).toMatch(/^\/manage\/login/);
    expect((await ana.get("/manage/@lyon")).text).toContain('href="/manage/@lyon/kits"');
    expect((await ana.get("/manage/@lyon/kits?lang=en")).text).toContain("No action kit yet.");

    const { actionkits } = relais.runtime;
    await actionkits.create("cli", "lyon", { ...cafAccessRequest, title: { fr: "Brouillon de kit", en: "Draft kit" } });
    const published = await actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    await actionkits.count(published.id, "fr");
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["de", "nl", "en"]) expect((await ana.get(`/manage/@lyon/kits?lang=${lang}`)).status).toBe(200);
    const list = await ana.get("/manage/@lyon/kits?lang=fr");
    expect(list.status).toBe(200);
    expect(list.text).toContain("Brouillon de kit");
    expect(list.text).toContain("<strong>Brouillon</strong>");
    expect(list.text).toContain("<strong>Publié</strong> · FR · version 1 · 1 lettres comptées");
    expect(list.text).toContain(`href="/kits/${published.id}/en"`);
    expect(missingTranslationKeys().length).toBe(missingBefore);

    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/kits")).status).toBe(403);
  });

  it("writes a kit in French: a blank that is no field refused next to the letter, then a draft saved", async () => {
    const page = await ana.get("/manage/@lyon/kits/new?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong aria-current="page">');
    const shown = formFields(page.text, "/manage/@lyon/kits/new");
    expect(shown.language).toBe("fr");
    const form = {
      ...shown,
      title: "Demander ses données à la CAF",
      explanation: "La CAF calcule un score de risque.\n\nCe kit aide à le demander.",
      country: "fr",
      institution: "Caisse d'allocations familiales",
      legalBasis: "RGPD, article 15",
      "steps.0.text": "Envoyez la lettre en recommandé.",
      "fields.0.name": "name",
      "fields.0.label": "Nom et prénom",
      "fields.0.required": "1",
      "fields.1.name": "file_number",
      "fields.1.label": "Numéro d'allocataire",
      "fields.1.hint": "Sur vos courriers",
      "fields.2.name": "address",
      "fields.2.label": "Adresse",
      "fields.2.kind": "multiline",
      "letters.0.key": "access-request",
      "letters.0.title": "Demande d'accès",
      "letters.0.body": "{{name}}\n{{address}}\n\nDossier {{numero}}\n\nJe demande mes données.",
    };
    const bad = await ana.post("/manage/@lyon/kits/new", form);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<p class="error" id="f-letters-0-body-error">The letter uses the blank {{numero}}, which is no field: add a field with that name, or correct the blank.</p>');
    expect(htmlText(bad.text)).toContain("Dossier {{numero}}\n\nJe demande mes données.</textarea>");
    expect(htmlText(bad.text)).toContain('value="Numéro d\'allocataire"');

    const saved = await ana.post("/manage/@lyon/kits/new", { ...form, "letters.0.body": "{{name}}\n{{address}}\n\nDossier {{file_number}}\n\nJe demande mes données." });
    expect(saved.status).toBe(303);
    kitId = /\/manage\/kits\/([0-9a-f-]{36})/.exec(saved.location ?? "")?.[1] as string;
    expect(saved.location).toBe(`/manage/kits/${kitId}?in=fr&done=saved`);
    const kit = await relais.runtime.actionkits.load(kitId);
    expect(kit?.published).toBe(false);
    expect(kit?.country).toBe("FR");
    expect(kit?.title).toEqual({ fr: "Demander ses données à la CAF" });
    expect(kit?.steps).toEqual([{ fr: "Envoyez la lettre en recommandé." }]);
    expect(kit?.fields).toEqual([
      { name: "name", label: { fr: "Nom et prénom" }, kind: "text", required: true },
      { name: "file_number", label: { fr: "Numéro d'allocataire" }, kind: "text", required: false, hint: { fr: "Sur vos courriers" } },
      { name: "address", label: { fr: "Adresse" }, kind: "multiline", required: false },
    ]);
    expect(kit?.letters[0]?.body.fr).toBe("{{name}}\n{{address}}\n\nDossier {{file_number}}\n\nJe demande mes données.");
    expect((await new WebClient(relais.origin).get(`/kits/${kitId}/fr`)).status).toBe(404);
  });

  it("translates the kit into German, the French kept; a text missing in German is said next to it", async () => {
    const page = await ana.get(`/manage/kits/${kitId}?in=de&lang=de`);
    expect(page.status).toBe(200);
    const form = formFields(page.text, `/manage/kits/${kitId}`);
    expect(form.language).toBe("de");
    expect(form.title).toBe("");
    expect(form["fields.1.name"]).toBe("file_number");
    expect(form["fields.2.kind"]).toBe("multiline");
    const german = {
      ...form,
      title: "Seine Daten bei der CAF anfordern",
      explanation: "Die CAF berechnet einen Risikowert.",
      institution: "Familienkasse (CAF)",
      legalBasis: "DSGVO, Artikel 15",
      "fields.0.label": "Vor- und Nachname",
      "fields.1.label": "Aktenzeichen",
      "fields.2.label": "Anschrift",
      "letters.0.title": "Auskunftsersuchen",
      "letters.0.body": "{{name}}\n{{address}}\n\nAktenzeichen {{file_number}}\n\nIch verlange meine Daten.",
    };
    const missing = await ana.post(`/manage/kits/${kitId}`, german);
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('<p class="error" id="f-steps-0-text-error">Schreibe diesen Schritt (höchstens 1.000 Zeichen) oder entferne ihn.</p>');
    expect(htmlText(missing.text)).toContain('value="Seine Daten bei der CAF anfordern"');
    const saved = await ana.post(`/manage/kits/${kitId}`, { ...german, "steps.0.text": "Schicke den Brief per Einschreiben." });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/manage/kits/${kitId}?in=de&done=saved`);
    const kit = await relais.runtime.actionkits.load(kitId);
    expect(kit?.version).toBe(0);
    expect(kit?.title).toEqual({ fr: "Demander ses données à la CAF", de: "Seine Daten bei der CAF anfordern" });
    expect(kit?.steps).toEqual([{ fr: "Envoyez la lettre en recommandé.", de: "Schicke den Brief per Einschreiben." }]);
    expect(kit?.fields[1]).toEqual({ name: "file_number", label: { fr: "Numéro d'allocataire", de: "Aktenzeichen" }, kind: "text", required: false, hint: { fr: "Sur vos courriers" } });
    expect(kit?.letters[0]?.body).toEqual({
      fr: "{{name}}\n{{address}}\n\nDossier {{file_number}}\n\nJe demande mes données.",
      de: "{{name}}\n{{address}}\n\nAktenzeichen {{file_number}}\n\nIch verlange meine Daten.",
    });
  });

  it("publishes (version 1, public pages), then a change is version 2; a stale form is refused with the text kept", async () => {
    const form = formFields((await ana.get(`/manage/kits/${kitId}?in=fr`)).text, `/manage/kits/${kitId}`);
    const published = await ana.post(`/manage/kits/${kitId}`, { ...form, published: "1" });
    expect(published.status).toBe(303);
    expect(published.location).toBe(`/manage/kits/${kitId}?in=fr&done=published`);
    expect((await relais.runtime.actionkits.load(kitId))?.version).toBe(1);
    expect((await new WebClient(relais.origin).get(`/kits/${kitId}/de`)).status).toBe(200);
    const page = await ana.get(`/manage/kits/${kitId}?in=fr&lang=fr`);
    expect(page.text).toContain(`href="/kits/${kitId}/de"`);
    expect(page.text).not.toContain('name="published"');

    // A new step of a kit in French and German is written in both (the form shows its German input).
    expect(page.text).toContain('name="steps.1.text.de"');
    const fields = formFields(page.text, `/manage/kits/${kitId}`);
    const onlyFrench = await ana.post(`/manage/kits/${kitId}`, { ...fields, "steps.1.text": "La CAF répond sous un mois." });
    expect(onlyFrench.status).toBe(422);
    expect(htmlText(onlyFrench.text)).toContain('<p class="error" id="f-steps-1-text-de-error">Pas encore écrit en DE');
    const changed = await ana.post(`/manage/kits/${kitId}`, { ...fields, "steps.1.text": "La CAF répond sous un mois.", "steps.1.text.de": "Die CAF antwortet binnen eines Monats." });
    expect(changed.status).toBe(303);
    const v2 = await relais.runtime.actionkits.load(kitId);
    expect(v2?.version).toBe(2);
    expect(v2?.steps[1]).toEqual({ fr: "La CAF répond sous un mois.", de: "Die CAF antwortet binnen eines Monats." });
    expect((await relais.runtime.actionkits.versions(kitId)).map((v) => v.version)).toEqual([1, 2]);

    // Opened at version 2; someone else saves (version 3); this form is refused, what was typed kept.
    const open = formFields((await ana.get(`/manage/kits/${kitId}?in=fr&lang=fr`)).text, `/manage/kits/${kitId}`);
    expect(open.seenVersion).toBe("2");
    await relais.runtime.actionkits.update("cli", kitId, { country: "FR", legalBasis: { fr: "RGPD, articles 15 et 22", de: "DSGVO, Artikel 15" } });
    const stale = await ana.post(`/manage/kits/${kitId}`, { ...open, title: "Demander ses données et son score à la CAF" });
    expect(stale.status).toBe(409);
    expect(htmlText(stale.text)).toContain("Quelqu'un a enregistré ce kit depuis que vous l'avez ouvert (il en est à la version 3).");
    expect(htmlText(stale.text)).toContain('value="Demander ses données et son score à la CAF"');
    expect((await relais.runtime.actionkits.load(kitId))?.version).toBe(3);
    const again = await ana.post(`/manage/kits/${kitId}`, formFields(stale.text, `/manage/kits/${kitId}`));
    expect(again.status).toBe(303);
    const v4 = await relais.runtime.actionkits.load(kitId);
    expect(v4?.version).toBe(4);
    expect(v4?.title.fr).toBe("Demander ses données et son score à la CAF");
    // The form sent the legal basis it had shown: the other save's French text is overwritten, its German kept.
    expect(v4?.legalBasis).toEqual({ fr: "RGPD, article 15", de: "DSGVO, Artikel 15" });
  });

  it("removes a field (refused while a letter uses it), deletes after a confirmation; CSRF and others refused", async () => {
    const form = formFields((await ana.get(`/manage/kits/${kitId}?in=fr`)).text, `/manage/kits/${kitId}`);
    const used = await ana.post(`/manage/kits/${kitId}`, { ...form, "fields.2.remove": "1" });
    expect(used.status).toBe(422);
    expect(used.text).toContain('<p class="error" id="f-letters-0-body-error">La lettre utilise le blanc {{address}}, qui n&#39;est pas un champ');
    expect(used.text).toContain("La lettre en DE utilise le blanc {{address}}, qui n&#39;est pas un champ");
    const removed = await ana.post(`/manage/kits/${kitId}`, {
      ...form,
      "fields.2.remove": "1",
      "letters.0.body": "{{name}}\n\nDossier {{file_number}}\n\nJe demande mes données.",
    });
    // The German letter still uses {{address}}: said at the top, naming the language.
    expect(removed.status).toBe(422);
    const de = formFields((await ana.get(`/manage/kits/${kitId}?in=de`)).text, `/manage/kits/${kitId}`);
    expect((await ana.post(`/manage/kits/${kitId}`, { ...de, "letters.0.body": "{{name}}\n\nAktenzeichen {{file_number}}" })).status).toBe(303);
    const fr = formFields((await ana.get(`/manage/kits/${kitId}?in=fr`)).text, `/manage/kits/${kitId}`);
    expect((await ana.post(`/manage/kits/${kitId}`, { ...fr, "fields.2.remove": "1", "letters.0.body": "{{name}}\n\nDossier {{file_number}}" })).status).toBe(303);
    expect((await relais.runtime.actionkits.load(kitId))?.fields.map((f) => f.name)).toEqual(["name", "file_number"]);

    expect((await ana.post(`/manage/kits/${kitId}`, { ...fr, _csrf: null })).status).toBe(403);
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get(`/manage/kits/${kitId}`)).status).toBe(403);
    expect((await bram.get("/manage/@lyon/kits/new")).status).toBe(403);
    expect((await bram.post(`/manage/kits/${kitId}/delete`, { confirm: "yes" })).status).toBe(403);

    const ask = await ana.get(`/manage/kits/${kitId}/delete?lang=en`);
    expect(ask.text).toContain("Delete this action kit?");
    const noConfirm = await ana.post(`/manage/kits/${kitId}/delete`, {});
    expect(noConfirm.location).toBe(`/manage/kits/${kitId}/delete`);
    expect((await relais.runtime.actionkits.load(kitId))?.deletedAt).toBeUndefined();
    const deleted = await ana.post(`/manage/kits/${kitId}/delete`, { confirm: "yes" });
    expect(deleted.location).toBe("/manage/@lyon/kits?done=deleted");
    expect((await new WebClient(relais.origin).get(`/kits/${kitId}/fr`)).status).toBe(410);
  });

  it("shows the form in fr, de, nl and en without a missing key", async () => {
    const before = missingTranslationKeys().length;
    for (const lang of ["fr", "de", "nl", "en"]) {
      const page = await ana.get(`/manage/@lyon/kits/new?lang=${lang}&in=nl`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('name="language" value="nl"');
    }
    expect(missingTranslationKeys().length).toBe(before);
  });
});
