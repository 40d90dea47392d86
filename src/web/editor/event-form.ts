// The event form as plain values, and the conversions form → API body → form. The form speaks in
// fields a person fills (date, time, place name); the service speaks the API's body. Problems the
// service finds are mapped back onto the form's fields, with messages in the editor's language.
import type { EventView } from "../../modules/event/event.service.ts";
import type { FieldProblem } from "../../shared/errors.ts";
import { t } from "../../shared/i18n.ts";
import { canonicalLanguage } from "../../shared/language.ts";
import { storedMediaType } from "../../modules/media/media.service.ts";
import { type RecurrenceRule, weekdays } from "../../modules/event/recurrence.ts";

export interface EventFormValues {
  /** Languages of the text, the collective's primary language first. */
  readonly languages: readonly string[];
  readonly name: Readonly<Record<string, string>>;
  readonly summary: Readonly<Record<string, string>>;
  readonly description: Readonly<Record<string, string>>;
  readonly startDate: string;
  readonly startTime: string;
  readonly endDate: string;
  readonly endTime: string;
  readonly allDay: boolean;
  readonly timezone: string;
  readonly placeName: string;
  readonly street: string;
  readonly postalCode: string;
  readonly locality: string;
  readonly country: string;
  readonly onlineUrl: string;
  readonly category: string;
  readonly tags: string;
  /** The stored name of the event's image (an upload of ours), or "" for none. */
  readonly image: string;
  /** The image's description per language. */
  readonly imageAlt: Readonly<Record<string, string>>;
  /** Repetition (docs/adr/0027): "" (none), weekly, monthly on the start's day, monthly on the start's nth weekday. */
  readonly repeat: "" | "weekly" | "monthlyDay" | "monthlyWeekday";
  readonly repeatInterval: string;
  /** Weekly: MO…SU. */
  readonly repeatDays: readonly string[];
  readonly repeatUntil: string;
  readonly repeatCount: string;
}

const repeats = ["", "weekly", "monthlyDay", "monthlyWeekday"] as const;
const list = (body: Record<string, unknown>, key: string): string[] => {
  const v = body[key];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string" && x !== "");
};

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === "string" ? (body[key] as string) : "");

/** The values of a submitted form (whatever was typed, valid or not: nothing is lost). */
export function readForm(body: Record<string, unknown>, primaryLanguage: string): EventFormValues {
  const listed = str(body, "languages").split(",").map((l) => canonicalLanguage(l.trim())).filter((l): l is string => l !== undefined);
  const languages = [...new Set([primaryLanguage, ...listed])].slice(0, 20);
  const perLanguage = (field: string) => Object.fromEntries(languages.map((l) => [l, str(body, `${field}.${l}`)]));
  return {
    languages,
    name: perLanguage("name"),
    summary: perLanguage("summary"),
    description: perLanguage("description"),
    startDate: str(body, "startDate").trim(),
    startTime: str(body, "startTime").trim(),
    endDate: str(body, "endDate").trim(),
    endTime: str(body, "endTime").trim(),
    allDay: body.allDay === "1",
    timezone: str(body, "timezone").trim(),
    placeName: str(body, "placeName"),
    street: str(body, "street"),
    postalCode: str(body, "postalCode"),
    locality: str(body, "locality"),
    country: str(body, "country").trim(),
    onlineUrl: str(body, "onlineUrl").trim(),
    category: str(body, "category").trim(),
    tags: str(body, "tags"),
    image: body.removeImage === "1" || !storedMediaType(str(body, "image")) ? "" : str(body, "image"),
    imageAlt: perLanguage("imageAlt"),
    repeat: (repeats as readonly string[]).includes(str(body, "repeat")) ? (str(body, "repeat") as EventFormValues["repeat"]) : "",
    repeatInterval: str(body, "repeatInterval").trim(),
    repeatDays: list(body, "repeatDays"),
    repeatUntil: str(body, "repeatUntil").trim(),
    repeatCount: str(body, "repeatCount").trim(),
  };
}

