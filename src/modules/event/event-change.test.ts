import { describe, expect, it } from "vitest";
import { createTranslator } from "../../shared/i18n.ts";
import { bumpsSequence, changeNoteWriter, describeChanges, type EventChange } from "./event-change.ts";
import type { EventData } from "./event.types.ts";

const changeNoteText = changeNoteWriter(createTranslator());

const before: EventData = {
  name: { fr: "Marche pour le climat", de: "Klimamarsch" },
  summary: { fr: "Tous dans la rue" },
  startsAt: Temporal.Instant.from("2026-03-08T13:00:00Z"),
  endsAt: Temporal.Instant.from("2026-03-08T16:00:00Z"),
  timezone: "Europe/Paris",
  allDay: false,
  location: { name: "Place Bellecour", locality: "Lyon", country: "FR", latitude: 45.7578, longitude: 4.832 },
  tags: ["climat"],
  status: "scheduled",
  links: [],
  visibility: "public",
};

const nothing: EventChange = { time: false, place: false, status: false, text: false };

describe("describeChanges", () => {
  it("sees no change in an identical copy or in fields people do not act on", () => {
    const same = { ...before, location: { ...before.location, latitude: 45.75781 }, tags: ["climat", "lyon"] };
    expect(describeChanges(before, same)).toEqual(nothing);
    expect(describeChanges(before, { ...before, timezone: "Europe/Brussels" })).toEqual(nothing);
    expect(bumpsSequence(nothing)).toBe(false);
  });

  it("tells time, place, status and text apart", () => {
    expect(describeChanges(before, { ...before, startsAt: Temporal.Instant.from("2026-03-08T14:00:00Z") })).toEqual({
      ...nothing,
      time: true,
    });
    expect(describeChanges(before, { ...before, endsAt: undefined }).time).toBe(true);
    expect(describeChanges(before, { ...before, allDay: true }).time).toBe(true);
    expect(describeChanges(before, { ...before, location: { name: "Place des Terreaux", locality: "Lyon" } })).toEqual({
      ...nothing,
      place: true,
    });
    expect(describeChanges(before, { ...before, onlineUrl: "https://meet.example/r" }).place).toBe(true);
    expect(describeChanges(before, { ...before, status: "cancelled" })).toEqual({ ...nothing, status: true });
    expect(describeChanges(before, { ...before, name: { fr: "Marche pour le climat" } })).toEqual({ ...nothing, text: true });
    expect(describeChanges(before, { ...before, description: { fr: "<p>Détails</p>" } }).text).toBe(true);
    expect(bumpsSequence({ ...nothing, text: true })).toBe(true);
  });
});

describe("changeNoteText", () => {
  it("announces a cancellation with its reason, in the collective's language", () => {
    const after: EventData = { ...before, status: "cancelled", statusReason: { fr: "Interdiction préfectorale" } };
    expect(changeNoteText(describeChanges(before, after), after, "fr")).toBe(
      "Annulé\u00a0: Marche pour le climat — dimanche 8 mars 2026, 14:00 (heure de Paris)\nRaison\u00a0: Interdiction préfectorale",
    );
    expect(changeNoteText(describeChanges(before, after), after, "de")).toBe(
      "Abgesagt: Klimamarsch — Sonntag, 8. März 2026, 14:00 Uhr (Ortszeit Paris)\nGrund: Interdiction préfectorale",
    );
  });

  it("announces a new time and a new place", () => {
    const after: EventData = {
      ...before,
      startsAt: Temporal.Instant.from("2026-03-08T14:00:00Z"),
      location: { name: "Place des Terreaux", locality: "Lyon" },
    };
    expect(changeNoteText(describeChanges(before, after), after, "fr")).toBe(
      "Marche pour le climat\nNouvel horaire\u00a0: dimanche 8 mars 2026, 15:00 (heure de Paris)\nNouveau lieu\u00a0: Place des Terreaux, Lyon",
    );
    const onlyPlace = { ...before, location: undefined, onlineUrl: "https://meet.example/r" };
    expect(changeNoteText(describeChanges(before, onlyPlace), onlyPlace, "en")).toBe(
      "Marche pour le climat\nNew place: online",
    );
  });

  it("announces a postponement, and an event back on with its time", () => {
    const postponed: EventData = { ...before, status: "postponed" };
    expect(changeNoteText(describeChanges(before, postponed), postponed, "nl")).toBe("Uitgesteld: Marche pour le climat");
    const backOn: EventData = { ...before, startsAt: Temporal.Instant.from("2026-04-12T12:00:00Z"), endsAt: undefined };
    expect(changeNoteText(describeChanges(postponed, backOn), backOn, "fr")).toBe(
      "Rétabli\u00a0: Marche pour le climat — dimanche 12 avril 2026, 14:00 (heure de Paris)",
    );
  });

  it("has nothing to say for text-only changes, or for moving an event that is off", () => {
    const renamed = { ...before, name: { fr: "Grande marche" } };
    expect(changeNoteText(describeChanges(before, renamed), renamed, "fr")).toBeUndefined();
    const off: EventData = { ...before, status: "cancelled" };
    const moved = { ...off, location: { name: "Ailleurs", locality: "Lyon" } };
    expect(changeNoteText(describeChanges(off, moved), moved, "fr")).toBeUndefined();
  });
});
