// What an invited collective's editors see once an invitation to co-organise, or a request to confirm a
// new time, is no longer open (issue 9, "Events organised together"; ADR 0026): an invitation that
// expired says when; a co-organiser that let a reconfirmation expire, or declined it, is shown as still
// co-organising but with the new time not confirmed (the host's page says "awaiting reconfirmation"),
// with why, and may still withdraw. Two instances over real HTTP; pages in fr, de, nl and en.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

describe("lapsed invitations and reconfirmations to co-organise, in the editor", { timeout: 180_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let webA: WebClient;
  let webB: WebClient;
  let eventId: string;
  const invite = async (slug: string, expiresAt?: Temporal.Instant) => {
    const found = await a.runtime.cosignPartners(b.url(`/@${slug}`).href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.coorganise.host.invite(editorA, eventId, found.partner, expiresAt ? { expiresAt } : {});
    return until(`the invitation at ${slug}`, async () => (await b.runtime.coorganise.partner.list("cli", slug))[0], 30_000);
  };
  const at = async (slug: string) => (await b.runtime.coorganise.partner.list("cli", slug))[0];
  const page = async (slug: string, id: string, lang = "en") => {
    const res = await webB.get(`/manage/@${slug}/coorganising/${id}?lang=${lang}`);
    expect(res.status).toBe(200);
    return res.text;
  };
  const hostState = async () => (await a.runtime.coorganise.host.listed(eventId)).map((c) => c.state);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(b.runtime, "koeln", "jan@example.org");
    await b.runtime.users.addMember("gent", "jan@example.org", "editor");
    const created = await a.runtime.events.create(editorA, "cdc", { name: { fr: "Marche" }, startsAt: "2030-03-08T14:00", timezone: "Europe/Paris", location: { name: "Place Bellecour", locality: "Lyon", country: "FR" }, published: true });
    eventId = created.event.id;
    webA = new WebClient(a.origin);
    await webA.login("ana@example.org", "correct horse battery");
    webB = new WebClient(b.origin);
    await webB.login("jan@example.org", "correct horse battery");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("says when an unanswered invitation expired, with no answer form", async () => {
    const item = await invite("gent", Temporal.Now.instant().add({ seconds: 3 }));
    await until("the invitation to expire", async () => (await at("gent"))?.requests[0]?.state === "expired", 15_000);
    const missingBefore = missingTranslationKeys().length;
    const text = await page("gent", item.id);
    expect(text).toContain('class="state state-expired">Expired');
    expect(text).toContain("This invitation expired on");
    expect(text).not.toContain(`/coorganising/${item.id}/accept"`);
    for (const lang of ["fr", "de", "nl"]) await page("gent", item.id, lang);
    expect(missingTranslationKeys().length).toBe(missingBefore);
  });

  it("shows a co-organiser that let the new time expire, or declined it, as not confirmed, as the host does", async () => {
    const item = await invite("koeln");
    await b.runtime.coorganise.partner.accept("cli", "koeln", item.id);
    await until("koeln listed and knowing it", async () => (await hostState())[0] === "current" && (await at("koeln"))?.coorganising);
    expect(await page("koeln", item.id)).toContain('class="state state-coorganising">Co-organising');

    // A new time: koeln is asked to confirm; then its request expires unanswered.
    await a.runtime.events.update(editorA, eventId, { startsAt: "2030-03-08T15:30" });
    const asked = await until("the reconfirmation at koeln", async () => {
      const r = (await at("koeln"))?.requests[0];
      return r?.state === "pending" && r.purpose === "reconfirm" ? r : undefined;
    }, 60_000);
    expect(await page("koeln", item.id)).toContain('class="state state-reconfirm">');
    await b.runtime.em.fork().getConnection().execute("update coorganize_stamp set expires_at = now() - interval '1 minute' where id = ?", [asked.id]);
    const missingBefore = missingTranslationKeys().length;
    const lapsed = await page("koeln", item.id);
    expect(lapsed).toContain('class="state state-unconfirmed">Co-organising, the new time or place not confirmed');
    expect(lapsed).toContain("was to be confirmed by");
    expect(lapsed).not.toContain(`/coorganising/${item.id}/accept"`);
    expect(lapsed).toContain(`/coorganising/${item.id}/withdraw"`);
    expect(await page("koeln", item.id, "de")).toContain("neue Zeit oder neuer Ort nicht bestätigt");
    for (const lang of ["fr", "nl"]) await page("koeln", item.id, lang);
    expect(missingTranslationKeys().length).toBe(missingBefore);
    expect((await webB.get("/manage/@koeln/coorganising?lang=en")).text).toContain("Co-organising, the new time or place not confirmed");
    expect(await hostState()).toEqual(["pending"]);
    expect((await webA.get(`/manage/events/${eventId}/coorganizers?lang=en`)).text).toContain('class="state state-pending">Awaiting reconfirmation');

    // Another new time: asked again, and this time koeln declines it.
    await a.runtime.events.update(editorA, eventId, { startsAt: "2030-03-08T16:00" });
    const again = await until("the second reconfirmation at koeln", async () => {
      const it = await at("koeln");
      return it?.requests[0]?.state === "pending" && it.requests[0].id !== asked.id && it.data.startsAt.toString() === "2030-03-08T15:00:00Z" ? it.requests[0] : undefined;
    }, 60_000);
    expect(await page("koeln", item.id)).toContain('class="state state-reconfirm">');
    const declined = await webB.post(`/manage/@koeln/coorganising/${item.id}/decline`, { confirm: "yes" });
    expect(declined.status).toBe(303);
    expect((await at("koeln"))?.requests[0]).toMatchObject({ id: again.id, state: "declined" });
    const text = await page("koeln", item.id);
    expect(text).toContain('class="state state-unconfirmed">');
    expect(text).toContain("Your collective declined the new time or place");
    expect(text).toContain(`/coorganising/${item.id}/withdraw"`);
    expect(await hostState()).toEqual(["pending"]);
  });
});
