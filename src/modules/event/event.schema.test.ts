import { describe, expect, it } from "vitest";
import { canonicalTimezone, parseEventTime } from "./event-time.ts";
import { applyEventPatch, type EventInput, type EventInputContext, type FieldError, parseEventInput } from "./event.schema.ts";

const ctx = { defaultTimezone: "Europe/Paris", primaryLanguage: "fr" };

const valid = {
  name: { de: "Klimamarsch", fr: "Marche pour le climat" },
  summary: { fr: "Tous dans la rue\npour le climat" },
  description: { fr: "Départ **14 h**, [programme](https://asso.example/prog)" },
  startsAt: "2026-03-08T14:00:00+01:00",
  endsAt: "2026-03-08T17:00:00+01:00",
  timezone: "Europe/Paris",
  location: {
    name: "Place Bellecour",
    streetAddress: "Place Bellecour",
    postalCode: "69002",
    locality: "Lyon",
    region: "Auvergne-Rhône-Alpes",
    country: "fr",
    latitude: 45.7578,
    longitude: 4.832,
  },
  category: "movements_politics",
  tags: ["#climat", " Lyon ", "climat", "CLIMAT"],
  status: "scheduled",
  published: true,
};

function errorsOf(body: unknown, c: EventInputContext = ctx): FieldError[] {
  const result = c.partial ? parseEventInput(body, { ...c, partial: true }) : parseEventInput(body, { ...c, partial: false });
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function parsedOk(body: unknown): EventInput {
  const result = parseEventInput(body, ctx);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe("parseEventInput (create)", () => {
  it("accepts the issue's body and normalises it", () => {
    const e = parsedOk(valid);
    expect(Object.keys(e.name)).toEqual(["fr", "de"]); // primary language first
    expect(e.summary).toEqual({ fr: "Tous dans la rue pour le climat" }); // one line
    expect(e.description?.fr).toBe(
      '<p>Départ <strong>14 h</strong>, <a href="https://asso.example/prog" rel="nofollow noopener noreferrer ugc">programme</a></p>',
    );
    expect(e.descriptionSource?.fr).toBe(valid.description.fr);
    expect(e.startsAt.toString()).toBe("2026-03-08T13:00:00Z");
    expect(e.endsAt?.toString()).toBe("2026-03-08T16:00:00Z");
    expect(e.location?.country).toBe("FR");
    expect(e.category).toBe("MOVEMENTS_POLITICS");
    expect(e.tags).toEqual(["climat", "Lyon"]);
    expect(e.published).toBe(true);
    expect(e).toMatchObject({ allDay: false, visibility: "public", links: [], status: "scheduled" });
  });

  it("defaults the zone to the collective's and a new event to a draft", () => {
    const e = parsedOk({ name: { fr: "Réunion" }, startsAt: "2026-05-04T19:00", onlineUrl: "https://meet.example/r" });
    expect(e.timezone).toBe("Europe/Paris");
    expect(e.startsAt.toString()).toBe("2026-05-04T17:00:00Z");
    expect(e.published).toBe(false);
    expect(e.location).toBeUndefined();
  });

  it("says what is missing and how to give it", () => {
    expect(errorsOf({})).toEqual([
      { field: "name", message: expect.stringContaining('e.g. {"fr": "Marche pour le climat"}') },
      { field: "startsAt", message: expect.stringContaining("is required") },
      { field: "location", message: "give a place (location), an online link (onlineUrl), or both" },
    ]);
  });

  it("refuses unknown fields, one entry per field, saying what is accepted", () => {
    const errors = errorsOf({ ...valid, organizerId: 7, isAdmin: true, location: { ...valid.location, floor: 2 } });
    expect(errors.map((e) => e.field).sort()).toEqual(["isAdmin", "location.floor", "organizerId"]);
    expect(errors.find((e) => e.field === "location.floor")?.message).toMatch(/remove it .*accepted: name, streetAddress/);
  });

  it("refuses a body that is not an object", () => {
    expect(errorsOf([valid])).toEqual([{ field: "(body)", message: "the request body must be a JSON object" }]);
  });

  it("checks every field and reports all problems at once, by path", () => {
    const errors = errorsOf({
      ...valid,
      name: { fr: "x".repeat(201), klingon_: "Qapla'", de: "   " },
      timezone: "Europe/Lyon",
      location: { ...valid.location, country: "France", latitude: 91 },
      onlineUrl: "javascript:alert(1)",
      category: "RIOTS",
      tags: ["climate strike", "ok"],
      startsAt: "2026-03-29T02:30",
      endsAt: undefined,
      image: { url: "ftp://x.example/a.png" },
      links: [{ url: "https://user:pw@x.example" }],
      contact: "not a contact",
      status: "maybe",
      visibility: "secret",
    });
    const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]));
    expect(byField["name.fr"]).toBe("must be at most 200 characters (it has 201); shorten it");
    expect(byField["name.klingon_"]).toMatch(/not a language code/);
    expect(byField["name.de"]).toMatch(/must not be empty/);
    expect(byField.timezone).toMatch(/not an IANA time zone; use e.g. Europe\/Paris/);
    expect(byField["location.country"]).toMatch(/"FRANCE" is not an ISO 3166 country code; use e.g. FR/);
    expect(byField["location.latitude"]).toBe("must be between -90 and 90");
    expect(byField.onlineUrl).toBe("must start with https:// (not javascript:)");
    expect(byField.category).toMatch(/must be one of ARTS, .*MOVEMENTS_POLITICS/);
    expect(byField["tags.0"]).toMatch(/not one word.*"climate_strike"/);
    expect(byField["image.url"]).toMatch(/https/);
    expect(byField["links.0.url"]).toMatch(/user name or password/);
    expect(byField.contact).toMatch(/neither an email address/);
    expect(byField.status).toBe("must be one of scheduled, cancelled, postponed");
    expect(byField.visibility).toBe('must be "public" or "unlisted"');
    expect(byField.startsAt).toMatch(/does not exist in Europe\/Paris/);
  });

  it("checks fields against each other", () => {
    const byField = (body: unknown) => Object.fromEntries(errorsOf(body).map((e) => [e.field, e.message]));
    expect(byField({ ...valid, endsAt: "2026-03-08T13:59:00+01:00" }).endsAt).toMatch(/must be after startsAt/);
    expect(byField({ ...valid, location: null }).location).toMatch(/give a place/);
    expect(byField({ ...valid, statusReason: { fr: "Pluie" } }).statusReason).toMatch(/only for cancelled or postponed/);
    expect(byField({ ...valid, location: { ...valid.location, longitude: undefined } })["location.longitude"]).toMatch(
      /together/,
    );
    expect(byField({ ...valid, location: { country: "FR" } }).location).toMatch(/name, a street address or a locality/);
  });

  it("accepts a hybrid event, links, an image with alt text and a contact", () => {
    const e = parsedOk({
      ...valid,
      onlineUrl: "https://meet.example/room",
      links: [{ url: "https://asso.example", title: "Notre site" }],
      image: { url: "https://relais.example/media/affiche.jpg", mediaType: "image/jpeg", alt: { de: "Plakat", fr: "Affiche" } },
      contact: "mailto:contact@asso.example",
      status: "cancelled",
      statusReason: { fr: "Interdiction préfectorale" },
    });
    expect(e.onlineUrl).toBe("https://meet.example/room");
    expect(Object.keys(e.image?.alt ?? {})).toEqual(["fr", "de"]);
    expect(e.contact).toBe("contact@asso.example");
    expect(e.statusReason).toEqual({ fr: "Interdiction préfectorale" });
  });

  it("keeps images on our own origin when asked to", () => {
    const errors = errorsOf(
      { ...valid, image: { url: "https://tracker.example/a.jpg" } },
      { ...ctx, mediaOrigin: "https://relais.example" },
    );
    expect(errors).toEqual([{ field: "image.url", message: expect.stringMatching(/uploaded here \(https:\/\/relais\.example/) }]);
  });
});

