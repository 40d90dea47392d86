// The slogan editor's links (issue 10), over real HTTP between two instances: a slogan attached from the
// editor to a call and an event of its collective (select), listed on their public pages; a call of
// another collective, or an id that is none, refused next to its field with nothing stored; forms
// without their CSRF token and other collectives' editors refused. Adopting: the editor lists the
// slogans of the partners the collective follows — one on this instance (read from the database) and
// one on another server (read from its outbox over signed HTTP) — and adopts one as a draft that names
// and links its origin; twice, from a non-partner, or an address that is no slogan, is refused with a
// reason. The origin's later edit leaves the adopted copy as it was (a copy, FEDERATION.md); its
// deletion leaves the copy and its link (the original then answers 410) and takes it off the list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const idOf = (location: string | undefined) => /\/manage\/slogans\/([0-9a-f-]{36})/.exec(location ?? "")?.[1] as string;

describe("slogans attached and adopted from the editor", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let ana: WebClient;
  let anaP: Principal;
  let callId: string;
  let eventId: string;
  let parisCallId: string;
  const empty = { "text.fr": "", "text.de": "", "text.nl": "", "text.en": "", tags: "", call: "", event: "", seenVersion: "0" };
  const count = async () => (await a.runtime.slogans.list("lyon", "cli", { includeDrafts: true })).length;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance(), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "paris", name: { fr: "Droits sociaux Paris" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await b.runtime.collectives.create({ slug: "brugge", name: { nl: "Brugge" }, primaryLanguage: "nl" });
    anaP = (await createEditor(a.runtime, "lyon", "ana@example.org")).principal;
    const paul = (await createEditor(a.runtime, "paris", "paul@example.org")).principal;
    const call = await a.runtime.calls.create(anaP, "lyon", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous exigeons." } });
    await a.runtime.calls.open(anaP, call.id);
    callId = call.id;
    parisCallId = (await a.runtime.calls.create(paul, "paris", { title: { fr: "Appel de Paris" }, body: { fr: "Texte." } })).id;
    eventId = (
      await a.runtime.events.create(anaP, "lyon", { name: { fr: "Rassemblement" }, startsAt: "2030-05-01T10:00", timezone: "Europe/Paris", location: { name: "Bellecour", locality: "Lyon" }, published: true })
    ).event.id;
    await followPartner(a, "lyon", handleOf(b, "gent"));
    await followPartner(a, "lyon", handleOf(a, "paris"));
    ana = new WebClient(a.origin);
    await ana.login("ana@example.org", password);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("attaches a slogan to a call and an event of the collective, listed on their pages", async () => {
    const form = await ana.get("/manage/@lyon/slogans/new?lang=en");
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${callId}">Stop au contrôle (Call to action)</option>`);
    expect(form.text).toMatch(new RegExp(`<option value="${eventId}">Rassemblement · [^<]+</option>`));
    expect(form.text).not.toContain(parisCallId);
    const saved = await ana.post("/manage/@lyon/slogans/new", { ...empty, "text.fr": "Pas de tri des pauvres", tags: "caf, #lyon", call: callId, event: eventId, published: "1" });
    expect(saved.status).toBe(303);
    const id = idOf(saved.location);
    const slogan = await a.runtime.slogans.load(id);
    expect(slogan).toMatchObject({ callId, eventId, tags: ["caf", "lyon"], published: true });
    const edit = await ana.get(`/manage/slogans/${id}?lang=en`);
    expect(edit.text).toContain(`<option value="${callId}" selected>`);
    expect(edit.text).toContain(`<option value="${eventId}" selected>`);
    for (const page of [`/calls/${callId}`, `/events/${eventId}`]) {
      const res = await new WebClient(a.origin).get(page);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`href="/slogans/${id}"`);
      expect(htmlText(res.text)).toContain("Pas de tri des pauvres");
    }
    // Detached from the event (its page no longer lists it), still on the call's.
    expect((await ana.post(`/manage/slogans/${id}`, { ...empty, "text.fr": "Pas de tri des pauvres", call: callId, event: "", seenVersion: "1", published: "1" })).status).toBe(303);
    expect((await new WebClient(a.origin).get(`/events/${eventId}`)).text).not.toContain(`/slogans/${id}`);
    expect((await new WebClient(a.origin).get(`/calls/${callId}`)).text).toContain(`/slogans/${id}`);
  });

  it("refuses another collective's call, an id that is none, and a form without its token, storing nothing", async () => {
    const before = await count();
    await ana.get("/manage/@lyon/slogans/new?lang=fr");
    const foreign = await ana.post("/manage/@lyon/slogans/new", { ...empty, "text.fr": "Slogan", call: parisCallId });
    expect(foreign.status).toBe(422);
    expect(htmlText(foreign.text)).toContain(`<p class="error" id="f-call-error">Choisissez un des appels de votre collectif, ou aucun.</p>`);
    expect(foreign.text).toContain('aria-invalid="true" aria-describedby="f-call-error"');
    expect(htmlText(foreign.text)).toContain('value="Slogan"');
    const bogus = await ana.post("/manage/@lyon/slogans/new", { ...empty, "text.fr": "Slogan", event: "not-an-id" });
    expect(bogus.status).toBe(422);
    expect(bogus.text).toContain('id="f-event-error"');
    const noToken = await ana.post("/manage/@lyon/slogans/new", { ...empty, "text.fr": "Slogan", _csrf: null });
    expect(noToken.status).toBe(403);
    const adoptNoToken = await ana.post("/manage/@lyon/slogans/adopt", { url: "http://127.0.0.2/slogans/x", _csrf: null });
    expect(adoptNoToken.status).toBe(403);
    expect(await count()).toBe(before);
  });

  it("lists the partners' slogans (here and on another server) and adopts one as a draft that shows its origin", async () => {
    const gent = (await createEditor(b.runtime, "gent", "griet@example.org")).principal;
    const remote = await b.runtime.slogans.create(gent, "gent", { text: { nl: "Niemand blijft achter", fr: "Personne ne reste en arrière" }, tags: ["solidariteit"] });
    const paris = (await createEditor(a.runtime, "paris", "pia@example.org")).principal;
    const local = await a.runtime.slogans.create(paris, "paris", { text: { fr: "Paris ne trie pas" } });
    await a.runtime.slogans.create(paris, "paris", { text: { fr: "Brouillon de Paris" }, published: false });

    const list = await ana.get("/manage/@lyon/slogans/adopt?lang=fr");
    expect(list.status).toBe(200);
    const text = htmlText(list.text);
    expect(text).toContain("Sociale rechten Gent");
    expect(text).toContain('<span id="partner-slogan-1" lang="fr">Personne ne reste en arrière</span>');
    expect(text).toContain(`<input type="hidden" name="url" value="${remote.apId.href}">`);
    expect(text).toContain("#solidariteit");
    expect(text).toContain("Paris ne trie pas");
    expect(text).toContain(`value="${local.apId.href}"`);
    expect(text).not.toContain("Brouillon de Paris");

    const adopted = await ana.post("/manage/@lyon/slogans/adopt", { url: remote.apId.href });
    expect(adopted.status).toBe(303);
    const id = idOf(adopted.location);
    const copy = await a.runtime.slogans.load(id);
    expect(copy).toMatchObject({
      published: false,
      text: { fr: "Personne ne reste en arrière", nl: "Niemand blijft achter" },
      tags: ["solidariteit"],
      origin: { apId: remote.apId.href, actorApId: b.url("/@gent").href, actorName: "Sociale rechten Gent", url: remote.apId.href },
    });
    const edit = htmlText((await ana.get(`/manage/slogans/${id}?lang=fr`)).text);
    expect(edit).toContain(`Slogan repris de <a href="${remote.apId.href}" rel="nofollow noopener">Sociale rechten Gent</a>`);
    const again = htmlText((await ana.get("/manage/@lyon/slogans/adopt?lang=en")).text);
    expect(again).toContain(`<strong>Adopted</strong> · <a href="/manage/slogans/${id}">our slogan</a>`);
    expect((await ana.get("/manage/@lyon/slogans?lang=en")).text).toContain("Adopted");

    // Published from the editor: the public page names and links the original on the other server.
    expect((await ana.post(`/manage/slogans/${id}`, { ...empty, "text.fr": "Personne ne reste en arrière", "text.nl": "Niemand blijft achter", tags: "solidariteit", seenVersion: "1", published: "1" })).status).toBe(303);
    const page = htmlText((await new WebClient(a.origin).get(`/slogans/${id}`, { "accept-language": "fr" })).text);
    expect(page).toContain(`<a href="${remote.apId.href}" rel="nofollow noopener">Sociale rechten Gent</a>`);
  });

  it("refuses to adopt twice, from a non-partner, or what is no slogan, saying why", async () => {
    const gent = (await b.runtime.slogans.list("gent", null))[0];
    const griet = (await createEditor(b.runtime, "brugge", "bo@example.org")).principal;
    const stranger = await b.runtime.slogans.create(griet, "brugge", { text: { nl: "Brugge zegt nee" } });
    const before = await count();
    await ana.get("/manage/@lyon/slogans/adopt?lang=en");
    const twice = await ana.post("/manage/@lyon/slogans/adopt", { url: gent?.apId.href ?? "" });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain("Your collective has this slogan already.");
    const notPartner = await ana.post("/manage/@lyon/slogans/adopt", { url: stranger.apId.href });
    expect(notPartner.status).toBe(422);
    expect(htmlText(notPartner.text)).toContain("Its author is not a partner of your collective");
    expect(notPartner.text).toContain(`value="${stranger.apId.href}"`);
    const none = await ana.post("/manage/@lyon/slogans/adopt", { url: b.url("/slogans/00000000-0000-4000-8000-000000000000").href });
    expect(none.status).toBe(422);
    expect(none.text).toContain('id="f-url-error"');
    expect((await ana.post("/manage/@lyon/slogans/adopt", { url: "" })).status).toBe(422);
    expect(await count()).toBe(before);

    // Another collective's editor can neither see the page nor adopt for it.
    const paul = new WebClient(a.origin);
    await paul.login("paul@example.org", password);
    expect((await paul.get("/manage/@lyon/slogans/adopt")).status).toBe(403);
    expect((await paul.post("/manage/@lyon/slogans/adopt", { url: stranger.apId.href })).status).toBe(403);
    expect((await new WebClient(a.origin).get("/manage/@lyon/slogans/adopt")).status).toBe(303);
    expect(await count()).toBe(before);
  });

  it("keeps the adopted copy when the origin changes it, and when the origin deletes it", async () => {
    const original = (await b.runtime.slogans.list("gent", null))[0];
    if (!original) throw new Error("no slogan on the other server");
    const copy = (await a.runtime.slogans.list("lyon", "cli", { includeDrafts: true })).find((s) => s.origin?.apId === original.apId.href);
    if (!copy) throw new Error("no adopted copy");
    const gent = (await createEditor(b.runtime, "gent", "geert@example.org")).principal;
    await b.runtime.slogans.update(gent, original.id, { text: { nl: "Niemand blijft ooit achter" } });
    const served = await fetch(original.apId, { headers: { accept: "application/activity+json" } });
    expect(((await served.json()) as { nameMap: Record<string, string> }).nameMap).toEqual({ nl: "Niemand blijft ooit achter" });
    const afterEdit = await a.runtime.slogans.load(copy.id);
    expect(afterEdit?.text).toEqual(copy.text);
    expect(afterEdit?.version).toBe(copy.version);

    await b.runtime.slogans.delete(gent, original.id);
    expect((await fetch(original.apId)).status).toBe(410);
    const page = await new WebClient(a.origin).get(`/slogans/${copy.id}`, { "accept-language": "fr" });
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toContain(`<a href="${original.apId.href}" rel="nofollow noopener">Sociale rechten Gent</a>`);
    expect(htmlText((await ana.get(`/manage/slogans/${copy.id}?lang=fr`)).text)).toContain(`Slogan repris de <a href="${original.apId.href}"`);
    const list = htmlText((await ana.get("/manage/@lyon/slogans/adopt?lang=fr")).text);
    expect(list).not.toContain(original.apId.href);
    expect(list).toContain("Paris ne trie pas");
  });
});
