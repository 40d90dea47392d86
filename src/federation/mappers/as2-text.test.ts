import { describe, expect, it } from "vitest";
import { expectNoMarkup, markupStart } from "../../../tests/support/as2-markup.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { plainText } from "./as2-text.ts";
import { eventToJsonLd } from "./event.mapper.ts";
import { eventWording } from "../../modules/event/event-summary.ts";
import { createTranslator } from "../../shared/i18n.ts";

const attacks = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<svg/onload=alert(1)>",
  '<a href="javascript:alert(1)">clic</a>',
  "<<img>img src=x onerror=alert(1)>",
  "<!--x--><?x?><!DOCTYPE html>",
  "</p><iframe src=//evil.example>",
  "<img src=x onerror=alert(1)",
];

describe("plainText", () => {
  it.each(attacks)("leaves no markup in %s", (attack) => {
    const out = plainText(`Marche ${attack} climat`);
    expect(out).not.toMatch(markupStart);
    expect(out.startsWith("Marche")).toBe(true);
  });

  it("keeps text that only looks like markup to a human", () => {
    expect(plainText("Lyon <3 Gent")).toBe("Lyon <3 Gent");
    expect(plainText("a < b > c & d")).toBe("a < b > c & d");
    expect(plainText("L'été des luttes")).toBe("L'été des luttes");
    expect(plainText("Marche<br>pour le climat")).toBe("Marche pour le climat");
  });
});

const x = "<img src=x onerror=alert(1)>";
const languages = ["fr", "de", "nl", "en"] as const;
const everyLanguage = (text: string) => Object.fromEntries(languages.map((l) => [l, `${text} (${l}) ${x}`]));

const hostile: PublishedEvent = {
  id: "0b7e",
  apId: new URL("https://relais.example/events/0b7e"),
  organizer: {
    apId: new URL("https://relais.example/@climat-lyon"),
    slug: "climat-lyon",
    primaryLanguage: "fr",
    name: { fr: `Climat Lyon ${x}` },
  },
  sequence: 0,
  publishedAt: Temporal.Instant.from("2026-02-01T10:00:00Z"),
  updatedAt: Temporal.Instant.from("2026-02-01T10:00:00Z"),
  name: everyLanguage("Marche"),
  summary: everyLanguage("Tous dehors"),
  // Stored descriptions are sanitized already; the mapper sanitizes them again whatever stored them.
  description: everyLanguage("<p>Départ</p><script>alert(1)</script>"),
  descriptionSource: everyLanguage("Départ"),
  startsAt: Temporal.Instant.from("2026-03-08T13:00:00Z"),
  endsAt: undefined,
  timezone: "Europe/Paris",
  allDay: false,
  location: {
    name: `Place ${x}`,
    streetAddress: `1 rue ${x}`,
    postalCode: `69002${x}`,
    locality: `Lyon ${x}`,
    region: `Rhône ${x}`,
    country: "FR",
  },
  onlineUrl: "https://meet.example/climat",
  category: "MOVEMENTS_POLITICS",
  tags: ["climat"],
  status: "cancelled",
  statusReason: everyLanguage("Interdite"),
  image: { url: "https://relais.example/media/affiche.jpg", mediaType: "image/jpeg", alt: everyLanguage("Affiche") },
  links: [{ url: "https://asso.example/programme", title: `Programme ${x}` }],
  visibility: "public",
};

describe("the Event document with markup in every field and language", () => {
  const ctx = { followersUrl: new URL("https://relais.example/@climat-lyon/followers"), wording: eventWording(createTranslator()) };

  it("carries no markup outside content, and content only the allowed subset", async () => {
    const doc = await eventToJsonLd(hostile, ctx);
    expect(expectNoMarkup(doc)).toBeGreaterThan(30);
    // The content of a cancelled event starts with its status and reason, escaped (see contentLines).
    const status = { fr: "Annulé", de: "Abgesagt", nl: "Afgelast", en: "Cancelled" };
    for (const lang of languages) {
      expect((doc.contentMap as Record<string, string>)[lang]).toBe(
        `<p><strong>${status[lang]} — Interdite (${lang}) &lt;img src=x onerror=alert(1)&gt;</strong></p><p>Départ</p> (${lang})`,
      );
    }
  });

  it("keeps the text of every field, in every language", async () => {
    const doc = await eventToJsonLd(hostile, ctx);
    const nameMap = doc.nameMap as Record<string, string>;
    const summaryMap = doc.summaryMap as Record<string, string>;
    for (const lang of languages) {
      expect(nameMap[lang]).toBe(`Marche (${lang})`);
      // summary is HTML: the organisers' text is there, its markup escaped.
      expect(summaryMap[lang]).toContain(`Tous dehors (${lang}) &lt;img src=x onerror=alert(1)&gt;`);
    }
    const place = ([doc.location].flat() as Record<string, unknown>[])[0] ?? {};
    expect(place.name).toBe("Place");
    expect((place.address as Record<string, string>).streetAddress).toBe("1 rue");
    const attachments = [doc.attachment].flat() as Record<string, unknown>[];
    expect(attachments.map((a) => a.name)).toEqual(["Affiche (fr)", "Programme"]);
    expect(attachments[0]?.nameMap).toEqual(Object.fromEntries(languages.map((l) => [l, `Affiche (${l})`])));
  });
});
