// Adopting a partner's action kit from another instance (issue 11), over real HTTP between two instances
// and signed GETs from the instance actor: a published kit's text is served as JSON beside its Article
// (a draft's is 404); the editor's network view lists the published kits of the partners the collective
// follows — one on this instance (from the database), one on another server (its kits.json) — and not a
// non-partner's; adopting the remote one from the editor makes a draft with the same text that keeps and
// shows its origin (the original's id, its author and name), which is then translated; twice, from a
// non-partner, or an address that is no kit, is refused with a reason; the JSON API and the origin's URL
// do the same for another of the partner's kits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { formFields } from "../support/html-form.ts";
import { type JsonFetchResult, verifyDraftCavageRequest } from "../support/http-signatures.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const gentKit = {
  ...cafAccessRequest,
  title: { nl: "Uw gegevens opvragen bij de gemeente", en: "Ask the municipality for your data" },
  explanation: { nl: "De gemeente scoort bijstandsontvangers.", en: "The municipality scores claimants." },
  country: "NL",
  institution: { nl: "Gemeente", en: "Municipality" },
  legalBasis: { nl: "AVG, artikel 15", en: "GDPR, Article 15" },
  steps: [{ nl: "Stuur de brief aangetekend.", en: "Send the letter by registered mail." }],
  fields: [{ name: "name", label: { nl: "Naam", en: "Name" }, kind: "text", required: true }],
  letters: [{ key: "inzage", title: { nl: "Inzageverzoek", en: "Access request" }, body: { nl: "Ik, {{name}}, vraag inzage.", en: "I, {{name}}, ask for access." } }],
};

