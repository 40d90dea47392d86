import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Create, Event, Hashtag, Image, Link, Place } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import { eventWording } from "../../modules/event/event-summary.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { eventFromAs2, eventToAs2, eventToJsonLd, type RemoteEvent } from "./event.mapper.ts";
import { countryCode } from "./remote-event.mapper.ts";
import { createTranslator } from "../../shared/i18n.ts";

const wording = eventWording(createTranslator());
const { mastodonSummary } = wording;

const ctx = {
  followersUrl: new URL("https://relais.example/@climat-lyon/followers"),
  hashtagUrl: (tag: string) => new URL(`https://relais.example/tags/${encodeURIComponent(tag)}`),
  wording,
};

const march: PublishedEvent = {
  id: "0b7e",
  apId: new URL("https://relais.example/events/0b7e"),
  organizer: {
    apId: new URL("https://relais.example/@climat-lyon"),
    slug: "climat-lyon",
    primaryLanguage: "fr",
    name: { fr: "Climat Lyon" },
  },
  sequence: 2,
  publishedAt: Temporal.Instant.from("2026-02-01T10:00:00Z"),
  updatedAt: Temporal.Instant.from("2026-02-03T09:30:00Z"),
  name: { fr: "Marche pour le climat", de: "Klimamarsch" },
  summary: { fr: "Tous dans la rue", de: "Alle auf die Straße" },
  description: { fr: "<p>Départ <strong>14 h</strong></p>", de: "<p>Start <strong>14 Uhr</strong></p>" },
  descriptionSource: { fr: "Départ **14 h**", de: "Start **14 Uhr**" },
  startsAt: Temporal.Instant.from("2026-03-08T13:00:00Z"),
  endsAt: Temporal.Instant.from("2026-03-08T16:00:00Z"),
  timezone: "Europe/Paris",
  allDay: false,
  location: {
    name: "Place Bellecour",
    streetAddress: "Place Bellecour",
    postalCode: "69002",
    locality: "Lyon",
    region: "Auvergne-Rhône-Alpes",
    country: "FR",
    latitude: 45.7578,
    longitude: 4.832,
  },
  onlineUrl: "https://meet.example/climat",
  category: "MOVEMENTS_POLITICS",
  tags: ["climat", "Lyon"],
  status: "scheduled",
  image: { url: "https://relais.example/media/affiche.jpg", mediaType: "image/jpeg", alt: { fr: "Affiche", de: "Plakat" } },
  links: [{ url: "https://asso.example/programme", title: "Programme" }],
  visibility: "public",
};

const assembly: PublishedEvent = {
  ...march,
  id: "a11",
  apId: new URL("https://relais.example/events/a11"),
  name: { fr: "Assemblée de printemps" },
  summary: undefined,
  description: undefined,
  descriptionSource: undefined,
  allDay: true,
  startsAt: Temporal.Instant.from("2026-04-30T22:00:00Z"), // 1 May, Paris
  endsAt: Temporal.Instant.from("2026-05-02T22:00:00Z"), // 3 May, last day
  location: undefined,
  category: undefined,
  tags: [],
  image: undefined,
  links: [],
  status: "cancelled",
  statusReason: { fr: "Salle indisponible" },
  visibility: "unlisted",
  updatedAt: march.publishedAt,
};

