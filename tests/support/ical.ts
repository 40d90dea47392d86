// Shared by the iCal tests: a realistic event, and the two independent parsers (ical.js, python-icalendar).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import ICAL from "ical.js";
import type { PublishedEvent } from "../../src/modules/event/event.types.ts";

export function instant(iso: string): Temporal.Instant {
  return Temporal.Instant.from(iso);
}

export function makeEvent(overrides: Partial<PublishedEvent> & { slug?: string } = {}): PublishedEvent {
  const { slug = "demo", ...rest } = overrides;
  return {
    id: slug,
    apId: new URL(`https://relais.example/events/${slug}`),
    organizer: {
      apId: new URL("https://relais.example/c/velo"),
      slug: "velo",
      primaryLanguage: "fr",
      name: { fr: "Vélorution" },
    },
    sequence: 0,
    publishedAt: instant("2025-01-10T09:00:00Z"),
    updatedAt: instant("2025-01-12T10:30:00Z"),
    name: { fr: "Manifestation à vélo", de: "Fahrraddemo" },
    description: { fr: "<p>Départ place de la République.</p>", de: "<p>Start am Platz.</p>" },
    startsAt: instant("2025-03-15T13:00:00Z"),
    endsAt: instant("2025-03-15T16:00:00Z"),
    timezone: "Europe/Paris",
    allDay: false,
    location: {
      name: "Place de la République",
      streetAddress: "Place de la République",
      postalCode: "75003",
      locality: "Paris",
      country: "FR",
      latitude: 48.8675,
      longitude: 2.3634,
    },
    category: "MOVEMENTS_POLITICS",
    tags: ["velo", "climat"],
    status: "scheduled",
    links: [],
    visibility: "public",
    ...rest,
  };
}

/** Parses with ical.js: TZIDs resolve against the VTIMEZONEs of this very feed (ical.js has no tz data of its own). */
export function parseWithIcalJs(feed: string): { calendar: ICAL.Component; events: ICAL.Event[] } {
  const calendar = new ICAL.Component(ICAL.parse(feed));
  return { calendar, events: calendar.getAllSubcomponents("vevent").map((vevent) => new ICAL.Event(vevent)) };
}

/** The UTC instant ical.js computes for a DTSTART/DTEND (from the feed's VTIMEZONE). */
export function icalJsInstant(time: ICAL.Time): string {
  return new Date(time.toUnixTime() * 1000).toISOString();
}

export interface PythonInstant {
  kind: "date" | "date-time";
  local: string;
  tzid: string | null;
  utc?: string | null;
  utc_from_vtimezone?: string;
}

export interface PythonEvent {
  uid: string;
  sequence: number | null;
  status: string | null;
  summary: string | null;
  summary_language: string | null;
  description: string | null;
  location: string | null;
  geo: [number, number] | null;
  url: string | null;
  categories: string[];
  dtstamp: string | null;
  last_modified: string | null;
  created: string | null;
  dtstart: PythonInstant | null;
  dtend: PythonInstant | null;
}

export interface PythonCalendar {
  prodid: string | null;
  name: string | null;
  name_language: string | null;
  x_wr_calname: string | null;
  url: string | null;
  refresh_interval: string | null;
  published_ttl: string | null;
  timezones: string[];
  events: PythonEvent[];
}

const script = fileURLToPath(new URL("./python-icalendar-parse.py", import.meta.url));

/**
 * Parses with Debian's python3-icalendar through /usr/bin/python3 (a python3 on PATH may be a pyenv one
 * without the module). Fails with the install command when the module is missing.
 */
export function parseWithPython(feed: string): Promise<PythonCalendar> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/python3", [script], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        const missing = stderr.includes("No module named 'icalendar'") || (error as NodeJS.ErrnoException).code === "ENOENT";
        const hint = missing ? " (install it with: apt-get install -y python3-icalendar)" : "";
        reject(new Error(`python-icalendar could not parse the feed${hint}: ${stderr || error.message}`));
        return;
      }
      resolve(JSON.parse(stdout) as PythonCalendar);
    });
    child.stdin?.end(Buffer.from(feed, "utf8"));
  });
}

/** The UTC ISO string python prints (`2025-03-30T00:30:00+00:00`) in JavaScript's form. */
export function pythonUtc(iso: string | null | undefined): string | undefined {
  return iso === null || iso === undefined ? undefined : new Date(iso).toISOString();
}

export interface PythonOccurrence {
  uid: string;
  /** Where the rule puts it (UTC ISO, python's form). */
  recurrence_id: string;
  start: string;
  end: string | null;
  /** The wall time of the rule's occurrence in DTSTART's zone. */
  local_start: string;
  status: string;
  location: string;
  override: boolean;
  /** Listed in EXDATE. */
  excluded?: boolean;
}

const expandScript = fileURLToPath(new URL("./python-icalendar-expand.py", import.meta.url));

/** The occurrences of every recurring VEVENT, expanded with python-icalendar and dateutil (see the script). */
export function expandWithPython(feed: string, limit = 200): Promise<PythonOccurrence[]> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/python3", [expandScript, String(limit)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`python-icalendar could not expand the feed (apt-get install -y python3-icalendar): ${stderr || error.message}`));
        return;
      }
      resolve(JSON.parse(stdout) as PythonOccurrence[]);
    });
    child.stdin?.end(Buffer.from(feed, "utf8"));
  });
}

export interface IcalJsOccurrence {
  uid: string;
  recurrenceId: string;
  start: string;
  end: string;
  status: string | null;
  location: string | null;
}

/**
 * The occurrences of every recurring VEVENT as ical.js expands them (RRULE and EXDATE by its iterator,
 * overrides related to their master by RECURRENCE-ID), at most `limit` per series.
 */
export function expandWithIcalJs(feed: string, limit = 200): IcalJsOccurrence[] {
  const { events } = parseWithIcalJs(feed);
  const masters = events.filter((e) => !e.isRecurrenceException() && e.isRecurring());
  for (const e of events) if (e.isRecurrenceException()) masters.find((m) => m.uid === e.uid)?.relateException(e);
  const out: IcalJsOccurrence[] = [];
  for (const master of masters) {
    const it = master.iterator();
    for (let next = it.next(), n = 0; next && n < limit; next = it.next(), n++) {
      const d = master.getOccurrenceDetails(next);
      out.push({
        uid: master.uid,
        recurrenceId: icalJsInstant(d.recurrenceId),
        start: icalJsInstant(d.startDate),
        end: icalJsInstant(d.endDate),
        status: (d.item.component.getFirstPropertyValue("status") as string | null) ?? null,
        location: d.item.location ?? null,
      });
    }
  }
  return out;
}
