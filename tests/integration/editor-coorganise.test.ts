// The co-organising screens of the editor (issue 9, "Events organised together") between two Relais
// instances over real HTTP: the host's editor invites a partner collective from the event's
// co-organisers page; the partner's editor reads the event's exact time and place on its "events to
// co-organise" page and accepts; the host's page shows it as co-organiser, then as awaiting
// reconfirmation after a change of time (the partner confirms again from its page), then as withdrawn.
// Declining (confirmed, private), CSRF and roles are checked too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("the co-organising screens", { timeout: 120_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let webA: WebClient;
  let webB: WebClient;
  let eventId: string;
  let coorganisedId: string;

  const atKoeln = async () => (await b.runtime.coorganise.partner.list("cli", "koeln"))[0];
  const hostPage = () => webA.get(`/manage/events/${eventId}/coorganizers`);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "autre", name: { fr: "Autre" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(a.runtime, "autre", "omar@example.org");
    await createEditor(b.runtime, "koeln", "jan@example.org");
    await createEditor(b.runtime, "gent", "lies@example.org");
    const created = await a.runtime.events.create(editorA, "cdc", {
      name: { fr: "Marche contre le contrôle", de: "Demo gegen die Kontrolle" },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", streetAddress: "Place Bellecour", postalCode: "69002", locality: "Lyon", country: "FR" },
      published: true,
    });
    eventId = created.event.id;
    webA = new WebClient(a.origin);
    await webA.login("ana@example.org", password);
    webB = new WebClient(b.origin);
    await webB.login("jan@example.org", password);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("lets the host's editor invite a partner from the event's page, refusing what cannot be found", async () => {
    const editorPage = await webA.get(`/manage/events/${eventId}`);
    expect(editorPage.text).toContain(`href="/manage/events/${eventId}/coorganizers"`);
    const page = await hostPage();
    expect(page.status).toBe(200);
    expect(page.text).toContain("Invite a partner collective to co-organise");
    expect(page.text).toContain("No co-organiser yet.");

    const empty = await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: " " });
    expect(empty.status).toBe(422);
    const nobody = await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: `@nobody@${b.origin.host}` });
    expect(nobody.status).toBe(422);
    expect(htmlText(nobody.text)).toContain("This collective could not be found or cannot co-organise.");
    expect(htmlText(nobody.text)).toContain(`value="@nobody@${b.origin.host}"`);
    expect((await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: `@koeln@${b.origin.host}`, _csrf: null })).status).toBe(403);
    const omar = new WebClient(a.origin);
    await omar.login("omar@example.org", password);
    expect([403, 404]).toContain((await omar.get(`/manage/events/${eventId}/coorganizers`)).status);
    expect([403, 404]).toContain((await omar.post(`/manage/events/${eventId}/coorganizers`, { partner: `@koeln@${b.origin.host}` })).status);
    const badDate = await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: `@koeln@${b.origin.host}`, expires: "next week" });
    expect(badDate.status).toBe(422);
    expect(htmlText(badDate.text)).toContain("Give the date as the calendar offers it");
    expect((await a.runtime.coorganise.host.overview(editorA, eventId)).invitations).toEqual([]);

    // A draft cannot be co-organised: the page says so, and an invitation is refused with the reason.
    const draft = (await a.runtime.events.create(editorA, "cdc", { name: { fr: "Brouillon" }, startsAt: "2030-04-01T10:00", timezone: "Europe/Paris", onlineUrl: "https://example.org/live" })).event.id;
    expect(htmlText((await webA.get(`/manage/events/${draft}/coorganizers`)).text)).toContain("Partners can be invited once the event is published.");
    const refused = await webA.post(`/manage/events/${draft}/coorganizers`, { partner: `@koeln@${b.origin.host}` });
    expect(refused.status).toBe(409);
    expect(htmlText(refused.text)).toContain("a draft cannot be co-organised");

    const invited = await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: `@koeln@${b.origin.host}`, expires: "2030-02-20" });
    expect(invited.location).toBe(`/manage/events/${eventId}/coorganizers?done=invited`);
    const listed = await webA.get(invited.location as string);
    expect(htmlText(listed.text)).toContain("Invited: the collective's server is asked to co-organise the event.");
    expect(listed.text).toContain("AG Köln");
    expect(listed.text).toContain('class="state state-invited">Waiting for an answer');
    const [sent] = (await a.runtime.coorganise.host.overview(editorA, eventId)).invitations;
    // The end of that day in the event's zone (Europe/Paris: UTC+1 in February).
    expect(sent?.expiresAt.toString()).toBe("2030-02-20T22:59:00Z");
  });

  it("shows the partner's editors the exact time and place, and accepts", async () => {
    const item = await until("the invitation at koeln", atKoeln, 60_000);
    coorganisedId = item.id;
    const dashboard = await webB.get("/manage/@koeln?lang=de");
    expect(dashboard.text).toContain('href="/manage/@koeln/coorganising"');
    const list = await webB.get("/manage/@koeln/coorganising");
    expect(list.text).toContain(`href="/manage/@koeln/coorganising/${coorganisedId}"`);
    expect(htmlText(list.text)).toContain("Demo gegen die Kontrolle");
    expect(htmlText(list.text)).toContain("Wartet auf eure Antwort");
    const page = await webB.get(`/manage/@koeln/coorganising/${coorganisedId}`);
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain("2030-03-08 14:00 (Europe/Paris)");
    expect(text).toContain('datetime="2030-03-08T13:00:00Z"');
    expect(text).toContain("Place Bellecour, 69002 Lyon, FR");
    expect(text).toContain("Gastgeber: Collectif contre le contrôle");
    expect(text).toContain("Diese Veranstaltung mitorganisieren");

    // Another collective's editor of the same server sees nothing of it and cannot answer for koeln.
    const lies = new WebClient(b.origin);
    await lies.login("lies@example.org", password);
    expect((await lies.get(`/manage/@koeln/coorganising/${coorganisedId}`)).status).toBe(403);
    expect((await lies.post(`/manage/@koeln/coorganising/${coorganisedId}/accept`, {})).status).toBe(403);
    expect((await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/accept`, {}, { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await atKoeln())?.requests[0]?.state).toBe("pending");

    const accepted = await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/accept`, {});
    expect(accepted.location).toBe(`/manage/@koeln/coorganising/${coorganisedId}?done=accepted`);
    const after = htmlText((await webB.get(accepted.location as string)).text);
    expect(after).toContain("Zugesagt: Der Stempel eures Kollektivs geht an den Gastgeber.");
    expect(after).not.toContain(`/coorganising/${coorganisedId}/accept"`);
    expect(after).toContain(`/coorganising/${coorganisedId}/withdraw"`);

    await until("koeln listed at the host", async () => (await a.runtime.coorganise.host.listed(eventId)).some((c) => c.state === "current") || undefined, 60_000);
    const host = await hostPage();
    expect(host.text).toContain('class="state state-current">Co-organiser');
    expect(host.text).toContain('class="state state-accepted">Accepted');
    await until("koeln to know it is listed", async () => (await atKoeln())?.coorganising || undefined, 30_000);
    const coorganising = htmlText((await webB.get(`/manage/@koeln/coorganising/${coorganisedId}`)).text);
    expect(coorganising).toContain("Ihr organisiert mit");
    expect(coorganising).toContain("eine Gancio-Instanz muss dem Gastgeber folgen");
  });

  it("shows 'awaiting reconfirmation' after a change of time, and the partner confirms the new time", async () => {
    await a.runtime.events.update(editorA, eventId, { startsAt: "2030-03-08T15:30" });
    const host = await hostPage();
    expect(host.text).toContain('class="state state-pending">Awaiting reconfirmation');
    expect(host.text).toContain("(to confirm the new time or place)");

    await until("the reconfirmation at koeln", async () => {
      const it = await atKoeln();
      return it?.requests[0]?.state === "pending" && it.requests[0].purpose === "reconfirm" && it.data.startsAt.toString() === "2030-03-08T14:30:00Z" ? it : undefined;
    }, 60_000);
    const page = htmlText((await webB.get(`/manage/@koeln/coorganising/${coorganisedId}`)).text);
    expect(page).toContain("Zeit oder Ort geändert: bitte erneut bestätigen");
    expect(page).toContain("2030-03-08 15:30 (Europe/Paris)");
    expect(page).toContain("Neue Zeit und neuen Ort bestätigen");
    // Still withdrawable meanwhile (the older stamp keeps koeln listed).
    expect(page).toContain(`/coorganising/${coorganisedId}/withdraw"`);

    const reconfirmed = await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/accept`, {});
    expect(reconfirmed.location).toBe(`/manage/@koeln/coorganising/${coorganisedId}?done=accepted`);
    await until("koeln current again at the host", async () => (await a.runtime.coorganise.host.listed(eventId))[0]?.state === "current" || undefined, 60_000);
    const again = await hostPage();
    expect(again.text).toContain('class="state state-current">Co-organiser');
    expect(again.text).not.toContain("state-pending");
  });

  it("withdraws only from the confirmed form, and the host's page shows it", async () => {
    const unconfirmed = await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/withdraw`, {});
    expect(unconfirmed.location).toBe(`/manage/@koeln/coorganising/${coorganisedId}`);
    expect((await atKoeln())?.coorganising).toBe(true);
    const withdrawn = await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/withdraw`, { confirm: "yes" });
    expect(withdrawn.location).toBe(`/manage/@koeln/coorganising/${coorganisedId}?done=withdrawn`);
    const page = htmlText((await webB.get(withdrawn.location as string)).text);
    expect(page).toContain("Zurückgezogen: Euer Server antwortet jetzt");
    expect(page).not.toContain(`/coorganising/${coorganisedId}/withdraw"`);
    await until("the host to unlist koeln", async () => (await a.runtime.coorganise.host.listed(eventId)).length === 0 || undefined, 30_000);
    const host = await hostPage();
    expect(host.text).toContain('class="state state-revoked">Withdrew');
    // Withdrawing twice is refused with the page and a clear reason.
    expect((await webB.post(`/manage/@koeln/coorganising/${coorganisedId}/withdraw`, { confirm: "yes" })).status).toBe(409);
  });

  it("declines privately after the click, and only from the form", async () => {
    await webA.post(`/manage/events/${eventId}/coorganizers`, { partner: b.url("/@gent").href });
    const lies = new WebClient(b.origin);
    await lies.login("lies@example.org", password);
    const item = await until("the invitation at gent", async () => (await b.runtime.coorganise.partner.list("cli", "gent"))[0], 60_000);
    const page = htmlText((await lies.get(`/manage/@gent/coorganising/${item.id}?lang=nl`)).text);
    expect(page).toContain("Wacht op jullie antwoord");
    expect(page).toContain("Alleen de gastheer weet het.");
    expect((await lies.post(`/manage/@gent/coorganising/${item.id}/decline`, {})).location).toBe(`/manage/@gent/coorganising/${item.id}`);
    expect((await lies.post(`/manage/@gent/coorganising/${item.id}/decline`, { confirm: "yes" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await b.runtime.coorganise.partner.one("cli", "gent", item.id)).requests[0]?.state).toBe("pending");
    const declined = await lies.post(`/manage/@gent/coorganising/${item.id}/decline`, { confirm: "yes" });
    expect(declined.location).toBe(`/manage/@gent/coorganising/${item.id}?done=declined`);
    expect((await b.runtime.coorganise.partner.one("cli", "gent", item.id)).requests[0]?.state).toBe("declined");
    expect((await lies.post(`/manage/@gent/coorganising/${item.id}/accept`, {})).status).toBe(409);
    await until("the host to see the decline", async () =>
      (await a.runtime.coorganise.host.overview(editorA, eventId)).invitations.some((i) => i.partner.apId === b.url("/@gent").href && i.state === "declined") || undefined,
    60_000);
    expect((await hostPage()).text).toContain('class="state state-declined">Declined');
    // Private: the event's public document and page do not name gent.
    const doc = await (await fetch(a.url(`/events/${eventId}`), { headers: { accept: "application/activity+json" } })).text();
    const pub = await (await fetch(a.url(`/events/${eventId}`), { headers: { accept: "text/html" } })).text();
    for (const s of [doc, pub]) expect(s).not.toContain("/@gent");
  });
});
