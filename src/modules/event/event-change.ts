import type { Translate } from "../../shared/i18n.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import { eventWording } from "./event-summary.ts";
import type { EventData, Place } from "./event.types.ts";

/** What changed between two versions of an event, in the terms people care about. */
export interface EventChange {
  /** Start, end, all-day flag or recurrence rule (a new zone for the same instants is not a new time). */
  readonly time: boolean;
  /** The address or the online link (refined coordinates alone are not a new place). */
  readonly place: boolean;
  readonly status: boolean;
  /** Name, one-line summary, description or status reason. */
  readonly text: boolean;
}

const placeFields = ["name", "streetAddress", "postalCode", "locality", "region", "country"] as const;

function samePlace(a: Place | undefined, b: Place | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return placeFields.every((f) => (a[f] ?? "") === (b[f] ?? ""));
}

function sameMap(a: LanguageMap | undefined, b: LanguageMap | undefined): boolean {
  const ea = Object.entries(a ?? {});
  const mb = b ?? {};
  return ea.length === Object.keys(mb).length && ea.every(([lang, text]) => mb[lang] === text);
}

function sameInstant(a: Temporal.Instant | undefined, b: Temporal.Instant | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

export function describeChanges(before: EventData, after: EventData): EventChange {
  return {
    time:
      !sameInstant(before.startsAt, after.startsAt) ||
      !sameInstant(before.endsAt, after.endsAt) ||
      before.allDay !== after.allDay ||
      JSON.stringify(before.recurrence ?? null) !== JSON.stringify(after.recurrence ?? null),
    place: !samePlace(before.location, after.location) || before.onlineUrl !== after.onlineUrl,
    status: before.status !== after.status,
    text:
      !sameMap(before.name, after.name) ||
      !sameMap(before.summary, after.summary) ||
      !sameMap(before.description, after.description) ||
      !sameMap(before.statusReason, after.statusReason),
  };
}

/** Whether the change is one people care about: it raises the iCal SEQUENCE and gets a new Update id. */
export function bumpsSequence(change: EventChange): boolean {
  return change.time || change.place || change.status || change.text;
}

/**
 * The short note sent besides `Update(Event)` so that followers notice (Mastodon shows no update of an
 * Event), in `language`, as plain text without the link (the Note builder adds it):
 *
 *     Annulé : Marche pour le climat — dimanche 8 mars 2026, 14:00 (heure de Paris)
 *     Raison : interdiction préfectorale
 *
 *     Marche pour le climat
 *     Nouvel horaire : dimanche 8 mars 2026, 15:00 (heure de Paris)
 *     Nouveau lieu : Place des Terreaux, Lyon
 *
 * Undefined when nothing worth a note changed (only text, or time and place of an event that is off).
 * `t` is the translator the composition root gives.
 */
export function changeNoteWriter(t: Translate): (change: EventChange, event: EventData, language: string) => string | undefined {
  const { formatEventWhen, formatEventWhere } = eventWording(t);
  return function changeNoteText(change: EventChange, event: EventData, language: string): string | undefined {
    const name = pickLanguage(event.name, [language], language)?.text ?? "";
    const when = formatEventWhen(event, language);
    const where = formatEventWhere(event, language);
    const lines: string[] = [];
    if (change.status) {
      lines.push(t(language, `event:change.${event.status}`, { name, when }));
      const reason = event.statusReason && pickLanguage(event.statusReason, [language], language)?.text;
      if (event.status !== "scheduled" && reason) lines.push(t(language, "event:change.reason", { reason }));
      if (event.status !== "scheduled") return lines.join("\n");
    } else if (event.status !== "scheduled" || !(change.time || change.place)) {
      return undefined;
    } else {
      lines.push(name);
      if (change.time) lines.push(t(language, "event:change.time", { when }));
    }
    if (change.place && where !== undefined) lines.push(t(language, "event:change.place", { where }));
    return lines.join("\n");
  };
}