async function roundTrip(event: PublishedEvent): Promise<RemoteEvent> {
  const result = await eventFromAs2(await eventToJsonLd(event, ctx));
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe("eventToAs2", () => {
  it("builds the event with Fedify's classes, primary language first", async () => {
    const e = eventToAs2(march, ctx);
    expect(e).toBeInstanceOf(Event);
    expect(e.name?.toString()).toBe("Marche pour le climat");
    expect(await e.getLocation()).toBeInstanceOf(Place);
    const tags: unknown[] = [];
    for await (const t of e.getTags()) tags.push(t);
    expect(tags.map((t) => t instanceof Hashtag)).toEqual([true, true]);
    const attachments: unknown[] = [];
    for await (const a of e.getAttachments()) attachments.push(a);
    expect(attachments.map((a) => (a as object).constructor)).toEqual([Image, Link]);
    expect(e.startTime?.equals(march.startsAt)).toBe(true);
  });
});

describe("eventToJsonLd", () => {
  it("matches the snapshot of a hybrid public event", async () => {
    expect(await eventToJsonLd(march, ctx)).toMatchSnapshot();
  });

  it("matches the snapshot of a cancelled, unlisted, online all-day event", async () => {
    expect(await eventToJsonLd(assembly, ctx)).toMatchSnapshot();
  });

  it("gives Mastodon the summary line in the collective's language, and in the other languages", async () => {
    const json = await eventToJsonLd(march, ctx);
    expect(json.summary).toBe(mastodonSummary(march, "fr"));
    expect(json.summary).toBe("Dimanche 8 mars 2026, 14:00 (heure de Paris) · Place Bellecour, Lyon et en ligne — Tous dans la rue");
    expect(Object.keys(json.summaryMap as object)).toEqual(["fr", "de"]);
    expect((json.summaryMap as Record<string, string>).de).toMatch(/^Sonntag, 8\. März 2026, 14:00 Uhr \(Ortszeit Paris\)/);
  });

  it("writes times with the zone's offset and the FEP-8a8e terms", async () => {
    const json = await eventToJsonLd(march, ctx);
    expect(json).toMatchObject({
      startTime: "2026-03-08T14:00:00+01:00",
      endTime: "2026-03-08T17:00:00+01:00",
      timezone: "Europe/Paris",
      eventStatus: "EventScheduled",
      category: "MOVEMENTS_POLITICS",
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: [ctx.followersUrl.href],
    });
    const all = await eventToJsonLd(assembly, ctx);
    // All-day: from the start of the first day to the start of the day after the last one.
    expect(all).toMatchObject({ startTime: "2026-05-01T00:00:00+02:00", endTime: "2026-05-04T00:00:00+02:00" });
    expect(all).toMatchObject({ to: [ctx.followersUrl.href], cc: ["https://www.w3.org/ns/activitystreams#Public"], eventStatus: "EventCancelled", "ical:status": "CANCELLED" });
    expect(all.location).toEqual({ type: "VirtualLocation", url: "https://meet.example/climat", address: { url: "https://meet.example/climat" } });
  });

  it("gives tag, attachment and content in the shapes Gancio reads: arrays, and text", async () => {
    const bare = { ...assembly, tags: [], links: [], image: undefined, status: "scheduled" as const, description: undefined };
    const json = await eventToJsonLd(bare, ctx);
    expect(json.tag).toEqual([]);
    expect(json.attachment).toEqual([]);
    expect(json.content).toBe("");
    const one = await eventToJsonLd({ ...bare, tags: ["caf"], image: { url: "https://relais.example/media/affiche.PNG" } }, ctx);
    expect(one.tag).toEqual([{ type: "Hashtag", name: "#caf", href: "https://relais.example/tags/caf" }]);
    expect(one.attachment).toEqual([{ type: "Image", url: "https://relais.example/media/affiche.PNG", mediaType: "image/png" }]);
    // One place: one object (Gancio's Update reads location.name); a hybrid event: an array.
    const placeOnly = await eventToJsonLd({ ...march, onlineUrl: undefined }, ctx);
    expect(placeOnly.location).toMatchObject({ type: "Place", name: "Place Bellecour", address: { addressLocality: "Lyon" } });
    expect((await eventToJsonLd(march, ctx)).location).toHaveLength(2);
  });

  it("heads the content with the status of an event that is off, in each language", async () => {
    const cancelled = { ...march, status: "cancelled" as const, statusReason: { fr: "Interdiction <préfectorale>" } };
    const json = await eventToJsonLd(cancelled, ctx);
    expect(json.content).toBe("<p><strong>Annulé — Interdiction &lt;préfectorale&gt;</strong></p><p>Départ <strong>14 h</strong></p>");
    expect((json.contentMap as Record<string, string>).de).toMatch(/^<p><strong>Abgesagt — Interdiction/);
    expect(json.mediaType).toBe("text/html");
  });

  it("is a JSON-LD document Fedify itself reads (the context extension is valid)", async () => {
    const parsed = await Event.fromJsonLd(await eventToJsonLd(march, ctx));
    expect(parsed.startTime?.toString()).toBe("2026-03-08T13:00:00Z");
    const place = await parsed.getLocation();
    expect(place instanceof Place && place.latitude).toBe(45.7578);
  });
});

describe("eventFromAs2", () => {
  it("reads back what eventToJsonLd writes (the summary comes back as the Mastodon line)", async () => {
    const back = await roundTrip(march);
    const { summary, descriptionSource, statusReason, ...rest } = back;
    expect(rest).toEqual({
      apId: march.apId,
      url: march.apId,
      organizerId: march.organizer.apId,
      name: march.name,
      description: march.description,
      startsAt: march.startsAt,
      endsAt: march.endsAt,
      timezone: "Europe/Paris",
      allDay: false,
      location: march.location,
      onlineUrl: march.onlineUrl,
      category: march.category,
      tags: march.tags,
      status: "scheduled",
      image: march.image,
      links: march.links,
      visibility: "public",
    });
    expect(summary?.fr).toBe(mastodonSummary(march, "fr"));
    expect(descriptionSource).toBeUndefined();
  });

  it("recognises an all-day event in its declared zone, and the status", async () => {
    const back = await roundTrip(assembly);
    expect(back).toMatchObject({ allDay: true, status: "cancelled", visibility: "unlisted", timezone: "Europe/Paris" });
    expect(back.startsAt.equals(assembly.startsAt)).toBe(true);
    expect(back.endsAt?.equals(assembly.endsAt as Temporal.Instant)).toBe(true);
  });

  it("reads the event inside a Create, and refuses what it cannot use", async () => {
    const object = await eventToJsonLd(march, ctx);
    const { "@context": context, ...embedded } = object;
    const create = { "@context": context, type: "Create", actor: march.organizer.apId.href, object: embedded };
    expect((await eventFromAs2(create)).ok).toBe(true);
    expect(await eventFromAs2({ ...create, object: march.apId.href })).toEqual({ ok: false, reason: "object-not-embedded" });
    expect(await eventFromAs2({ ...object, type: "Note" })).toEqual({ ok: false, reason: "not-an-event" });
    expect(await eventFromAs2({ ...object, attributedTo: "https://elsewhere.example/@x" })).toEqual({
      ok: false,
      reason: "organizer-on-another-origin",
    });
    expect(await eventFromAs2({ ...object, to: [], cc: [] })).toEqual({ ok: false, reason: "not-public" });
    expect(await eventFromAs2({ ...object, startTime: "2026-03-08T14:00" })).toEqual({ ok: false, reason: "no-start-time" });
    expect(await eventFromAs2({ ...object, name: undefined, nameMap: undefined })).toEqual({ ok: false, reason: "no-name" });
  });

  // Fedify keeps the JSON it parsed, and serialises it back as is, only when it could decode every
  // nested value: a VirtualLocation in `location` makes it drop that copy, and with it the FEP terms.
  it("reads a Fedify object parsed from the JSON, whole when Fedify kept the JSON", async () => {
    const inPerson: PublishedEvent = { ...assembly, onlineUrl: undefined, location: { name: "Bourse du travail", locality: "Lyon" } };
    const object = await eventToJsonLd(inPerson, ctx);
    const fromEvent = await eventFromAs2(await Event.fromJsonLd(object));
    expect(fromEvent.ok && fromEvent.value).toMatchObject({ timezone: "Europe/Paris", allDay: true, status: "cancelled" });
    const { "@context": context, ...embedded } = object;
    const create = { "@context": context, id: `${inPerson.apId.href}#create`, type: "Create", actor: inPerson.organizer.apId.href, object: embedded };
    const fromCreate = await eventFromAs2(await Create.fromJsonLd(create));
    expect(fromCreate.ok && fromCreate.value).toMatchObject({ timezone: "Europe/Paris", allDay: true, status: "cancelled" });

    const online = await eventFromAs2(await Event.fromJsonLd(await eventToJsonLd(assembly, ctx)));
    expect(online.ok && online.value).toMatchObject({ timezone: "UTC", allDay: false, status: "scheduled", onlineUrl: undefined });
  });

  it("cleans what it reads: HTML in names, scripts in content, bad URLs and coordinates", async () => {
    const object = await eventToJsonLd(march, ctx);
    const result = await eventFromAs2({
      ...object,
      nameMap: { fr: "<b>Marche</b> &amp; fête" },
      contentMap: { fr: '<p onclick="x()">ok</p><script>alert(1)</script>' },
      location: { type: "Place", name: "Ici", latitude: 123, longitude: 4, address: "1 rue X, Lyon" },
      attachment: [{ type: "Link", href: "javascript:alert(1)", name: "x" }],
    });
    expect(result.ok && result.value.name).toEqual({ fr: "Marche & fête" });
    expect(result.ok && result.value.description).toEqual({ fr: "<p>ok</p>" });
    expect(result.ok && result.value.location).toEqual({ name: "Ici", streetAddress: "1 rue X, Lyon" });
    expect(result.ok && result.value.links).toEqual([]);
  });

  it("names countries the way partners write them", () => {
    expect(["FR", "fr", "France", "Frankreich", "Frankrijk", "Belgique", "België", "Deutschland"].map(countryCode)).toEqual([
      "FR",
      "FR",
      "FR",
      "FR",
      "FR",
      "BE",
      "BE",
      "DE",
    ]);
    expect(countryCode("Fediverse Country")).toBeUndefined();
  });
});

// Real payloads captured by Mobilizon's test suite (shared/fixtures/README.md). They stay outside the
// repository; without the folder these tests are skipped.
const fixtures = fileURLToPath(new URL("../../../../shared/fixtures/as2/from-mobilizon-tests/", import.meta.url));
const haveFixtures = existsSync(fixtures);
const fixture = (name: string): unknown => JSON.parse(readFileSync(`${fixtures}${name}`, "utf8"));

describe.skipIf(!haveFixtures)(`partner payloads in ${fixtures}${haveFixtures ? "" : " (SKIPPED: folder missing)"}`, () => {
  it("keeps a Mobilizon event's time, zone and postal address (country name → ISO code)", async () => {
    const result = await eventFromAs2(fixture("mobilizon-post-activity.json"));
    if (!result.ok) throw new Error(result.reason);
    const e = result.value;
    expect(e.apId.href).toBe("https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93");
    expect(e.organizerId.href).toBe("https://mobilizon.fr/@metacartes");
    expect(e.name).toEqual({ und: "My first event" });
    expect(e.startsAt.toString()).toBe("2018-02-12T14:08:20Z");
    expect(e.timezone).toBe("UTC");
    expect(e.location).toEqual({
      name: "Locaux de Framasoft",
      streetAddress: "10 Rue Jangot",
      postalCode: "69007",
      locality: "Lyon",
      region: "Auvergne Rhône Alpes",
      country: "FR",
    });
    expect(e.links).toEqual([
      { url: "https://something.org/", title: "Another link" },
      { url: "https://google.com/", title: "Website" },
    ]);
    expect(e.category).toBeUndefined(); // "TODO remove me" is no category
    expect(e.description?.und).toBe('<p><a href="https://framapiaf.org/users/tcit" rel="nofollow noopener noreferrer ugc">@tcit</a></p>');
  });

  it("takes a Mobilizon event's banner from its attachments, falling back to image", async () => {
    const withBoth = await eventFromAs2(fixture("mobilizon-post-activity-media-1.json"));
    expect(withBoth.ok && withBoth.value.image).toEqual({ url: "https://mobilizon.fr/some-image", mediaType: "image/png", alt: undefined });
    const named = await eventFromAs2(fixture("mobilizon-post-activity-media-2.json"));
    expect(named.ok && named.value.image?.url).toBe("https://mobilizon.fr/some-image-1");
  });

  it("keeps a Gancio event's local time through its offset, its place and its tag", async () => {
    const result = await eventFromAs2(fixture("gancio-event-activity.json"));
    if (!result.ok) throw new Error(result.reason);
    const e = result.value;
    expect(e.startsAt.toString()).toBe("2021-07-14T15:30:57Z");
    expect(e.endsAt?.toString()).toBe("2021-07-14T16:30:57Z");
    expect(e.timezone).toBe("Etc/GMT-2"); // +02:00, the only zone information Gancio sends
    expect(e.startsAt.toZonedDateTimeISO(e.timezone).toPlainTime().toString()).toBe("17:30:57");
    expect(e.location).toEqual({ name: "Colosseo" });
    expect(e.tags).toEqual(["test"]);
    expect(e.url?.href).toBe("https://demo.gancio.org/event/demo-event");
    expect(mastodonSummary(e, "fr")).toBe("Mercredi 14 juillet 2021, 17:30 (UTC+2) · Colosseo — 📍 Colosseo 📅 Wednesday, 14 July (17:30)");
  });

  it("refuses a Mobilizon event addressed to its group only (not public)", async () => {
    expect(await eventFromAs2(fixture("mobilizon-post-activity-group.json"))).toEqual({ ok: false, reason: "not-public" });
  });

  it("refuses every payload that is not an event", async () => {
    const isEvent = (j: unknown) => JSON.stringify(j).includes('"type":"Event"');
    const others = readdirSync(fixtures).filter((f) => f.endsWith(".json") && !isEvent(fixture(f)));
    expect(others.length).toBeGreaterThan(20);
    for (const f of others) expect((await eventFromAs2(fixture(f))).ok, f).toBe(false);
  });
});
