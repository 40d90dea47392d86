// A recurring event in words, in the page's language (docs/adr/0027): "every Tuesday, 14:00–17:00,
// until 30 June". The rule's parts come from the locales (web:series.*); weekday names, lists, dates
// and times from Intl, in the event's zone.
import type { PublishedEvent } from "../modules/event/event.types.ts";
import { weekdays } from "../modules/event/recurrence.ts";
import { t } from "../shared/i18n.ts";
import { dateTimeFormat } from "../shared/intl-cache.ts";

/** A Monday: weekday names are read from the week that follows it. */
const aMonday = Date.UTC(2024, 0, 1, 12);

function weekdayName(day: string, lang: string): string {
  return dateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(aMonday + weekdays.indexOf(day as (typeof weekdays)[number]) * 86_400_000);
}

function timeOfDay(i: Temporal.Instant, lang: string, timeZone: string): string {
  return dateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(i.epochMilliseconds);
}

const pluralRules = new Map<string, Intl.PluralRules>();

function ordinalRules(lang: string): Intl.PluralRules {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang, { type: "ordinal" });
    pluralRules.set(lang, rules);
  }
  return rules;
}

export function describeSeries(e: PublishedEvent, lang: string): string | undefined {
  const rule = e.recurrence;
  if (!rule) return undefined;
  const start = e.startsAt.toZonedDateTimeISO(e.timezone);
  const parts: string[] = [];
  if (rule.frequency === "weekly") {
    // Every week: the bare names ("chaque mardi"); every N weeks, as the language says a day then ("le lundi et le jeudi").
    const names = (rule.weekdays ?? [weekdays[start.dayOfWeek - 1]!]).map((d) => (rule.interval > 1 ? t(lang, "web:series.dayOn", { day: weekdayName(d, lang) }) : weekdayName(d, lang)));
    const days = new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
    const key = rule.interval === 1 ? "weekly" : rule.interval === 2 ? "weeklyOther" : "weeklyInterval";
    parts.push(t(lang, `web:series.${key}`, { days, count: rule.interval }));
  } else if (rule.weekdayOfMonth) {
    const ordinal = t(lang, `web:series.ordinal_${rule.weekdayOfMonth.ordinal}`);
    const key = rule.interval > 1 ? "monthWeekdayInterval" : "monthWeekday";
    parts.push(t(lang, `web:series.${key}`, { ordinal, day: weekdayName(rule.weekdayOfMonth.weekday, lang), count: rule.interval }));
  } else if ((rule.monthDay ?? start.day) === -1) {
    parts.push(t(lang, "web:series.monthLastDay"));
  } else {
    // "15th", "1er": the day as an ordinal by the language's plural rules (German and Dutch add their mark in the sentence).
    const n = rule.monthDay ?? start.day;
    const day = t(lang, `web:series.dayOrdinal.${ordinalRules(lang).select(n)}`, { n });
    parts.push(rule.interval > 1 ? t(lang, "web:series.monthDayInterval", { day, count: rule.interval }) : t(lang, "web:series.monthDay", { day }));
  }
  if (!e.allDay) {
    const from = timeOfDay(e.startsAt, lang, e.timezone);
    parts.push(e.endsAt ? `${from}–${timeOfDay(e.endsAt, lang, e.timezone)}` : from);
  }
  if (rule.until) {
    const until = Temporal.PlainDate.from(rule.until);
    const withYear = until.year !== start.year;
    const format = dateTimeFormat(lang, { day: "numeric", month: "long", ...(withYear ? { year: "numeric" } : {}), timeZone: "UTC" });
    // The day as the language writes it in a date ("1er décembre"), by its ordinal plural rules.
    const text = format
      .formatToParts(Date.UTC(until.year, until.month - 1, until.day, 12))
      .map((p) => (p.type === "day" ? t(lang, `web:series.dateDay.${ordinalRules(lang).select(until.day)}`, { n: until.day }) : p.value))
      .join("");
    parts.push(t(lang, "web:series.until", { date: text }));
  } else if (rule.count) {
    parts.push(t(lang, "web:series.count", { count: rule.count }));
  }
  const text = parts.join(", ");
  return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);
}