describe("times and zones", () => {
  // 2026-03-29 in Europe/Paris: 02:00 CET is followed by 03:00 CEST; 02:30 never shows on a clock.
  it("refuses a local time skipped by the spring-forward change, proposing the shifted time", () => {
    expect(parseEventTime("2026-03-29T02:30", "Europe/Paris", false)).toBe(
      "2026-03-29T02:30 does not exist in Europe/Paris: the clocks are put forward that night. " +
        "Choose a time that exists, such as 03:30, or give the offset explicitly",
    );
    expect(errorsOf({ ...valid, startsAt: "2026-03-29T02:30", endsAt: "2026-03-29T05:00" })).toEqual([
      { field: "startsAt", message: expect.stringContaining("does not exist in Europe/Paris") },
    ]);
  });

  it("keeps 02:30+01:00 on that day as the instant it names, 01:30 UTC (03:30 on Paris clocks)", () => {
    const e = parsedOk({ ...valid, startsAt: "2026-03-29T02:30:00+01:00", endsAt: undefined });
    expect(e.startsAt.toString()).toBe("2026-03-29T01:30:00Z");
    expect(e.startsAt.toZonedDateTimeISO("Europe/Paris").toString()).toBe("2026-03-29T03:30:00+02:00[Europe/Paris]");
  });

  it("takes the first 02:30 when clocks go back and it happens twice", () => {
    expect(String(parseEventTime("2026-10-25T02:30", "Europe/Paris", false))).toBe("2026-10-25T00:30:00Z");
  });

  it("reads a wall-clock time in the event's zone, not the collective's", () => {
    const e = parsedOk({ ...valid, timezone: "america/montreal", startsAt: "2026-06-13T19:00", endsAt: undefined });
    expect(e.timezone).toBe("America/Montreal");
    expect(e.startsAt.toString()).toBe("2026-06-13T23:00:00Z");
  });

  it("stores an all-day event as the start of its local days; the end is the last day, inclusive", () => {
    const e = parsedOk({ ...valid, allDay: true, startsAt: "2026-05-01", endsAt: "2026-05-03" });
    expect(e.startsAt.toString()).toBe("2026-04-30T22:00:00Z");
    expect(e.endsAt?.toString()).toBe("2026-05-02T22:00:00Z");
    expect(parsedOk({ ...valid, allDay: true, startsAt: "2026-05-01", endsAt: "2026-05-01" }).endsAt?.toString()).toBe(
      "2026-04-30T22:00:00Z",
    );
    const datetimeGiven = parsedOk({ ...valid, allDay: true, startsAt: "2026-05-01T15:00:00+02:00", endsAt: undefined });
    expect(datetimeGiven.startsAt.toString()).toBe("2026-04-30T22:00:00Z");
  });

  it("asks for a time, or allDay, when only a date is given; refuses impossible dates", () => {
    expect(errorsOf({ ...valid, startsAt: "2026-05-01", endsAt: undefined })[0]?.message).toBe(
      '"2026-05-01" has no time: add one ("2026-05-01T14:00") or set "allDay": true',
    );
    expect(errorsOf({ ...valid, startsAt: "2026-02-30T10:00", endsAt: undefined })[0]?.message).toMatch(/not a valid date/);
    expect(errorsOf({ ...valid, startsAt: "next friday", endsAt: undefined })[0]?.message).toMatch(/write it like/);
    expect(errorsOf({ ...valid, startsAt: "0026-03-08T14:00Z", endsAt: undefined })[0]?.message).toMatch(/between 1900/);
    expect(errorsOf({ ...valid, allDay: true, startsAt: "2026-05-03", endsAt: "2026-05-01" })[0]?.field).toBe("endsAt");
  });

  it("knows IANA zones and refuses offsets and inventions", () => {
    expect(canonicalTimezone("Europe/Brussels")).toBe("Europe/Brussels");
    expect(canonicalTimezone("UTC")).toBe("UTC");
    expect(canonicalTimezone("+01:00")).toBeUndefined();
    expect(canonicalTimezone("Europe/Lyon")).toBeUndefined();
    expect(canonicalTimezone("../../etc/passwd")).toBeUndefined();
  });
});

