import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

describe("public pages", () => {
  let relais: RelaisInstance;
  let editor: Principal;
  let eventUrl: URL;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    const { collectives, events } = relais.runtime;
    await collectives.create({
      slug: "gent",
      name: { nl: "Sociale rechten Gent", fr: "Droits sociaux Gand" },
      summary: { nl: "Tegen algoritmische controle" },
      primaryLanguage: "nl",
    });
    editor = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).principal;
    const view = await events.create(editor, "gent", {
      name: { nl: "Betoging aan het OCMW", fr: "Manifestation devant le CPAS" },
      description: { nl: "Kom **allemaal**" },
      startsAt: "2030-10-25T02:30",
      timezone: "Europe/Brussels",
      location: { name: "OCMW", streetAddress: "Onderbergen 86", postalCode: "9000", locality: "Gent", country: "BE", latitude: 51.05, longitude: 3.72 },
      category: "MOVEMENTS_POLITICS",
      published: true,
    });
    eventUrl = view.event.apId;
    await events.create(editor, "gent", { name: { nl: "Concept" }, startsAt: "2030-11-01T10:00", onlineUrl: "https://meet.example/c", published: false });
  });
  afterAll(async () => {
    await relais?.close();
  });

  const page = async (url: URL | string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers: { accept: "text/html", ...headers } });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  it("lists upcoming published events on the collective page, not drafts", async () => {
    const { status, text } = await page(relais.url("/@gent"), { "accept-language": "nl" });
    expect(status).toBe(200);
    expect(text).toContain("Betoging aan het OCMW");
    expect(text).not.toContain("Concept");
    expect(text).toContain("webcal://");
    expect(text).toContain("/@gent/events.ics");
  });

  it("shows the event in the visitor's language, with the fallback chain for content", async () => {
    const fr = await page(eventUrl, { "accept-language": "fr-BE,fr;q=0.9" });
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain("Manifestation devant le CPAS");
    // No French description: the collective's primary language (Dutch) is shown, marked as such.
    expect(fr.text).toMatch(/<div class="description" lang="nl"><p>Kom <strong>allemaal<\/strong><\/p>/);
    // Times in the event's zone, with the zone named, in the visitor's language.
    expect(fr.text).toMatch(/25 octobre 2030/);
    expect(fr.text).toMatch(/02:30/);
    expect(fr.text).toMatch(/heure de Bruxelles/);
    expect(fr.text).toContain("<dd>Mouvements et politique</dd>");
    // A map link without any third-party request: no script, iframe or image from elsewhere.
    expect(fr.text).toContain("https://www.openstreetmap.org/?mlat=51.05&amp;mlon=3.72");
    expect(fr.text).not.toMatch(/<(script|iframe|img)\b/);
    expect(fr.text).toContain(`/events/${eventUrl.pathname.split("/").pop()}.ics`);

    const de = await page(`${eventUrl.href}?lang=de`);
    expect(de.text).toContain('<html lang="de">');
    // No German name: the primary language's, marked with its language.
    expect(de.text).toContain('<h1 lang="nl">Betoging aan het OCMW</h1>');
    expect(de.text).toMatch(/Brüsseler Zeit|Ortszeit Brüssel|Brüssel/);
    expect(de.text).toContain("<dd>Bewegungen und Politik</dd>");
  });

  it("lists collectives on the home page with the instance calendar", async () => {
    const { status, text } = await page(relais.url("/"), { "accept-language": "nl" });
    expect(status).toBe(200);
    expect(text).toContain("Sociale rechten Gent");
    expect(text).toContain("Tegen algoritmische controle");
    expect(text).toContain(`webcal://${relais.origin.host}/events.ics`);
    // Upcoming events of every collective, with who organises them; not drafts.
    expect(text).toMatch(/<a href="\/events\/[0-9a-f-]{36}">Betoging aan het OCMW<\/a>/);
    expect(text).not.toContain("Concept");
  });

  it("has a calendar page, day by day, whose language links keep the page", async () => {
    const { status, text } = await page(relais.url("/events?lang=fr"));
    expect(status).toBe(200);
    expect(text).toContain("<h1>Événements à venir sur cette instance</h1>");
    expect(text).toContain('<time datetime="2030-10-25">vendredi 25 octobre 2030</time>');
    expect(text).toContain("Manifestation devant le CPAS");
    expect(text).toContain("Droits sociaux Gand");
    expect(text).toContain('<a href="/events?lang=de" hreflang="de" lang="de">DE</a>');
    expect(text).toContain(`webcal://${relais.origin.host}/events.ics`);
    expect(text).not.toContain("Concept");
  });

  it("answers 404 pages for unknown collectives and events, in the visitor's language", async () => {
    const missing = await page(relais.url("/@nowhere"), { "accept-language": "de" });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("Diese Seite gibt es nicht.");
    expect((await page(relais.url("/events/00000000-0000-4000-8000-000000000000"))).status).toBe(404);
  });

  /** GET with the path sent byte for byte (fetch would normalise `/\\` and `%2F`). */
  const rawGet = (path: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: relais.origin.hostname, port: relais.origin.port, path, headers: { accept: "text/html" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject).end();
    });

  const links = (text: string) => [...text.matchAll(/\b(?:href|src|action)="([^"]*)"/g)].map((m) => m[1] as string);

  it.each(["//evil.example/x", "/\\evil.example/x", "///evil.example/x", "//evil.example/@gent", "/%2F%2Fevil.example/x"])(
    "links only to this site from the 404 page of %s",
    async (path) => {
      const { status, text } = await rawGet(path);
      expect(status).toBe(404);
      const hrefs = links(text);
      expect(hrefs.length).toBeGreaterThanOrEqual(5); // home, back, and the language switcher
      for (const href of hrefs) {
        expect(href).not.toMatch(/evil|^[/\\]{2}|^[a-z]+:/i);
        // Resolved the way a browser does, against the page's address as requested.
        expect(new URL(href, `${relais.origin.origin}${path}`).origin).toBe(relais.origin.origin);
      }
    },
  );

  it("links only to this site from the 410 page of a deleted event", async () => {
    const doomed = await relais.runtime.events.create(editor, "gent", { name: { nl: "Weg" }, startsAt: "2030-12-01T10:00", onlineUrl: "https://meet.example/w", published: true });
    await relais.runtime.events.delete(editor, doomed.event.id);
    const { status, text } = await rawGet(doomed.event.apId.pathname);
    expect(status).toBe(410);
    for (const href of links(text)) expect(new URL(href, doomed.event.apId).origin).toBe(relais.origin.origin);
  });
});
