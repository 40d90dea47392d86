import { describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors.ts";
import { instant, makeEvent } from "../../../tests/support/ical.ts";
import { eventMatches, filtersKey, noFilters, parseFeedFilters } from "./feed-filters.ts";

function problems(query: Record<string, unknown>): { status: number; message: string; fields: string[] } {
  try {
    parseFeedFilters(query);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { status: e.status, message: e.message, fields: (e.details ?? []).map((d) => d.field) };
  }
  throw new Error("no error");
}

describe("parseFeedFilters", () => {
  it("reads every filter, repeated or comma-separated, and normalises it", () => {
    const f = parseFeedFilters({
      lang: "de-ch,fr",
      tag: ["#Vélo", "climat,VÉLO"],
      category: "movements-politics",
      country: "fr,be",
      status: "Scheduled,postponed",
      from: "2026-03-01",
      to: "2026-04-01T12:00:00+02:00",
    });
    expect(f).toEqual({
      languages: ["de-CH", "fr"],
      tags: ["climat", "vélo"],
      categories: ["MOVEMENTS_POLITICS"],
      countries: ["BE", "FR"],
      statuses: ["postponed", "scheduled"],
      from: Temporal.Instant.from("2026-03-01T00:00:00Z"),
      to: Temporal.Instant.from("2026-04-01T10:00:00Z"),
    });
  });

  it("gives no filter for an empty query", () => {
    expect(parseFeedFilters({})).toEqual({ ...noFilters, from: undefined, to: undefined });
  });

  it("gives one key to two spellings of the same filters, and keeps the language order", () => {
    const a = parseFeedFilters({ tag: "Velo,climat", country: "fr", lang: "de,fr" });
    const b = parseFeedFilters({ tag: ["climat", "#velo"], country: "FR", lang: "de,fr" });
    expect(filtersKey(a)).toBe(filtersKey(b));
    expect(filtersKey(a)).toBe("lang=de,fr&tag=climat,velo&country=FR");
    expect(filtersKey(parseFeedFilters({ lang: "fr,de" }))).not.toBe(filtersKey(parseFeedFilters({ lang: "de,fr" })));
    expect(filtersKey(parseFeedFilters({}))).toBe("");
  });

  it.each([
    [{ lang: "français" }, "lang", /not a language tag/],
    [{ tag: "vélo rouge" }, "tag", /not a hashtag/],
    [{ category: "PICNIC" }, "category", /unknown category "PICNIC"; use one of ARTS/],
    [{ country: "XX" }, "country", /not an ISO 3166 country code/],
    [{ status: "maybe" }, "status", /unknown status "maybe"; use scheduled, cancelled, postponed/],
    [{ from: "yesterday" }, "from", /not a date/],
    [{ from: "2026-03-02", to: "2026-03-01" }, "to", /must be after from/],
    [{ from: ["2026-03-01", "2026-03-02"] }, "from", /one date/],
    [{ tag: "" }, "tag", /empty value/],
    [{ tag: "a,,b" }, "tag", /empty value/],
    [{ tag: { nested: "x" } }, "tag", /as text/],
    [{ categroy: "ARTS" }, "categroy", /unknown parameter; a feed accepts lang, tag/],
  ])("answers 400 naming the parameter for %j", (query, field, message) => {
    const p = problems(query);
    expect(p.status).toBe(400);
    expect(p.fields).toEqual([field]);
    expect(p.message).toMatch(message);
    expect(p.message).toContain(`${field}:`);
  });

  it("names every bad parameter at once", () => {
    expect(problems({ country: "XX", status: "maybe", lang: "fr" }).fields).toEqual(["country", "status"]);
  });

  it("refuses more than 20 values", () => {
    expect(problems({ tag: Array.from({ length: 21 }, (_, i) => `t${i}`).join(",") }).message).toMatch(/at most 20/);
  });
});

describe("eventMatches", () => {
  const event = makeEvent({
    tags: ["Vélo", "climat"],
    category: "MOVEMENTS_POLITICS",
    status: "cancelled",
    startsAt: instant("2025-03-15T13:00:00Z"),
    endsAt: instant("2025-03-15T16:00:00Z"),
  });
  const f = (query: Record<string, unknown>) => parseFeedFilters(query);

  it("passes an event through each filter it satisfies and stops it at each one it does not", () => {
    const none = {};
    expect(eventMatches(event, f({}), none)).toBe(true);
    expect(eventMatches(event, f({ tag: "VELO,vélo" }), none)).toBe(true);
    expect(eventMatches(event, f({ tag: "velo" }), none)).toBe(false);
    expect(eventMatches(event, f({ category: "MOVEMENTS_POLITICS,ARTS" }), none)).toBe(true);
    expect(eventMatches(event, f({ category: "ARTS" }), none)).toBe(false);
    expect(eventMatches(makeEvent({ category: undefined }), f({ category: "ARTS" }), none)).toBe(false);
    expect(eventMatches(event, f({ country: "FR" }), none)).toBe(true);
    expect(eventMatches(event, f({ country: "BE" }), none)).toBe(false);
    expect(eventMatches(makeEvent({ location: undefined }), f({ country: "FR" }), none)).toBe(false);
    expect(eventMatches(event, f({ status: "cancelled" }), none)).toBe(true);
    expect(eventMatches(event, f({ status: "scheduled,postponed" }), none)).toBe(false);
  });

  it("keeps events that have not ended before `from` and start before `to`", () => {
    const window = (from?: string, to?: string) => ({ from: from ? instant(from) : undefined, to: to ? instant(to) : undefined });
    expect(eventMatches(event, noFilters, window("2025-03-15T15:59:59Z"))).toBe(true);
    expect(eventMatches(event, noFilters, window("2025-03-15T16:00:01Z"))).toBe(false);
    expect(eventMatches(event, noFilters, window(undefined, "2025-03-15T13:00:01Z"))).toBe(true);
    expect(eventMatches(event, noFilters, window(undefined, "2025-03-15T13:00:00Z"))).toBe(false);
    const noEnd = makeEvent({ endsAt: undefined });
    expect(eventMatches(noEnd, noFilters, window("2025-03-15T13:00:00Z"))).toBe(true);
    expect(eventMatches(noEnd, noFilters, window("2025-03-15T13:00:01Z"))).toBe(false);
  });
});