describe("parseEventInput (PATCH)", () => {
  const current = parsedOk(valid);
  const patchCtx = { ...ctx, partial: true as const, current };

  it("returns only what was sent, applies no default, and null clears an optional field", () => {
    const result = parseEventInput({ endsAt: null, tags: ["#fête"] }, patchCtx);
    expect(result).toEqual({ ok: true, value: { endsAt: null, tags: ["fête"] } });
    if (!result.ok) return;
    const next = applyEventPatch(current, result.value);
    expect(next.endsAt).toBeUndefined();
    expect(next.tags).toEqual(["fête"]);
    expect(next.name).toEqual(current.name);
  });

  it("reads new times in the event's zone", () => {
    const result = parseEventInput({ startsAt: "2026-03-08T15:00" }, patchCtx);
    expect(result.ok && result.value.startsAt?.toString()).toBe("2026-03-08T14:00:00Z");
  });

  it("checks the result against the stored event", () => {
    expect(errorsOf({ startsAt: "2026-03-08T18:00" }, patchCtx)).toEqual([
      { field: "endsAt", message: expect.stringMatching(/must be after startsAt/) },
    ]);
    expect(errorsOf({ location: null }, patchCtx)).toEqual([{ field: "location", message: expect.stringMatching(/give a place/) }]);
    expect(errorsOf({ name: null, status: null }, patchCtx)).toEqual([
      { field: "name", message: "cannot be null: give a value, or leave the field out" },
      { field: "status", message: "cannot be null: give a value, or leave the field out" },
    ]);
  });

  it("still refuses unknown fields and bad values", () => {
    expect(errorsOf({ id: "x" }, patchCtx)[0]?.field).toBe("id");
    expect(errorsOf({ category: "NOPE" }, patchCtx)[0]?.field).toBe("category");
  });
});

describe("text that PostgreSQL cannot store, whatever path it came by", () => {
  it("cleans NUL, other control characters and lone surrogates out of every text, keeping line breaks", () => {
    const event = parsedOk({
      ...valid,
      name: { fr: "Marche\u0000 pour\u001b le climat" },
      summary: { fr: "a\ud800b" },
      description: { fr: "Départ\u0000 à 14 h\n\n\u0007Venez\ttous" },
      location: { ...valid.location, name: "Place\u0000Bellecour" },
    });
    expect(event.name.fr).toBe("Marche pour le climat");
    expect(event.summary?.fr).toBe("a\ufffdb");
    expect(event.descriptionSource?.fr).toBe("Départ à 14 h\n\nVenez\ttous");
    expect(event.description?.fr).toBe("<p>Départ à 14 h</p>\n<p>Venez\ttous</p>");
    expect(event.location?.name).toBe("Place Bellecour");
  });
});
