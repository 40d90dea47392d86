// An invitation to co-organise that expires (issue 9, "decline and expiry stay private"; FEDERATION.md
// "Co-organised events") between two Relais instances over real HTTP: past its end it can no longer be
// accepted at the invited server (API and editor), both editors' pages say "expired", and nothing of it
// is public. When the invited server's clock lags and it accepts anyway, the host, by its own clock,
// lists nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

type Json = Record<string, unknown>;
const password = "correct horse battery";

describe("an invitation to co-organise that expires", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let tokenB: string;
  let eventId: string;
  let eventUrl: string;
  /** How far b's clock lags behind the real time. */
  let lagMs = 0;
  const as2 = async (url: string) => (await (await fetch(url, { headers: { accept: "application/activity+json" } })).json()) as Json;
  const invite = async (slug: string, expiresAt: Temporal.Instant) => {
    const found = await a.runtime.cosignPartners(b.url(`/@${slug}`).href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.coorganise.host.invite(editorA, eventId, found.partner, { expiresAt });
    return until(`the invitation at ${slug}`, async () => (await b.runtime.coorganise.partner.list("cli", slug))[0], 30_000);
  };
  const stateAt = async (slug: string) => (await b.runtime.coorganise.partner.list("cli", slug))[0]?.requests[0]?.state;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2", clock: () => new Date(Date.now() - lagMs) })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    tokenB = (await createEditor(b.runtime, "koeln", "jan@example.org")).token;
    await b.runtime.users.addMember("gent", "jan@example.org", "editor");
    const created = await a.runtime.events.create(editorA, "cdc", { name: { fr: "Marche" }, startsAt: "2030-03-08T14:00", timezone: "Europe/Paris", location: { name: "Place Bellecour", locality: "Lyon", country: "FR" }, published: true });
    eventId = created.event.id;
    eventUrl = created.event.apId.href;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("can no longer be accepted past its end, says so on both editors' pages, and stays private", async () => {
    const item = await invite("koeln", Temporal.Now.instant().add({ seconds: 3 }));
    await until("the invitation to expire", async () => (await stateAt("koeln")) === "expired", 15_000);
    const refused = await fetch(b.url(`/api/v1/collectives/koeln/coorganised/${item.id}/accept`), { method: "POST", headers: { authorization: `Bearer ${tokenB}` } });
    expect(refused.status).toBe(409);
    expect(String(((await refused.json()) as Json).message)).toMatch(/expired/);

    const webB = new WebClient(b.origin);
    await webB.login("jan@example.org", password);
    const page = await webB.get(`/manage/@koeln/coorganising/${item.id}`);
    expect(page.text).toContain('class="state state-expired">Expired');
    expect(page.text).not.toContain(`/coorganising/${item.id}/accept"`);
    expect((await webB.post(`/manage/@koeln/coorganising/${item.id}/accept`, {})).status).toBe(409);
    expect(await stateAt("koeln")).toBe("expired");

    const webA = new WebClient(a.origin);
    await webA.login("ana@example.org", password);
    expect((await webA.get(`/manage/events/${eventId}/coorganizers`)).text).toContain('class="state state-expired">Expired');
    // Private: neither the event nor its co-organisers' collection nor its page name koeln.
    const event = await as2(eventUrl);
    expect(event.organizers).toBeUndefined();
    expect((await as2(`${eventUrl}/coorganizers`)).totalItems).toBe(0);
    const html = await (await fetch(eventUrl, { headers: { accept: "text/html" } })).text();
    for (const s of [JSON.stringify(event), html]) expect(s).not.toContain("/@koeln");
  }, 60_000);

  it("is not listed by the host when a lagging server accepts it late", async () => {
    const item = await invite("gent", Temporal.Now.instant().add({ seconds: 3 }));
    await new Promise((r) => setTimeout(r, 4000));
    lagMs = 60_000; // b's clock now says the invitation is still open
    expect(await stateAt("gent")).toBe("pending");
    await b.runtime.coorganise.partner.accept("cli", "gent", item.id);
    // The Accept goes out and reaches the host, which checks the end by its own clock.
    await until("the Accept sent", async () => {
      const rows = await b.runtime.em.fork().getConnection().execute<{ sent_at: Date | null }[]>("select sent_at from outbox where kind = 'coorganize-accept'");
      return rows.length === 1 && rows[0]?.sent_at !== null;
    }, 15_000);
    await new Promise((r) => setTimeout(r, 4000));
    lagMs = 0;
    expect(await a.runtime.coorganise.host.listed(eventId)).toEqual([]);
    const { invitations, coorganizers } = await a.runtime.coorganise.host.overview(editorA, eventId);
    expect(invitations.find((i) => i.partner.apId === b.url("/@gent").href)?.state).toBe("expired");
    expect(coorganizers).toEqual([]);
    expect((await b.runtime.coorganise.partner.list("cli", "gent"))[0]?.coorganising).toBe(false);
    const feed = await (await fetch(b.url("/@gent/events.ics"))).text();
    expect(feed).not.toContain("BEGIN:VEVENT");
  }, 60_000);
});
