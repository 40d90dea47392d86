// The call editor (issue 9) over real HTTP: the list with drafts, the multilingual form with demands,
// deadline, day of action and image, each step after a confirmation, a stale form refused with what
// changed and nothing typed lost, the history with its diff, and who may do what (logins, CSRF, roles).
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const idOf = (location: string | undefined) => /\/manage\/calls\/([0-9a-f-]{36})/.exec(location ?? "")?.[1] as string;

describe("the call editor", () => {
  let relais: RelaisInstance;
  let ana: WebClient;
  let eventId: string;

  const base = {
    languages: "fr",
    "title.fr": "Stop au contrôle algorithmique",
    "pitch.fr": "Journée d’action le 8 mars",
    "body.fr": "Nous exigeons **la fin** du score de risque.",
    demandRows: "3",
    "demand.0.fr": "La fin du score",
    "demand.1.fr": "",
    "demand.2.fr": "La publication du code",
    deadlineDate: "2030-03-01",
    deadlineTime: "",
    timezone: "Europe/Paris",
    "imageAlt.fr": "",
    seenVersion: "0",
    seenUpdatedAt: "0",
    intent: "save",
  };

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    const { principal } = await createEditor(relais.runtime, "lyon", "ana@example.org");
    await createEditor(relais.runtime, "lyon", "omar@example.org");
    await createEditor(relais.runtime, "gent", "bram@example.org", "owner");
    const event = await relais.runtime.events.create(principal, "lyon", {
      name: { fr: "Rassemblement devant la CAF" },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon" },
      published: true,
    });
    eventId = event.event.id;
    ana = new WebClient(relais.origin);
    await ana.login("ana@example.org", password);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("asks for a login, and lists a collective's calls to its editors only", async () => {
    const stranger = new WebClient(relais.origin);
    const anonymous = await stranger.get("/manage/@lyon/calls");
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(/^\/manage\/login/);
    const list = await ana.get("/manage/@lyon/calls?lang=en");
    expect(list.status).toBe(200);
    expect(list.text).toContain("No call yet.");
    expect(list.text).toContain('href="/manage/@lyon/calls/new"');
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    expect((await bram.get("/manage/@lyon/calls")).status).toBe(403);
    expect((await bram.get("/manage/@lyon/calls/new")).status).toBe(403);
    expect((await bram.post("/manage/@lyon/calls/new", base)).status).toBe(403);
    expect(await relais.runtime.calls.list("lyon", null, { includePrivate: true })).toHaveLength(0);
  });

  it("shows each problem next to its field, in the editor's language, keeping what was typed", async () => {
    await ana.get("/manage/@lyon/calls/new?lang=fr");
    const bad = await ana.post("/manage/@lyon/calls/new", { ...base, "body.fr": "", "demand.2.fr": "x".repeat(301), deadlineDate: "1 mars" });
    expect(bad.status).toBe(422);
    const text = htmlText(bad.text);
    expect(text).toContain("Écrivez le texte dans cette langue");
    expect(text).toContain("Une revendication fait 300 caractères au plus");
    expect(text).toContain("Donnez une date");
    expect(bad.text).toMatch(/<p class="error" id="f-body-fr-error">/);
    expect(bad.text).toMatch(/<p class="error" id="f-demand-2-fr-error">/);
    expect(bad.text).toMatch(/<p class="error" id="f-deadlineDate-error">/);
    expect(text).toContain('value="Stop au contrôle algorithmique"');
    expect(text).toContain("Journée d’action le 8 mars");
    expect(await relais.runtime.calls.list("lyon", null, { includePrivate: true })).toHaveLength(0);
  });

  it("adds a language by copying and a demand row, then saves a multilingual draft with its day of action", async () => {
    const added = await ana.post("/manage/@lyon/calls/new", { ...base, intent: "addLanguage", addLanguage: "de", copyFrom: "fr" });
    expect(added.status).toBe(200);
    expect(added.text).toContain('name="languages" value="fr,de"');
    expect(htmlText(added.text)).toMatch(/name="title\.de" type="text" value="Stop au contrôle algorithmique"/);
    expect(htmlText(added.text)).toMatch(/name="demand\.2\.de" type="text" value="La publication du code"/);
    const more = await ana.post("/manage/@lyon/calls/new", { ...base, intent: "addDemand" });
    // Three rows written (the middle one empty), one added, one spare.
    expect(more.text).toContain('name="demandRows" value="5"');
    expect(more.text).toContain(`name="event.${eventId}"`);

    const form = {
      ...base,
      languages: "fr,de",
      "title.de": "Stopp der algorithmischen Kontrolle",
      "body.de": "Wir fordern **das Ende** des Risikoscores.",
      "demand.0.de": "Das Ende des Scores",
      "demand.1.de": "",
      "demand.2.de": "Die Veröffentlichung des Codes",
      deadlineTime: "18:00",
      [`event.${eventId}`]: "1",
    };
    const saved = await ana.post("/manage/@lyon/calls/new", form);
    expect(saved.status).toBe(303);
    const id = idOf(saved.location);
    expect(saved.location).toBe(`/manage/calls/${id}?done=saved`);
    const call = await relais.runtime.calls.load(id);
    expect(call?.status).toBe("draft");
    expect(call?.title).toEqual({ fr: "Stop au contrôle algorithmique", de: "Stopp der algorithmischen Kontrolle" });
    expect(call?.bodySource.fr).toBe("Nous exigeons **la fin** du score de risque.");
    expect(call?.body.fr).toContain("<strong>la fin</strong>");
    expect(call?.demands).toEqual([
      { fr: "La fin du score", de: "Das Ende des Scores" },
      { fr: "La publication du code", de: "Die Veröffentlichung des Codes" },
    ]);
    expect(call?.deadline?.toString()).toBe("2030-03-01T17:00:00Z");
    expect(call?.relatedEvents).toEqual([eventId]);

    // The form reads back what was saved; the list shows the draft.
    const edit = await ana.get(saved.location as string);
    expect(edit.status).toBe(200);
    expect(htmlText(edit.text)).toMatch(/name="demand\.1\.de" type="text" value="Die Veröffentlichung des Codes"/);
    expect(edit.text).toMatch(new RegExp(`name="event\\.${eventId}" type="checkbox" value="1" checked`));
    expect(edit.text).toContain('name="deadlineTime" type="time" value="18:00"');
    expect(edit.text).toContain("Enregistré.");
    const list = await ana.get("/manage/@lyon/calls");
    expect(htmlText(list.text)).toContain("Stop au contrôle algorithmique");
    expect(list.text).toContain("Brouillon");
  });

  it("refuses a stale form with what changed since, keeping the typed text; a second save replaces it", async () => {
    const created = await ana.post("/manage/@lyon/calls/new", { ...base, "title.fr": "Appel à corriger" });
    const id = idOf(created.location);
    const omar = new WebClient(relais.origin);
    await omar.login("omar@example.org", password);
    const omarForm = await omar.get(`/manage/calls/${id}`);
    const anaForm = await ana.get(`/manage/calls/${id}`);
    const seen = (text: string) => ({
      seenVersion: /name="seenVersion" value="(\d+)"/.exec(text)?.[1] as string,
      seenUpdatedAt: /name="seenUpdatedAt" value="(\d+)"/.exec(text)?.[1] as string,
    });
    expect(seen(omarForm.text).seenUpdatedAt).toMatch(/^\d{13}$/);

    const first = await omar.post(`/manage/calls/${id}`, { ...base, ...seen(omarForm.text), "title.fr": "Appel corrigé par Omar" });
    expect(first.status).toBe(303);
    const late = await ana.post(`/manage/calls/${id}`, { ...base, ...seen(anaForm.text), "title.fr": "Appel corrigé par Ana", "body.fr": "Un texte réécrit" });
    expect(late.status).toBe(409);
    const text = htmlText(late.text);
    expect(text).toContain("Quelqu’un a enregistré cet appel pendant que vous le modifiiez");
    expect(late.text).toMatch(/<del>Omar<\/del>/);
    expect(late.text).toMatch(/<ins>Ana<\/ins>/);
    expect(text).toContain('value="Appel corrigé par Ana"');
    expect(text).toContain("Un texte réécrit");
    expect((await relais.runtime.calls.load(id))?.title).toEqual({ fr: "Appel corrigé par Omar" });

    // The form now carries the new save's marks: sending it again is a decision, and it wins.
    const again = await ana.post(`/manage/calls/${id}`, { ...base, ...seen(late.text), "title.fr": "Appel corrigé par Ana", "body.fr": "Un texte réécrit" });
    expect(again.status).toBe(303);
    expect((await relais.runtime.calls.load(id))?.title).toEqual({ fr: "Appel corrigé par Ana" });
  });

  it("moves a call through consultation, versions with a diff, launch, closing, withdrawal and deletion, each after a confirmation", async () => {
    const created = await ana.post("/manage/@lyon/calls/new", { ...base, "title.fr": "Appel du 8 mars" });
    const id = idOf(created.location);
    const page = await ana.get(`/manage/calls/${id}`);
    expect(page.text).toContain(`href="/manage/calls/${id}/consult"`);
    expect(page.text).toContain(`href="/manage/calls/${id}/open"`);
    expect(page.text).not.toContain(`href="/manage/calls/${id}/close"`);

    const ask = await ana.get(`/manage/calls/${id}/consult`);
    expect(htmlText(ask.text)).toContain("Ouvrir la consultation sur « Appel du 8 mars » ?");
    // Without the confirmation nothing happens.
    expect((await ana.post(`/manage/calls/${id}/consult`, {})).location).toBe(`/manage/calls/${id}/consult`);
    expect((await relais.runtime.calls.load(id))?.status).toBe("draft");
    expect((await ana.post(`/manage/calls/${id}/consult`, { confirm: "yes" })).location).toBe(`/manage/calls/${id}?done=consulted`);
    const consulted = await relais.runtime.calls.load(id);
    expect(consulted?.status).toBe("consultation");
    expect(consulted?.version).toBe(1);
    // Not public yet.
    expect((await fetch(relais.url(`/calls/${id}`), { headers: { accept: "text/html" } })).status).toBe(404);

    const form = await ana.get(`/manage/calls/${id}`);
    expect(htmlText(form.text)).toContain("Enregistrer comme nouvelle version");
    const marks = {
      seenVersion: /name="seenVersion" value="(\d+)"/.exec(form.text)?.[1] as string,
      seenUpdatedAt: /name="seenUpdatedAt" value="(\d+)"/.exec(form.text)?.[1] as string,
    };
    expect(marks.seenVersion).toBe("1");
    const v2 = await ana.post(`/manage/calls/${id}`, { ...base, ...marks, "title.fr": "Appel du 8 mars", "body.fr": "Nous exigeons **la fin** immédiate du score de risque." });
    expect(v2.status).toBe(303);
    expect((await relais.runtime.calls.load(id))?.version).toBe(2);
    const history = await ana.get(`/manage/calls/${id}/versions`);
    expect(history.status).toBe(200);
    expect(history.text).toMatch(/<ins>immédiate <\/ins>/);
    expect(history.text).toContain(`href="/manage/calls/${id}/versions/1"`);
    const v1 = await ana.get(`/manage/calls/${id}/versions/1`);
    expect(v1.status).toBe(200);
    expect(v1.text).toContain("<strong>la fin</strong> du score de risque.");
    expect((await ana.get(`/manage/calls/${id}/versions/9`)).status).toBe(404);

    // A stale form after a step of the call's life is refused too.
    const stale = await ana.post(`/manage/calls/${id}`, { ...base, ...marks, "title.fr": "Appel du 8 mars" });
    expect(stale.status).toBe(409);

    expect((await ana.post(`/manage/calls/${id}/open`, { confirm: "yes" })).location).toBe(`/manage/calls/${id}?done=opened`);
    expect((await fetch(relais.url(`/calls/${id}`), { headers: { accept: "text/html" } })).status).toBe(200);
    const open = await ana.get(`/manage/calls/${id}`);
    expect(htmlText(open.text)).toContain("Enregistrer comme nouvelle version et prévenir les abonné·es");
    expect(open.text).toContain(`href="/calls/${id}"`);
    // A step the status does not allow sends back to the call.
    expect((await ana.get(`/manage/calls/${id}/consult`)).location).toBe(`/manage/calls/${id}`);
    expect((await ana.post(`/manage/calls/${id}/consult`, { confirm: "yes" })).status).toBe(409);

    expect((await ana.post(`/manage/calls/${id}/close`, { confirm: "yes" })).location).toBe(`/manage/calls/${id}?done=closedCall`);
    const closed = await ana.get(`/manage/calls/${id}`);
    expect(htmlText(closed.text)).toContain("Un appel clos ou retiré ne change plus.");
    expect(closed.text).not.toContain('name="intent" value="save"');
    expect((await ana.post(`/manage/calls/${id}/withdraw`, { confirm: "yes" })).location).toBe(`/manage/calls/${id}?done=withdrawn`);
    expect((await relais.runtime.calls.load(id))?.status).toBe("withdrawn");
    expect((await ana.post(`/manage/calls/${id}/delete`, { confirm: "yes" })).location).toBe("/manage/@lyon/calls?done=deleted");
    expect((await fetch(relais.url(`/calls/${id}`), { headers: { accept: "text/html" } })).status).toBe(410);
    expect((await ana.get(`/manage/calls/${id}`)).status).toBe(404);
  });

  it("says why a launch is refused when the deadline has passed", async () => {
    const created = await ana.post("/manage/@lyon/calls/new", { ...base, deadlineDate: "2020-01-01" });
    const id = idOf(created.location);
    const refused = await ana.post(`/manage/calls/${id}/open`, { confirm: "yes" });
    expect(refused.status).toBe(422);
    expect(htmlText(refused.text)).toContain("La date limite de signature est passée");
    expect((await relais.runtime.calls.load(id))?.status).toBe("draft");
  });

  it("keeps an uploaded image through a form with problems, and asks for its description", async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } }).png().toBuffer();
    await ana.get("/manage/@lyon/calls/new");
    const first = await ana.postMultipart("/manage/@lyon/calls/new", { ...base }, { field: "imageFile", filename: "affiche.png", contentType: "image/png", bytes: png });
    expect(first.status).toBe(422);
    expect(htmlText(first.text)).toContain("Décrivez l’image dans cette langue aussi");
    const image = /name="image" value="([0-9a-f]{32}\.(?:png|jpg|webp))"/.exec(first.text)?.[1] as string;
    expect(image).toBeTruthy();
    const saved = await ana.postMultipart("/manage/@lyon/calls/new", { ...base, image, "imageAlt.fr": "Affiche rouge" }, null);
    expect(saved.status).toBe(303);
    const call = await relais.runtime.calls.load(idOf(saved.location));
    expect(call?.image?.url).toBe(relais.runtime.urls.media(image).href);
    expect(call?.image?.alt).toEqual({ fr: "Affiche rouge" });
  });

  it("refuses forms without the session's token or from another site, and other collectives' editors", async () => {
    const created = await ana.post("/manage/@lyon/calls/new", { ...base, "title.fr": "Appel protégé" });
    const id = idOf(created.location);
    expect((await ana.post(`/manage/calls/${id}`, { ...base, "title.fr": "Sans jeton", _csrf: null })).status).toBe(403);
    expect((await ana.post(`/manage/calls/${id}/delete`, { confirm: "yes" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await ana.post("/manage/@lyon/calls/new", { ...base, _csrf: "x".repeat(43) })).status).toBe(403);

    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", password);
    // A draft of another collective does not exist for him; a public call is not his to change.
    expect((await bram.get(`/manage/calls/${id}`)).status).toBe(404);
    expect((await bram.post(`/manage/calls/${id}`, { ...base, "title.fr": "Piraté" })).status).toBe(404);
    expect((await bram.post(`/manage/calls/${id}/open`, { confirm: "yes" })).status).toBe(404);
    await ana.post(`/manage/calls/${id}/open`, { confirm: "yes" });
    expect((await bram.get(`/manage/calls/${id}`)).status).toBe(403);
    expect((await bram.post(`/manage/calls/${id}/withdraw`, { confirm: "yes" })).status).toBe(403);
    expect((await bram.post(`/manage/calls/${id}/delete`, { confirm: "yes" })).status).toBe(403);
    const after = await relais.runtime.calls.load(id);
    expect(after?.title).toEqual({ fr: "Appel protégé" });
    expect(after?.status).toBe("open");
    expect(after?.deletedAt).toBeUndefined();
  });
});
