/**
 * Event times as organisers give them, turned into what we store: instants plus the IANA zone the
 * event was planned in (STYLE §12).
 *
 * Local times that do not exist (the hour skipped when clocks go forward, e.g. 02:30 on 2026-03-29 in
 * Europe/Paris): a time written WITHOUT offset ("2026-03-29T02:30") is refused with a message proposing
 * the shifted time (03:30) — guessing could move a meeting by an hour unnoticed. A time WITH an offset
 * ("2026-03-29T02:30:00+01:00") names one instant (01:30 UTC) and is kept: Paris clocks read 03:30 then,
 * and pages say so. A local time that occurs twice (clocks going back) means its first occurrence.
 */

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?<offset>[Zz]|[+-]\d{2}:?\d{2})?$/;
const zoneName = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const yearRange = [1900, 2200] as const;

/** The IANA name as Temporal spells it ("europe/paris" → "Europe/Paris"); undefined for unknown zones and bare offsets. */
export function canonicalTimezone(value: string): string | undefined {
  if (!zoneName.test(value)) return undefined;
  try {
    const id = Temporal.Now.zonedDateTimeISO(value).timeZoneId;
    new Intl.DateTimeFormat("en", { timeZone: id });
    return id;
  } catch {
    return undefined;
  }
}

/**
 * A start or end as the API takes it: "2026-03-08T14:00:00+01:00" (that instant), "2026-03-08T14:00"
 * (wall-clock time in `timezone`) or, for all-day events, "2026-03-08". All-day values are reduced to
 * the start of their local day.
 */
export function parseEventTime(value: string, timezone: string, allDay: boolean): Temporal.Instant | string {
  const example = allDay ? '"2026-03-08"' : '"2026-03-08T14:00:00+01:00" or "2026-03-08T14:00"';
  let instant: Temporal.Instant;
  try {
    const match = dateTime.exec(value);
    if (dateOnly.test(value)) {
      if (!allDay) return `"${value}" has no time: add one ("${value}T14:00") or set "allDay": true`;
      instant = Temporal.PlainDate.from(value, { overflow: "reject" }).toZonedDateTime({ timeZone: timezone }).toInstant();
    } else if (match === null) {
      return `"${value}" is not a date and time; write it like ${example}`;
    } else if (match.groups?.offset !== undefined) {
      instant = Temporal.Instant.from(value);
    } else {
      const local = Temporal.PlainDateTime.from(value, { overflow: "reject" });
      const zoned = local.toZonedDateTime(timezone, { disambiguation: "compatible" });
      if (!allDay && !zoned.toPlainDateTime().equals(local)) {
        const shifted = zoned.toPlainTime().toString({ smallestUnit: "minute" });
        return (
          `${local.toString({ smallestUnit: "minute" })} does not exist in ${timezone}: the clocks are put forward ` +
          `that night. Choose a time that exists, such as ${shifted}, or give the offset explicitly`
        );
      }
      instant = zoned.toInstant();
    }
  } catch {
    return `"${value}" is not a valid date; write it like ${example}`;
  }
  const zoned = instant.toZonedDateTimeISO(timezone);
  if (zoned.year < yearRange[0] || zoned.year > yearRange[1]) {
    return `the year must be between ${yearRange[0]} and ${yearRange[1]}`;
  }
  return allDay ? zoned.startOfDay().toInstant() : instant;
}

/** Until collectives carry their own zone: the usual zone of the primary language's main country. */
export function defaultZoneFor(language: string): string {
  switch (language.split("-")[0]) {
    case "fr":
      return "Europe/Paris";
    case "de":
      return "Europe/Berlin";
    case "nl":
      return "Europe/Amsterdam";
    default:
      return "Europe/Brussels";
  }
}
