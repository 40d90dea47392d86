import { describe, expect, it } from "vitest";
import { instant, makeEvent } from "../../../tests/support/ical.ts";
import { moveBody, placeBody, placeOf, readPlace, reasonBody, splitBody, splitOf } from "./series-form.ts";

describe("the forms of a series' dates", () => {
  it("moves to local date-times, an end time alone on the start's date, dates alone for an all-day event", () => {
    expect(moveBody({ startDate: "2030-04-03", startTime: "10:00", endDate: "2030-04-03", endTime: "12:00" }, false)).toEqual({ startsAt: "2030-04-03T10:00", endsAt: "2030-04-03T12:00" });
    expect(moveBody({ startDate: "2030-04-03", startTime: "10:00", endDate: "", endTime: "12:00" }, false)).toEqual({ startsAt: "2030-04-03T10:00", endsAt: "2030-04-03T12:00" });
    expect(moveBody({ startDate: "2030-04-03", startTime: "10:00", endDate: "", endTime: "" }, false)).toEqual({ startsAt: "2030-04-03T10:00" });
    expect(moveBody({ startDate: "2030-04-03", startTime: "", endDate: "2030-04-04", endTime: "" }, true)).toEqual({ startsAt: "2030-04-03", endsAt: "2030-04-04" });
  });

  it("sends the place or the link that differ from the series, gives back what equals it, nothing when there is nothing to change", () => {
    const e = makeEvent({ onlineUrl: "https://meet.example.org/a" });
    const planned = { date: "2030-04-09", originalStart: e.startsAt, startsAt: e.startsAt, endsAt: e.endsAt, cancelled: false, moved: false, exception: undefined };
    const same = placeOf(e, undefined);
    expect(placeBody(same, e, planned)).toBeUndefined();
    expect(placeBody(readPlace({ ...same, placeName: "Bourse du travail", street: "", postalCode: "" }), e, planned)).toEqual({
      location: { name: "Bourse du travail", locality: "Paris", country: "FR" },
      onlineUrl: null,
    });
    expect(placeBody({ ...same, onlineUrl: "https://meet.example.org/b" }, e, planned)).toEqual({ location: null, onlineUrl: "https://meet.example.org/b" });
    // Emptied fields are not a place: the series' place stays.
    expect(placeBody({ ...same, placeName: "", street: "", locality: "" }, e, planned)).toBeUndefined();
    // An occurrence held elsewhere, its form set back to the series' place with a new link: the place given back.
    const elsewhere = { ...planned, exception: { date: "2030-04-09", cancelled: false, location: { name: "Bourse du travail" }, version: 1 } };
    expect(placeBody({ ...same, onlineUrl: "https://meet.example.org/b" }, e, elsewhere)).toEqual({ location: null, onlineUrl: "https://meet.example.org/b" });
    expect(placeBody(same, e, elsewhere)).toEqual({ location: null, onlineUrl: null });
  });

  it("leaves empty notes out", () => {
    expect(reasonBody({ fr: " Grève ", de: "" })).toEqual({ fr: "Grève" });
    expect(reasonBody({ fr: " " })).toBeUndefined();
  });

  it("splits at the times given on the first date, an event over two days keeping its two days", () => {
    const e = makeEvent({ startsAt: instant("2030-03-12T21:00:00Z"), endsAt: instant("2030-03-13T05:00:00Z"), onlineUrl: undefined });
    const v = splitOf(e, "2030-04-09");
    expect(v).toMatchObject({ from: "2030-04-09", startTime: "22:00", endTime: "06:00", placeName: "Place de la République" });
    expect(splitBody({ ...v, startTime: "23:00" }, e)).toMatchObject({ from: "2030-04-09", startsAt: "2030-04-09T23:00", endsAt: "2030-04-10T06:00", onlineUrl: null });
    expect(splitBody(splitOf(makeEvent({ allDay: true }), "2030-04-09"), makeEvent({ allDay: true }))).not.toHaveProperty("startsAt");
  });
});
