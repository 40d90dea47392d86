// The public lists of action kits page 50 at a time (issue 11): a collective's /@slug/kits and a country's
// /countries/{cc}/kits, for the kits here and for partners' kits kept here, each with its own "older"
// link that keeps the other list's position; every kit is listed once across the pages, none is missing,
// and a cursor not made by the list is a 400. One real instance over HTTP, a Mastodon-shaped partner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cafAccessRequest } from "../support/action-kits.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const decode = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#39;", "'").replaceAll("&quot;", '"');
/** The kits here and the partners' kits a list page shows (by link), and its "older" links. */
function read(html: string) {
  const own = [...html.matchAll(/<li><a href="\/kits\/([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
  const partners = [...html.matchAll(/<li class="partner-kit"><a href="([^"]+)"/g)].map((m) => m[1] as string);
  const more = [...html.matchAll(/<a rel="next" href="([^"]+)">/g)].map((m) => decode(m[1] as string));
  return { own, partners, more };
}

describe("public kit lists, a page at a time", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  const ownIds: string[] = [];
  const partnerIds: string[] = [];

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.81", username: "partner" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    for (let i = 0; i < 55; i++) ownIds.push((await relais.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, title: { fr: `Kit ${i}`, en: `Kit ${i}` }, published: true })).id);
    const found = await relais.runtime.partnerActors.resolve(peer.actorId.href);
    if (!found.ok) throw new Error(found.reason);
    await relais.runtime.partners.follow("cli", "lyon", found.actor);
    await relais.runtime.em.fork().getConnection().execute("update partner set state = 'accepted'");
    const at = Temporal.Instant.from("2026-12-01T10:00:00Z");
    for (let i = 0; i < 53; i++) {
      const apId = new URL(`/kits/${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`, peer.origin).href;
      partnerIds.push(apId);
      // Some share a publication time: the id breaks the tie.
      await relais.runtime.actionkits.receivePartnerKit({ apId, url: apId, title: { fr: `Partenaire ${i}` }, country: "FR", authorApId: peer.actorId.href, publishedAt: at.add({ minutes: Math.floor(i / 3) }) });
    }
  }, 180_000);
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  for (const path of ["/@lyon/kits", "/countries/fr/kits"]) {
    it(`pages ${path}: 50 and then the rest, each list on its own, nothing twice or missing`, async () => {
      const first = read(await (await fetch(relais.url(`${path}?lang=en`))).text());
      expect(first.own).toHaveLength(50);
      expect(first.partners).toHaveLength(50);
      expect(first.more).toHaveLength(2);
      const [moreOwn, morePartners] = first.more as [string, string];
      expect(moreOwn).toMatch(new RegExp(`^${path}\\?lang=en&cursor=[A-Za-z0-9_-]+$`));
      expect(morePartners).toMatch(new RegExp(`^${path}\\?lang=en&partners=[A-Za-z0-9_-]+$`));

      const ownNext = read(await (await fetch(relais.url(moreOwn))).text());
      expect(ownNext.own).toHaveLength(5);
      expect(new Set([...first.own, ...ownNext.own])).toEqual(new Set(ownIds));
      // The partners' list stays at its first page, and can still be paged from there (keeping the kits' position).
      expect(ownNext.partners).toEqual(first.partners);
      expect(ownNext.more).toHaveLength(1);
      expect(ownNext.more[0]).toContain("cursor=");
      expect(ownNext.more[0]).toContain("partners=");

      const partnersNext = read(await (await fetch(relais.url(ownNext.more[0] as string))).text());
      expect(partnersNext.own).toEqual(ownNext.own);
      expect(partnersNext.partners).toHaveLength(3);
      expect(new Set([...first.partners, ...partnersNext.partners])).toEqual(new Set(partnerIds));
      expect(partnersNext.more).toEqual([]);
    });
  }

  it("answers 400 to a cursor not made by the list", async () => {
    expect((await fetch(relais.url("/@lyon/kits?cursor=bogus"))).status).toBe(400);
    expect((await fetch(relais.url("/countries/fr/kits?partners=WyJ4Il0"))).status).toBe(400);
  });
});
