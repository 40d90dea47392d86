import { describe, expect, it } from "vitest";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { Urls } from "../../shared/urls.ts";
import { eventNoteDocument } from "./event-note.mapper.ts";
import { eventWording } from "../../modules/event/event-summary.ts";
import { createTranslator } from "../../shared/i18n.ts";

const urls = new Urls(new URL("https://relais.example"));
const wording = eventWording(createTranslator());
const event: PublishedEvent = {
  id: "0b7e",
  apId: new URL("https://relais.example/events/0b7e"),
  organizer: { apId: new URL("https://relais.example/@lyon"), slug: "lyon", primaryLanguage: "fr", name: { fr: "Lyon" } },
  sequence: 0,
  publishedAt: Temporal.Instant.from("2026-02-01T10:00:00Z"),
  updatedAt: Temporal.Instant.from("2026-02-01T10:00:00Z"),
  name: { fr: "Marche <3 & climat <img src=x>", de: "Klimamarsch" },
  summary: { fr: "Tous dehors" },
  startsAt: Temporal.Instant.from("2026-03-08T13:00:00Z"),
  timezone: "Europe/Paris",
  allDay: false,
  location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
  tags: ["climat"],
  status: "scheduled",
  image: { url: "https://relais.example/media/affiche.webp", alt: { fr: "Affiche" } },
  links: [],
  visibility: "public",
};

describe("the Note form of an event", () => {
  it("says what Mastodon shows of the Event: name, summary line, link, with the image and hashtags", async () => {
    const note = await eventNoteDocument(event, { urls, wording });
    expect(note).toMatchObject({ id: "https://relais.example/events/0b7e/note", type: "Note", attributedTo: "https://relais.example/@lyon", url: "https://relais.example/events/0b7e" });
    expect(note.content).toBe(
      '<p><strong>Marche &lt;3 &amp; climat</strong></p><p>Dimanche 8 mars 2026, 14:00 (heure de Paris) · Place Bellecour, Lyon — Tous dehors</p><p><a href="https://relais.example/events/0b7e">https://relais.example/events/0b7e</a></p>',
    );
    expect((note.contentMap as Record<string, string>).de).toMatch(/^<p><strong>Klimamarsch<\/strong><\/p><p>Sonntag, 8\. März 2026/);
    expect(note.attachment).toMatchObject({ type: "Document", url: "https://relais.example/media/affiche.webp", mediaType: "image/webp", name: "Affiche" });
    expect(note.tag).toMatchObject({ type: "Hashtag", name: "#climat" });
    // On a Note, summary is a content warning: there is none.
    expect(note.summary).toBeUndefined();
    expect(note.to).toBe("as:Public");
  });
});
