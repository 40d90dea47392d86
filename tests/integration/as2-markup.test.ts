// Markup typed into every text field of an event and of a collective, in every language, reaches no AS2
// reader as markup: not in the document served at the event's URL, not in the Create and Update
// delivered to a Mastodon-shaped follower, not in the change Note, the outbox or the Group actor.
// Plain-text fields carry no tag; `summary` (HTML) carries it escaped; `content` only the allowed subset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { expectNoMarkup } from "../support/as2-markup.ts";

type Json = Record<string, unknown>;

const objectOf = (d: ReceivedDelivery) => (d.activity?.object ?? {}) as Json;

const x = "<img src=x onerror=alert(1)>";
const languages = ["fr", "de", "nl", "en"] as const;
const inEvery = (text: string) => Object.fromEntries(languages.map((l) => [l, `${text} ${l} ${x}`]));

describe("markup in every text field never reaches an AS2 reader as markup", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let token: string;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({
      slug: "lyon",
      name: { ...inEvery("Droits"), fr: `Droits sociaux ${x}` },
      summary: inEvery("Collectif"),
      primaryLanguage: "fr",
    });
    token = (await createEditor(relais.runtime, "lyon", "ana@example.org")).token;
    await peer.follow(relais.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  const api = (path: string, method: string, json: unknown) =>
    fetch(relais.url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(json),
    });
  const as2 = async (url: string | URL) => {
    const res = await fetch(url, { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  const signed = (type: string, after: number, objectType: string) => (d: ReceivedDelivery) =>
    d.signatureValid && d.activity?.type === type && objectOf(d).type === objectType && peer.received.indexOf(d) >= after;

  it("in the Event served, delivered and listed, and in the change Note", async () => {
    const res = await api("/api/v1/collectives/lyon/events", "POST", {
      name: inEvery("Marche"),
      summary: inEvery("Tous dehors"),
      description: inEvery("**Départ** <script>alert(1)</script>"),
      startsAt: "2030-03-09T14:00",
      location: { name: `Place ${x}`, streetAddress: `1 rue ${x}`, locality: `Lyon ${x}`, region: `Rhône ${x}`, country: "FR" },
      image: { url: relais.url("/media/affiche.jpg").href, alt: inEvery("Affiche") },
      links: [{ url: "https://asso.example/programme", title: `Programme ${x}` }],
      tags: ["climat"],
      published: true,
    });
    expect(res.status).toBe(201);
    const { id, apId } = (await res.json()) as { id: string; apId: string };

    const served = await as2(apId);
    expect(expectNoMarkup(served)).toBeGreaterThan(30);
    for (const lang of languages) {
      expect((served.nameMap as Json)[lang]).toBe(`Marche ${lang}`);
      expect((served.summaryMap as Json)[lang]).toContain(`Tous dehors ${lang} &lt;img src=x onerror=alert(1)&gt;`);
      expect((served.contentMap as Json)[lang]).toContain("<strong>Départ</strong>");
    }
    const place = [served.location].flat()[0] as Json;
    expect(place.name).toBe("Place");
    expect((place.address as Json).addressLocality).toBe("Lyon");
    const attachments = [served.attachment].flat() as Json[];
    expect(attachments.map((a) => a.name)).toEqual(["Affiche fr", "Programme"]);
    expect(attachments[0]?.nameMap).toEqual(Object.fromEntries(languages.map((l) => [l, `Affiche ${l}`])));

    const create = await peer.waitFor(signed("Create", 0, "Event"), { timeoutMs: 20_000 });
    expectNoMarkup(create.activity);
    expect(objectOf(create).nameMap).toEqual(served.nameMap);
    expect(objectOf(create).summaryMap).toEqual(served.summaryMap);

    const outbox = await as2(relais.url("/@lyon/outbox?cursor=0"));
    expect(JSON.stringify(outbox)).toContain(apId);
    expectNoMarkup(outbox);

    const mark = peer.received.length;
    const patched = await api(`/api/v1/events/${id}`, "PATCH", { name: inEvery("Marche déplacée"), startsAt: "2030-03-09T15:00" });
    expect(patched.status).toBe(200);
    const update = await peer.waitFor(signed("Update", mark, "Event"), { timeoutMs: 20_000 });
    expectNoMarkup(update.activity);
    expect((objectOf(update).nameMap as Json).de).toBe("Marche déplacée de");
    const note = await peer.waitFor(signed("Create", mark, "Note"), { timeoutMs: 20_000 });
    expectNoMarkup(note.activity);
    // The Note's content is HTML: the new name is there, its markup escaped.
    expect(objectOf(note).content).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expectNoMarkup(await as2(String(objectOf(note).id)));
  }, 90_000);

  it("in the collective's Group actor", async () => {
    const group = await as2(relais.url("/@lyon"));
    expectNoMarkup(group);
    expect(group.name).toBe("Droits sociaux");
    expect((group.nameMap as Json).de).toBe("Droits de");
    expect((group.summaryMap as Json).nl).toBe("<p>Collectif nl &lt;img src=x onerror=alert(1)&gt;</p>");
  });
});
