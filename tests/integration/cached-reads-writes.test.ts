// The read cache learns of writes from their commits (src/db/committed-writes.ts, ADR 0022), whoever
// writes: calls, co-signature stamps, slogans, press kits and the collective's HTML page, over real HTTP,
// with the cache in memory and in Redis. For each: an edit is what the very next request gets, and the
// old ETag gets the new body (200), never a 304; what is under embargo or in consultation is never
// served to someone who may not see it, even after someone who may see it asked; a signed-in editor's
// page is never the cached anonymous one, nor the reverse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signableFromText } from "../../src/modules/cosign/call-digest.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

type Json = Record<string, unknown>;
const as2 = { accept: "application/activity+json" };
const get = (url: URL | string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: "manual" });

/** GET as a server, then the same with the ETag: a 304, the mark of a cached answer. */
async function cached(url: URL | string): Promise<{ etag: string; text: string }> {
  const res = await get(url, as2);
  expect(res.status, String(url)).toBe(200);
  const etag = res.headers.get("etag") as string;
  expect(etag, String(url)).toMatch(/^"[\w-]+"$/);
  const text = await res.text();
  expect((await get(url, { ...as2, "if-none-match": etag })).status, String(url)).toBe(304);
  return { etag, text };
}

/** After a change: the old ETag gets a 200 with the new body, and the new tag differs. */
async function changed(url: URL | string, oldEtag: string, expected: string | RegExp, status = 200): Promise<string> {
  const res = await get(url, { ...as2, "if-none-match": oldEtag });
  expect(res.status, String(url)).toBe(status);
  expect(res.headers.get("etag")).not.toBe(oldEtag);
  const text = await res.text();
  if (typeof expected === "string") expect(text).toContain(expected);
  else expect(text).toMatch(expected);
  return text;
}