describe("adopting a partner's action kit from another instance", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let ana: WebClient;
  let token: string;
  let remote: ActionKitView;
  let second: ActionKitView;
  let stranger: ActionKitView;
  let local: ActionKitView;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance(), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "paris", name: { fr: "Droits sociaux Paris" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await b.runtime.collectives.create({ slug: "brugge", name: { nl: "Brugge" }, primaryLanguage: "nl" });
    token = (await createEditor(a.runtime, "lyon", "ana@example.org")).token;
    remote = await b.runtime.actionkits.create("cli", "gent", { ...gentKit, published: true });
    second = await b.runtime.actionkits.create("cli", "gent", { ...gentKit, title: { nl: "Bezwaar maken", en: "Object" }, published: true });
    await b.runtime.actionkits.create("cli", "gent", { ...gentKit, title: { nl: "Concept", en: "Draft" } });
    stranger = await b.runtime.actionkits.create("cli", "brugge", { ...gentKit, published: true });
    local = await a.runtime.actionkits.create("cli", "paris", { ...cafAccessRequest, published: true });
    await followPartner(a, "lyon", handleOf(b, "gent"));
    await followPartner(a, "lyon", handleOf(a, "paris"));
    ana = new WebClient(a.origin);
    await ana.login("ana@example.org", password);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("serves a published kit's text as JSON beside its Article, and a collective's published kits", async () => {
    const res = await fetch(b.url(`/kits/${remote.id}/text.json`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ id: remote.apId.href, attributedTo: b.url("/@gent").href, version: 1, country: "NL", fields: gentKit.fields, letters: gentKit.letters });
    const drafts = (await b.runtime.actionkits.list("gent", "cli", { includeDrafts: true })).filter((k) => !k.published);
    expect((await fetch(b.url(`/kits/${drafts[0]?.id}/text.json`))).status).toBe(404);
    const list = (await (await fetch(b.url("/@gent/kits.json"))).json()) as { attributedTo: string; items: { id: string }[] };
    expect(list.attributedTo).toBe(b.url("/@gent").href);
    expect(list.items.map((i) => i.id).sort()).toEqual([remote.apId.href, second.apId.href].sort());
  });

  it("lists the partners' kits (here and on another server) in the editor, and adopts the remote one as a draft keeping its origin", async () => {
    const page = await ana.get("/manage/@lyon/kits/adopt?lang=en");
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain("Sociale rechten Gent");
    expect(text).toContain(`<input type="hidden" name="url" value="${remote.apId.href}">`);
    expect(text).toContain(`<input type="hidden" name="url" value="${second.apId.href}">`);
    expect(text).toContain(`<input type="hidden" name="url" value="${local.apId.href}">`);
    expect(text).not.toContain(stranger.apId.href);
    expect(text).not.toContain("Concept");
    expect((await ana.get("/manage/@lyon/kits?lang=en")).text).toContain('href="/manage/@lyon/kits/adopt"');

    // What reaches b: the Article and its text, each a GET signed by a's instance actor (checked here
    // with the test's own draft-cavage verifier, not Fedify's).
    const seen: { target: string; headers: Headers }[] = [];
    const log = (req: import("node:http").IncomingMessage) => {
      if (req.url?.startsWith(`/kits/${remote.id}`)) seen.push({ target: req.url, headers: new Headers(Object.entries(req.headers).map(([k, v]): [string, string] => [k, String(v)])) });
    };
    b.server.on("request", log);
    const adopted = await ana.post("/manage/@lyon/kits/adopt", { url: remote.apId.href });
    b.server.off("request", log);
    expect(adopted.status).toBe(303);
    expect(seen.map((r) => r.target)).toEqual([`/kits/${remote.id}`, `/kits/${remote.id}/text.json`]);
    const fetchJson = async (url: URL): Promise<JsonFetchResult> => {
      const res = await fetch(url, { headers: { accept: "application/activity+json" } });
      return res.ok ? { ok: true, json: await res.json() } : { ok: false, reason: `${res.status}` };
    };
    for (const request of seen) {
      const verified = await verifyDraftCavageRequest({ method: "GET", target: request.target, headers: request.headers, body: new Uint8Array() }, { fetchJson });
      expect(verified).toMatchObject({ ok: true, signer: a.url("/@relais.instance").href });
    }
    const id = /\/manage\/kits\/([0-9a-f-]{36})/.exec(adopted.location ?? "")?.[1] as string;
    const copy = await a.runtime.actionkits.load(id);
    expect(copy?.published).toBe(false);
    expect(copy?.collective.slug).toBe("lyon");
    expect(copy?.origin).toEqual({ apId: remote.apId.href, actorApId: b.url("/@gent").href, actorName: "Sociale rechten Gent", url: remote.apId.href });
    expect(copy?.title).toEqual(gentKit.title);
    expect(copy?.letters).toEqual(gentKit.letters);
    expect(copy?.fields).toEqual(gentKit.fields);
    expect(copy?.steps).toEqual(gentKit.steps);

    // Shown with its origin, and translated into French as any kit.
    const edit = await ana.get(`/manage/kits/${id}?in=fr&lang=fr`);
    expect(htmlText(edit.text)).toContain(`Adopté de <a href="${remote.apId.href}" rel="nofollow noopener">Sociale rechten Gent</a>`);
    const fr = {
      ...formFields(edit.text, `/manage/kits/${id}`),
      title: "Demander ses données à la commune",
      explanation: "La commune note les allocataires.",
      institution: "Commune",
      legalBasis: "RGPD, article 15",
      "steps.0.text": "Envoyez la lettre en recommandé.",
      "fields.0.label": "Nom",
      "letters.0.title": "Demande d'accès",
      "letters.0.body": "Je soussigné·e {{name}} demande l'accès.",
    };
    expect((await ana.post(`/manage/kits/${id}`, fr)).status).toBe(303);
    expect((await a.runtime.actionkits.load(id))?.title).toEqual({ ...gentKit.title, fr: "Demander ses données à la commune" });
    expect((await a.runtime.actionkits.load(id))?.origin?.apId).toBe(remote.apId.href);
    expect(htmlText((await ana.get("/manage/@lyon/kits/adopt?lang=en")).text)).toContain(`<a href="/manage/kits/${id}">our kit</a>`);
  });

  it("refuses twice, a non-partner's kit and an address that is no kit, each with a reason", async () => {
    await ana.get("/manage/@lyon/kits/adopt?lang=en");
    const twice = await ana.post("/manage/@lyon/kits/adopt", { url: remote.apId.href });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain("Your collective has adopted this kit already.");
    const notPartner = await ana.post("/manage/@lyon/kits/adopt", { url: stranger.apId.href });
    expect(notPartner.status).toBe(422);
    expect(notPartner.text).toContain("Its author is not a partner of your collective");
    const none = await ana.post("/manage/@lyon/kits/adopt", { url: b.url("/kits/00000000-0000-4000-8000-000000000000").href });
    expect(none.status).toBe(422);
    expect(none.text).toContain("This address is not a published action kit that could be read");
    expect(none.text).toContain("answered 404");
    expect((await a.runtime.actionkits.list("lyon", "cli", { includeDrafts: true })).length).toBe(1);
  });

  it("adopts another of the partner's kits through the JSON API, by the URL of its Article", async () => {
    const res = await fetch(a.url("/api/v1/collectives/lyon/kits/adopt"), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: second.apId.href }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { published: boolean; origin: unknown; title: unknown };
    expect(body.published).toBe(false);
    expect(body.title).toEqual({ nl: "Bezwaar maken", en: "Object" });
    expect(body.origin).toEqual({ apId: second.apId.href, actorApId: b.url("/@gent").href, actorName: "Sociale rechten Gent", url: second.apId.href });
  });
});