/** An empty form for a new event of a collective. */
export function blankForm(primaryLanguage: string, timezone: string): EventFormValues {
  return {
    languages: [primaryLanguage],
    name: {},
    summary: {},
    description: {},
    startDate: "",
    startTime: "",
    endDate: "",
    endTime: "",
    allDay: false,
    timezone,
    placeName: "",
    street: "",
    postalCode: "",
    locality: "",
    country: "",
    onlineUrl: "",
    category: "",
    tags: "",
    image: "",
    imageAlt: {},
    repeat: "",
    repeatInterval: "1",
    repeatDays: [],
    repeatUntil: "",
    repeatCount: "",
  };
}

/** The form of a stored event; `mediaName` tells the name of one of our images from its URL. */
export function formOf(view: EventView, mediaName: (url: string) => string | undefined): EventFormValues {
  const e = view.event;
  const local = (i: Temporal.Instant | undefined) => i?.toZonedDateTimeISO(e.timezone);
  const start = local(e.startsAt);
  const end = local(e.endsAt);
  const hhmm = (d: Temporal.ZonedDateTime | undefined) => (d ? d.toPlainTime().toString({ smallestUnit: "minute" }) : "");
  const languages = [...new Set([e.organizer.primaryLanguage, ...Object.keys(e.name), ...Object.keys(e.summary ?? {}), ...Object.keys(e.description ?? {})])];
  return {
    languages,
    name: { ...e.name },
    summary: { ...(e.summary ?? {}) },
    description: { ...(e.descriptionSource ?? {}) },
    startDate: start?.toPlainDate().toString() ?? "",
    startTime: e.allDay ? "" : hhmm(start),
    endDate: end?.toPlainDate().toString() ?? "",
    endTime: e.allDay ? "" : hhmm(end),
    allDay: e.allDay,
    timezone: e.timezone,
    placeName: e.location?.name ?? "",
    street: e.location?.streetAddress ?? "",
    postalCode: e.location?.postalCode ?? "",
    locality: e.location?.locality ?? "",
    country: e.location?.country ?? "",
    onlineUrl: e.onlineUrl ?? "",
    category: e.category ?? "",
    tags: e.tags.map((tag) => `#${tag}`).join(" "),
    image: (e.image && mediaName(e.image.url)) ?? "",
    imageAlt: { ...(e.image?.alt ?? {}) },
    ...repeatOf(e.recurrence),
  };
}

function repeatOf(r: RecurrenceRule | undefined): Pick<EventFormValues, "repeat" | "repeatInterval" | "repeatDays" | "repeatUntil" | "repeatCount"> {
  if (!r) return { repeat: "", repeatInterval: "1", repeatDays: [], repeatUntil: "", repeatCount: "" };
  return {
    repeat: r.frequency === "weekly" ? "weekly" : r.weekdayOfMonth ? "monthlyWeekday" : "monthlyDay",
    repeatInterval: String(r.interval),
    repeatDays: [...(r.weekdays ?? [])],
    repeatUntil: r.until ?? "",
    repeatCount: r.count === undefined ? "" : String(r.count),
  };
}

/** The rule of the form's repetition, read against its start date (the service checks it). */
function recurrenceOf(v: EventFormValues): Record<string, unknown> | null {
  if (v.repeat === "") return null;
  const number = (x: string) => (/^\d+$/.test(x) ? Number(x) : x === "" ? undefined : x);
  const rule: Record<string, unknown> = { frequency: v.repeat === "weekly" ? "weekly" : "monthly", interval: number(v.repeatInterval) ?? 1 };
  let start: Temporal.PlainDate | undefined;
  try {
    start = v.startDate === "" ? undefined : Temporal.PlainDate.from(v.startDate);
  } catch {
    start = undefined;
  }
  if (v.repeat === "weekly" && v.repeatDays.length > 0) rule.weekdays = v.repeatDays;
  if (v.repeat === "monthlyWeekday" && start) {
    const nth = Math.ceil(start.day / 7);
    rule.weekdayOfMonth = { ordinal: nth > 4 ? -1 : nth, weekday: weekdays[start.dayOfWeek - 1] };
  }
  if (v.repeat === "monthlyDay" && start) rule.monthDay = start.day;
  if (v.repeatUntil !== "") rule.until = v.repeatUntil;
  if (v.repeatCount !== "") rule.count = number(v.repeatCount);
  return rule;
}