for (const store of ["memory", "redis"] as const) {
  describe(`the read cache after writes (${store})`, () => {
    let relais: RelaisInstance;
    let peer: MastodonPeer;
    let token: string;
    let editor: Principal;
    const slug = `ostende${store}`;
    const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(relais.url(path), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : null,
      });

    beforeAll(async () => {
      relais = await startRelaisInstance({ redis: store === "redis" });
      peer = await startMastodonPeer({ host: "127.0.0.3", username: `invitee${store}` });
      await relais.runtime.collectives.create({ slug, name: { nl: "Collectief Oostende" }, primaryLanguage: "nl" });
      const created = await createEditor(relais.runtime, slug, `${store}-jan@example.org`, "owner");
      token = created.token;
      editor = created.principal;
    }, 60_000);
    afterAll(async () => {
      await peer?.close();
      await relais?.close();
    });

    const callBody = {
      title: { nl: "Stop de controle" },
      body: { nl: "Wij **eisen** het einde van de score." },
      demands: [{ nl: "Einde van de risicoscore" }],
    };

    it("a call: nothing in consultation for anyone but its invitees, then its edits at once once launched", async () => {
      const created = await api("POST", `/api/v1/collectives/${slug}/calls`, callBody);
      expect(created.status).toBe(201);
      const call = (await created.json()) as Json;
      const url = call.url as string;
      expect((await get(url, as2)).status).toBe(404);

      // In consultation, invitees read it with a signed GET; anyone else, before or after them, gets a 404.
      await relais.runtime.calls.consult(editor, call.id as string);
      await relais.runtime.cosign.invite(editor, call.id as string, { apId: peer.actorId, inboxUrl: peer.inboxUrl, sharedInboxUrl: peer.sharedInboxUrl });
      expect((await get(url, as2)).status).toBe(404);
      for (let i = 0; i < 2; i++) {
        const invitee = await peer.fetchSigned(new URL(url), { accept: "application/activity+json" });
        expect(invitee.status).toBe(200);
        expect(invitee.headers.get("etag")).toBeNull();
        expect(await invitee.text()).toContain("Stop de controle");
        const anyone = await get(url, as2);
        expect(anyone.status).toBe(404);
        expect(await anyone.text()).not.toContain("Stop de controle");
      }

      expect((await api("POST", `/api/v1/calls/${call.id}/open`)).status).toBe(200);
      const first = await cached(url);
      expect(first.text).toContain("Stop de controle");
      const patched = await api("PATCH", `/api/v1/calls/${call.id}`, { title: { nl: "Stop de algoritmische controle" } }, { "if-match": '"v1"' });
      expect(patched.status).toBe(200);
      await changed(url, first.etag, "Stop de algoritmische controle");
      const second = await cached(url);
      // A new version: the signatories and the version document change with it, and are cached too.
      await cached(`${url}/versions/2`);
      expect((await api("DELETE", `/api/v1/calls/${call.id}`)).status).toBe(204);
      await changed(url, second.etag, /Tombstone/, 410);
    });

    it("a stamp: not public before the call's launch, then cached, and 410 at once when revoked", async () => {
      const initiator = new URL("https://initiator.example/actors/gent");
      const callApId = "https://initiator.example/calls/1";
      const signable = signableFromText(
        { title: { nl: "Samen tegen de score" }, body: { nl: "<p>Tekst</p>" }, demands: [{ nl: "Einde van de score" }], timezone: "Europe/Brussels", relatedEvents: [] },
        { call: callApId, initiator: initiator.href, version: 1, eventUrl: (id) => `https://initiator.example/events/${id}` },
      );
      const invited = await relais.runtime.cosign.incomingInvitation({
        collectiveSlug: slug,
        requestId: `https://initiator.example/requests/${store}`,
        initiator: { apId: initiator, inboxUrl: new URL("https://initiator.example/inbox") },
        signatoriesUrl: `${callApId}/signatories`,
        signable,
        authoritativeLanguages: ["nl"],
        versionDocument: { id: `${callApId}/versions/1` },
      });
      if (!invited.ok) throw new Error(invited.reason);
      const signed = await relais.runtime.cosign.sign(editor, slug, invited.value.id);
      const stampId = signed.stamp?.id as string;
      const url = relais.runtime.urls.stamp(stampId);
      expect((await get(url, as2)).status).toBe(404);
      // The initiator lists it (its Add) before the launch: still private until the call is public.
      expect((await relais.runtime.cosign.incomingListed(stampId, initiator.href)).ok).toBe(true);
      expect((await get(url, as2)).status).toBe(404);

      expect(await relais.runtime.cosign.incomingLaunch(callApId, initiator.href)).toBe(1);
      const first = await cached(url);
      expect(first.text).toContain(callApId);
      await relais.runtime.cosign.revoke(editor, slug, stampId);
      await changed(url, first.etag, /Tombstone/, 410);
    });

    it("a slogan: its edit at once, its deletion a 410", async () => {
      const created = await api("POST", `/api/v1/collectives/${slug}/slogans`, { text: { nl: "Geen sortering van de armen" } });
      expect(created.status).toBe(201);
      const slogan = (await created.json()) as Json;
      const url = slogan.url as string;
      const first = await cached(url);
      expect(first.text).toContain("Geen sortering van de armen");
      expect((await api("PATCH", `/api/v1/slogans/${slogan.id}`, { text: { nl: "Nooit sortering van de armen" } }, { "if-match": '"v1"' })).status).toBe(200);
      await changed(url, first.etag, "Nooit sortering van de armen");
      const second = await cached(url);
      expect((await api("DELETE", `/api/v1/slogans/${slogan.id}`)).status).toBe(204);
      await changed(url, second.etag, /Tombstone/, 410);
    });

    it("a press kit: 404 under embargo, even right before it is published; then its edits at once", async () => {
      const created = await api("POST", `/api/v1/collectives/${slug}/presskits`, {
        title: { nl: "Actiedag van 8 maart" },
        lead: { nl: "Het collectief roept op tot betoging." },
        body: { nl: "Op **8 maart** op het Wapenplein." },
        contact: { label: { nl: "Perswerking" }, email: "pers@oostende.example" },
        embargo: "2040-03-08T08:00",
        timezone: "Europe/Brussels",
      });
      expect(created.status).toBe(201);
      const kit = (await created.json()) as Json;
      const url = kit.url as string;
      for (let i = 0; i < 2; i++) {
        const res = await get(url, as2);
        expect(res.status).toBe(404);
        expect(await res.text()).not.toContain("Actiedag");
      }
      // Nor on the collective's cached page, which shows it once published.
      const page = () => get(relais.url(`/@${slug}`), { accept: "text/html", "accept-language": "nl" }).then((r) => r.text());
      expect(await page()).not.toContain("Actiedag");
      expect(await page()).not.toContain("Actiedag");
      expect((await api("POST", `/api/v1/presskits/${kit.id}/publish`)).status).toBe(200);
      expect(await page()).toContain("Actiedag van 8 maart");
      const first = await cached(url);
      expect(first.text).toContain("Actiedag van 8 maart");
      expect((await api("PATCH", `/api/v1/presskits/${kit.id}`, { title: { nl: "Grote actiedag van 8 maart" } })).status).toBe(200);
      await changed(url, first.etag, "Grote actiedag van 8 maart");
    });

    it("the collective's page: cached for anonymous visitors per language, new events and followers at once, never mixed with an editor's", async () => {
      const url = relais.url(`/@${slug}`);
      const visitor = (lang: string, extra: Record<string, string> = {}) => get(url, { accept: "text/html", "accept-language": lang, ...extra });
      const first = await visitor("nl");
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toMatch(/^text\/html/);
      expect(first.headers.get("vary")).toMatch(/Cookie/);
      const etag = first.headers.get("etag") as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const page = await first.text();
      expect(page).toContain('lang="nl"');
      expect(page).not.toContain("/manage/");
      expect((await visitor("nl", { "if-none-match": etag })).status).toBe(304);
      // Another interface language is another page.
      const german = await visitor("de");
      expect(await german.text()).toContain('lang="de"');
      expect(german.headers.get("etag")).not.toBe(etag);

      // A new event shows on the next request; the old ETag gets the new page.
      const event = await api("POST", `/api/v1/collectives/${slug}/events`, { name: { nl: "Betoging aan het stadhuis" }, startsAt: "2035-05-04T14:00", timezone: "Europe/Brussels", location: { name: "Stadhuis", locality: "Oostende", country: "BE" }, published: true });
      expect(event.status).toBe(201);
      const afterEvent = await visitor("nl", { "if-none-match": etag });
      expect(afterEvent.status).toBe(200);
      const withEvent = await afterEvent.text();
      expect(withEvent).toContain("Betoging aan het stadhuis");
      const etag2 = afterEvent.headers.get("etag") as string;
      expect((await visitor("nl", { "if-none-match": etag2 })).status).toBe(304);

      // A follower accepted in the inbox (another path than the editors') changes the count at once.
      const countOf = (html: string) => html.match(/(\d+) volger/)?.[1];
      const followersBefore = countOf(withEvent);
      await peer.follow(url);
      await peer.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 20_000 });
      const afterFollow = await visitor("nl", { "if-none-match": etag2 });
      expect(afterFollow.status).toBe(200);
      expect(countOf(await afterFollow.text())).toBe(String(Number(followersBefore) + 1));

      // A signed-in editor gets a page of their own (with the editor's link), never from the cache nor into it.
      const owner = new WebClient(relais.origin);
      await owner.login(`${store}-jan@example.org`, "correct horse battery");
      for (let i = 0; i < 2; i++) {
        const mine = await owner.get(`/@${slug}`, { "accept-language": "nl", "if-none-match": etag2 });
        expect(mine.status).toBe(200);
        expect(mine.headers.get("etag")).toBeNull();
        expect(mine.text).toContain(`/manage/@${slug}`);
        const anonymous = await visitor("nl");
        expect(anonymous.headers.get("etag")).not.toBeNull();
        expect(await anonymous.text()).not.toContain("/manage/");
      }
    });
  });
}
