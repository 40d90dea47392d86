import { describe, expect, it } from "vitest";
import { createTranslator } from "../../shared/i18n.ts";
import { callWording, summaryLimit } from "./call-wording.ts";

const wording = callWording(createTranslator());
const call = {
  title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle", nl: "Stop de algoritmische controle", en: "Stop algorithmic control" },
  status: "open" as const,
  deadline: Temporal.Instant.from("2027-03-01T22:59:00Z"),
  timezone: "Europe/Paris",
  events: [{ startsAt: Temporal.Instant.from("2027-03-08T13:00:00Z"), timezone: "Europe/Paris", allDay: false }],
  version: 3,
};

describe("call wording", () => {
  it("puts the day of action and the deadline in every language of the call into Mastodon's summary", () => {
    const summary = wording.mastodonSummary(call, "fr");
    expect(summary.length).toBeLessThanOrEqual(summaryLimit);
    expect(summary).toMatch(/^Appel · Journée d'action lundi 8 mars 2027 · signatures jusqu'au 1 mars 2027 à 23:59/);
    expect(summary).toContain("DE: Aktionstag Montag, 8. März 2027 · unterzeichnen bis 1. März 2027 um 23:59");
    expect(summary).toContain("NL: Actiedag maandag 8 maart 2027");
    expect(summary).toContain("EN: Day of action Monday, March 8, 2027 · sign by March 1, 2027");
  });

  it("says the status of a closed or withdrawn call, without a deadline any more", () => {
    const summary = wording.mastodonSummary({ ...call, status: "closed" }, "de");
    expect(summary.split("\n")[0]).toBe("Unterzeichnung beendet · Aktionstag Montag, 8. März 2027");
  });

  it("stays within 500 characters however many languages", () => {
    const title = Object.fromEntries(["fr", "de", "nl", "en", "es", "it", "pt", "pl", "cs", "sv", "da", "fi", "el", "ro", "hu", "bg", "sk", "sl", "hr", "lt"].map((l) => [l, "x"]));
    const summary = wording.mastodonSummary({ ...call, title }, "fr");
    expect(summary.length).toBeLessThanOrEqual(summaryLimit);
    expect(summary.split("\n").length).toBeGreaterThan(4);
  });

  it("words change notes in each language of the call", () => {
    const note = wording.changeNote(["text", "deadline"], call, "fr");
    expect(Object.keys(note)).toEqual(["fr", "de", "nl", "en"]);
    expect(note.fr).toBe("Nouvelle version (3) de l'appel « Stop au contrôle algorithmique »\nSignatures jusqu'au 1 mars 2027 à 23:59");
    expect(note.de?.split("\n")[0]).toBe("Neue Fassung (3) des Aufrufs „Schluss mit der Algorithmen-Kontrolle“");
    expect(wording.changeNote(["withdrawn"], call, "fr").en).toBe("Withdrawn: the call “Stop algorithmic control”");
  });
});
