// One canonical URL per object (issue 16 item 1): servers get the AS2 document from the object table
// (src/federation/objects.ts), browsers the HTML page; deleted events answer 410 (a Tombstone for
// servers), drafts and unknown ids 404 on both sides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const as2 = { accept: "application/activity+json" };
const browser = { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" };

describe("AS2 objects on their canonical URLs", () => {
  let relais: RelaisInstance;
  let editor: Principal;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "namur", name: { fr: "Collectif de Namur" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "namur", "lea@example.org", "owner")).principal;
  });
  afterAll(async () => {
    await relais?.close();
  });

  const get = (url: URL, headers: Record<string, string>) => fetch(url, { headers, redirect: "manual" });

  it("serves the event, its Note and its change notes to servers, the event's page to browsers, and 410 once deleted", async () => {
    const { events } = relais.runtime;
    const urls = relais.runtime.urls;
    const created = await events.create(editor, "namur", {
      name: { fr: "Rassemblement au CPAS" },
      startsAt: "2030-05-04T14:00",
      timezone: "Europe/Brussels",
      location: { name: "CPAS", locality: "Namur", country: "BE" },
      published: true,
    });
    const id = created.event.id;
    await events.update(editor, id, { startsAt: "2030-05-04T15:00" });
    const noteUrls = [urls.eventNote(id), urls.eventChangeNote(id, 1)];

    const event = await get(urls.event(id), as2);
    expect(event.status).toBe(200);
    expect(event.headers.get("content-type")).toMatch(/^application\/activity\+json/);
    expect(event.headers.get("vary")).toMatch(/Accept/);
    expect(await event.json()).toMatchObject({ id: urls.event(id).href, type: "Event" });
    for (const url of noteUrls) {
      const note = await get(url, as2);
      expect(note.status, url.href).toBe(200);
      expect(await note.json()).toMatchObject({ id: url.href, type: "Note", url: urls.event(id).href });
    }

    const page = await get(urls.event(id), browser);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("Rassemblement au CPAS");
    for (const url of noteUrls) {
      const redirect = await get(url, browser);
      expect(redirect.status, url.href).toBe(303);
      expect(redirect.headers.get("location")).toBe(urls.event(id).pathname);
    }
    // A change note that was never written is not found.
    expect((await get(urls.eventChangeNote(id, 7), as2)).status).toBe(404);

    await events.delete(editor, id);
    const gone = await get(urls.event(id), as2);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ id: urls.event(id).href, type: "Tombstone", formerType: "Event" });
    for (const url of noteUrls) {
      const goneNote = await get(url, as2);
      expect(goneNote.status, url.href).toBe(410);
      expect(await goneNote.json()).toMatchObject({ id: url.href, type: "Tombstone", formerType: "Note" });
      expect((await get(url, browser)).status, url.href).toBe(410);
    }
    const gonePage = await get(urls.event(id), browser);
    expect(gonePage.status).toBe(410);
    expect(gonePage.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("answers 404 for drafts and unknown ids, to servers and browsers alike", async () => {
    const urls = relais.runtime.urls;
    const draft = await relais.runtime.events.create(editor, "namur", { name: { fr: "Brouillon" }, startsAt: "2030-06-01T10:00", onlineUrl: "https://meet.example/b", published: false });
    for (const id of [draft.event.id, "00000000-0000-4000-8000-000000000000", "not-an-id"]) {
      for (const url of [urls.event(id), urls.eventNote(id), urls.eventChangeNote(id, 1)]) {
        for (const headers of [as2, browser]) {
          const res = await get(url, headers);
          expect(res.status, `${url.href} ${headers.accept}`).toBe(404);
          expect(await res.text()).not.toContain("Brouillon");
        }
      }
    }
  });
});