const nonEmpty = (map: Readonly<Record<string, string>>) => {
  const entries = Object.entries(map).filter(([, v]) => v.trim() !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : null;
};

/** The API body of a form (the service validates it); `null` clears what the form left empty. */
export function bodyOf(v: EventFormValues, mediaUrl: (name: string) => URL): Record<string, unknown> {
  const time = (date: string, hm: string) => (date === "" ? undefined : v.allDay || hm === "" ? date : `${date}T${hm}`);
  const place = { name: v.placeName.trim(), streetAddress: v.street.trim(), postalCode: v.postalCode.trim(), locality: v.locality.trim(), country: v.country };
  const hasPlace = place.name || place.streetAddress || place.locality;
  return {
    name: nonEmpty(v.name) ?? {},
    summary: nonEmpty(v.summary),
    description: nonEmpty(v.description),
    ...(time(v.startDate, v.startTime) ? { startsAt: time(v.startDate, v.startTime) } : {}),
    endsAt: time(v.endDate, v.endTime) ?? null,
    timezone: v.timezone,
    allDay: v.allDay,
    location: hasPlace ? Object.fromEntries(Object.entries(place).filter(([, x]) => x !== "")) : null,
    onlineUrl: v.onlineUrl === "" ? null : v.onlineUrl,
    category: v.category === "" ? null : v.category,
    tags: v.tags.split(/[\s,]+/).map((x) => x.replace(/^#+/, "")).filter(Boolean),
    image: v.image ? { url: mediaUrl(v.image).href, mediaType: storedMediaType(v.image), alt: nonEmpty(pick(v.imageAlt, v.languages)) ?? undefined } : null,
    recurrence: recurrenceOf(v),
  };
}

const pick = (map: Readonly<Record<string, string>>, languages: readonly string[]) => Object.fromEntries(languages.map((l) => [l, map[l] ?? ""]));

/** Problems the API would not see: an image needs its description in every language the event is written in. */
export function imageProblems(v: EventFormValues, lang: string): FieldProblem[] {
  if (!v.image) return [];
  return v.languages
    .filter((l) => (v.name[l] ?? "").trim() !== "" && (v.imageAlt[l] ?? "").trim() === "")
    .map((l) => ({ field: `imageAlt.${l}`, message: t(lang, "editor:event.problem.imageAlt") }));
}

/** Which form field a problem of the API body belongs to. */
export function formFieldOf(apiField: string): string {
  const [head = "", sub] = apiField.split(".");
  switch (head) {
    case "name":
    case "summary":
    case "description":
      return sub ? `${head}.${sub}` : head;
    case "startsAt":
      return "startDate";
    case "endsAt":
      return "endDate";
    case "location":
      return sub === "streetAddress" ? "street" : sub === "postalCode" ? "postalCode" : sub === "locality" ? "locality" : sub === "country" ? "country" : "placeName";
    case "tags":
      return "tags";
    case "recurrence":
      return "repeat";
    case "image":
      return sub === "alt" ? `imageAlt.${apiField.split(".")[2] ?? ""}` : "image";
    default:
      return head;
  }
}

/** The service's problems as the form's, with a message in the editor's language where we have one. */
export function formProblems(problems: readonly FieldProblem[], lang: string, when: { startDate: string }): FieldProblem[] {
  const out = new Map<string, string>();
  for (const p of problems) {
    const field = formFieldOf(p.field);
    if (out.has(field)) continue;
    const base = field.split(".")[0] as string;
    const key = base === "startDate" && when.startDate === "" ? "startMissing" : base;
    out.set(field, t(lang, `editor:event.problem.${key}`, { defaultValue: p.message }));
  }
  return [...out].map(([field, message]) => ({ field, message }));
}
