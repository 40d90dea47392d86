import { z } from "zod";
import { canonicalLanguage, type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { storableMultiline } from "../../shared/plain-text.ts";
import { renderEventMarkdown } from "./event-markdown.ts";
import { canonicalTimezone, parseEventTime } from "./event-time.ts";
import { type EventData, eventCategories, eventStatuses } from "./event.types.ts";
import { mergePatch } from "../../shared/merge-patch.ts";
import { parseRecurrence } from "./recurrence.ts";
import { seriesErrors } from "./recurrence-expand.ts";

/** One problem with a request body: `field` is a dotted path ("location.country", "tags.2"). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A valid request body for a new event: the domain data plus draft/published. */
export interface EventInput extends EventData {
  readonly published: boolean;
}

/** A valid PATCH body: only the fields sent; `null` clears an optional field. */
export type EventPatch = {
  readonly [K in keyof EventInput]?: undefined extends EventInput[K] ? EventInput[K] | null : EventInput[K];
};

export type EventParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export interface EventInputContext {
  /** The zone of times written without one (the collective's; for a PATCH, the event's). */
  readonly defaultTimezone: string;
  /** The collective's primary language: it comes first in every language map. */
  readonly primaryLanguage: string;
  /** PATCH: every field optional, nothing defaulted. */
  readonly partial?: boolean;
  /** PATCH: the stored event, so that checks across fields (end after start, a place or a link) see the result. */
  readonly current?: EventInput;
  /** When given, the image must be served from this origin (an upload of ours): pages make no third-party requests. */
  readonly mediaOrigin?: string;
}

export const eventLimits = {
  name: 200,
  summary: 300,
  description: 20_000,
  statusReason: 500,
  alt: 1_500,
  placeField: 200,
  postalCode: 20,
  url: 2_000,
  tags: 20,
  tag: 60,
  links: 10,
  linkTitle: 200,
  languages: 20,
  contact: 320,
} as const;

/** ISO 3166-1 alpha-2 codes (as in tzdata's iso3166.tab). */
const countryCodes = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO " +
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE " +
    "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO " +
    "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW " +
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM " +
    "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

export function isCountryCode(value: string): boolean {
  return countryCodes.has(value);
}

export const allCountryCodes: readonly string[] = [...countryCodes];

// ---------------------------------------------------------------------------------------------------
// Field schemas. Every schema says, in its message, what is expected.

/** Control characters and runs of spaces become one space: names, summaries and addresses are one line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.toWellFormed().replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
}

const tooLong = (max: number) => (iss: { input?: unknown }) =>
  `must be at most ${max} characters (it has ${String(iss.input).length}); shorten it`;

const lineOf = (max: number, example: string) =>
  z
    .string({ error: `must be text, e.g. "${example}"` })
    .transform(oneLine)
    .pipe(z.string().min(1, "must not be empty").max(max, { error: tooLong(max) }));


const languageMap = (max: number, multiline = false) =>
  z
    .record(z.string(), z.unknown(), {
      error: 'must be an object from language code to text, e.g. {"fr": "…", "de": "…"}',
    })
    .transform((raw, ctx) => {
      const out: Record<string, string> = {};
      const entries = Object.entries(raw);
      if (entries.length > eventLimits.languages) {
        ctx.addIssue({ code: "custom", message: `at most ${eventLimits.languages} languages; remove some` });
      }
      for (const [key, value] of entries) {
        const lang = canonicalLanguage(key);
        const issue = (message: string) => ctx.addIssue({ code: "custom", path: [key], message });
        if (lang === undefined) issue(`"${key}" is not a language code; use one such as fr, de, nl or en`);
        else if (typeof value !== "string") issue("must be text");
        else if (lang in out) issue(`the language ${lang} is given twice; keep one`);
        else {
          // Whatever path it came by (API, editor form, CLI), text that PostgreSQL cannot store is cleaned.
          const text = multiline ? storableMultiline(value).trim() : oneLine(value);
          if (text === "") issue("must not be empty: write the text or remove this language");
          else if (text.length > max) issue(tooLong(max)({ input: text }));
          else out[lang] = text;
        }
      }
      return out as LanguageMap;
    });

function checkHttpUrl(value: string): URL | string {
  if (value.length > eventLimits.url) return `must be at most ${eventLimits.url} characters`;
  if (!URL.canParse(value)) return `"${value}" is not a full URL; write it like https://example.org/page`;
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must start with https:// (not ${url.protocol})`;
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  return url;
}

const httpUrl = z.string({ error: "must be a URL, e.g. https://example.org/page" }).transform((value, ctx) => {
  const url = checkHttpUrl(value.trim());
  if (typeof url === "string") {
    ctx.addIssue({ code: "custom", message: url });
    return z.NEVER;
  }
  return url.href;
});

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const placeShape = {
  name: optional(lineOf(eventLimits.placeField, "Place Bellecour")),
  streetAddress: optional(lineOf(eventLimits.placeField, "10 rue Jangot")),
  postalCode: optional(lineOf(eventLimits.postalCode, "69007")),
  locality: optional(lineOf(eventLimits.placeField, "Lyon")),
  region: optional(lineOf(eventLimits.placeField, "Auvergne-Rhône-Alpes")),
  country: optional(
    z
      .string({ error: 'must be a two-letter ISO country code, e.g. "FR"' })
      .transform((c) => c.trim().toUpperCase())
      .refine(isCountryCode, { error: (iss) => `"${String(iss.input)}" is not an ISO 3166 country code; use e.g. FR, BE, DE, CH, NL or CA` }),
  ),
  latitude: optional(
    z.number({ error: "must be a number of degrees, e.g. 45.7578" }).min(-90, "must be between -90 and 90").max(90, "must be between -90 and 90"),
  ),
  longitude: optional(
    z.number({ error: "must be a number of degrees, e.g. 4.832" }).min(-180, "must be between -180 and 180").max(180, "must be between -180 and 180"),
  ),
};

const placeSchema = z
  .strictObject(
    placeShape,
    { error: 'must be an object such as {"name": "Place Bellecour", "locality": "Lyon", "country": "FR"}' },
  )
  .superRefine((p, ctx) => {
    if (!p.name && !p.streetAddress && !p.locality) {
      ctx.addIssue({ code: "custom", message: "give at least a name, a street address or a locality" });
    }
    if ((p.latitude == null) !== (p.longitude == null)) {
      ctx.addIssue({ code: "custom", path: [p.latitude == null ? "latitude" : "longitude"], message: "give latitude and longitude together, or neither" });
    }
  })
  .transform((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v != null)) as NonNullable<EventData["location"]>);

const imageSchema = z.strictObject(
  {
    url: httpUrl,
    mediaType: optional(z.string({ error: 'must be an image type such as "image/jpeg"' }).regex(/^image\/[a-z0-9.+-]+$/, 'must be an image type such as "image/jpeg"')),
    alt: optional(languageMap(eventLimits.alt)),
  },
  { error: 'must be an object such as {"url": "https://…/poster.jpg", "alt": {"fr": "…"}}' },
);

const linkSchema = z.strictObject(
  { url: httpUrl, title: optional(lineOf(eventLimits.linkTitle, "Programme")) },
  { error: 'must be an object such as {"url": "https://…", "title": "Programme"}' },
);

export const tagsSchema = z
  .array(z.string({ error: 'must be text, e.g. "climat"' }), { error: 'must be a list of words, e.g. ["climat", "lyon"]' })
  .max(eventLimits.tags, `at most ${eventLimits.tags} tags; keep the most useful`)
  .transform((raw, ctx) => {
    const seen = new Set<string>();
    const tags: string[] = [];
    raw.forEach((value, i) => {
      const tag = value.trim().replace(/^#+/, "");
      const issue = (message: string) => ctx.addIssue({ code: "custom", path: [i], message });
      if (tag === "") issue("is empty; remove it");
      else if (tag.length > eventLimits.tag) issue(`must be at most ${eventLimits.tag} characters`);
      else if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(tag)) {
        const suggestion = tag.replace(/[^\p{L}\p{M}\p{N}_]+/gu, "_").replace(/^_+|_+$/g, "");
        issue(`"${value}" is not one word: hashtags hold letters, digits and _ only; write e.g. "${suggestion}"`);
      } else if (!seen.has(tag.toLowerCase())) {
        seen.add(tag.toLowerCase());
        tags.push(tag);
      }
    });
    return tags;
  });

const email = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

const contactSchema = z.string({ error: "must be an email address or a URL" }).transform((value, ctx) => {
  const v = value.trim();
  if (v.length <= eventLimits.contact && email.test(v.replace(/^mailto:/i, ""))) return v.replace(/^mailto:/i, "");
  const url = checkHttpUrl(v);
  if (typeof url !== "string") return url.href;
  ctx.addIssue({ code: "custom", message: `"${v}" is neither an email address (name@example.org) nor a web address (https://…)` });
  return z.NEVER;
});

const categorySchema = z
  .string({ error: "must be a category name" })
  .transform((c) => c.trim().toUpperCase().replace(/[\s-]+/g, "_"))
  .pipe(z.enum(eventCategories, { error: `must be one of ${eventCategories.join(", ")}` }));

const timeString = z.string({ error: 'must be a date and time as text, e.g. "2026-03-08T14:00:00+01:00"' });

const bodySchema = z.strictObject(
  {
    name: optional(languageMap(eventLimits.name)),
    summary: optional(languageMap(eventLimits.summary)),
    description: optional(languageMap(eventLimits.description, true)),
    startsAt: optional(timeString),
    endsAt: optional(timeString),
    timezone: optional(
      z.string({ error: 'must be an IANA zone name, e.g. "Europe/Paris"' }).transform((value, ctx) => {
        const tz = canonicalTimezone(value.trim());
        if (tz !== undefined) return tz;
        ctx.addIssue({ code: "custom", message: `"${value}" is not an IANA time zone; use e.g. Europe/Paris, Europe/Brussels or America/Montreal` });
        return z.NEVER;
      }),
    ),
    allDay: optional(z.boolean({ error: "must be true or false" })),
    location: optional(placeSchema),
    onlineUrl: optional(httpUrl),
    category: optional(categorySchema),
    tags: optional(tagsSchema),
    status: optional(z.enum(eventStatuses, { error: `must be one of ${eventStatuses.join(", ")}` })),
    statusReason: optional(languageMap(eventLimits.statusReason)),
    image: optional(imageSchema),
    links: optional(z.array(linkSchema, { error: "must be a list of links" }).max(eventLimits.links, `at most ${eventLimits.links} links`)),
    contact: optional(contactSchema),
    visibility: optional(z.enum(["public", "unlisted"], { error: 'must be "public" or "unlisted"' })),
    published: optional(z.boolean({ error: "must be true (published) or false (draft)" })),
    /** Checked by parseRecurrence (recurrence.ts), which names its own fields. */
    recurrence: optional(z.unknown()),
  },
  { error: "the request body must be a JSON object" },
);

type Body = z.output<typeof bodySchema>;

const acceptedKeys: Record<string, readonly string[]> = {
  "": Object.keys(bodySchema.shape),
  location: Object.keys(placeShape),
  image: Object.keys(imageSchema.shape),
  links: Object.keys(linkSchema.shape),
};

function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "(body)", message: issue.message }];
    const accepted = acceptedKeys[path[0] ?? ""] ?? [];
    return issue.keys.map((key) => ({
      field: [...path, key].join("."),
      message: `is not a field we accept; remove it (accepted: ${accepted.join(", ")})`,
    }));
  });
}

// ---------------------------------------------------------------------------------------------------

/**
 * Validates and normalises a JSON request body for an event (POST, or PATCH with `partial`). Unknown
 * fields are refused (no mass assignment); maps get the primary language first; the Markdown
 * description becomes sanitized HTML (the source is kept as `descriptionSource`).
 */
export function parseEventInput(body: unknown, ctx: EventInputContext & { partial: true }): EventParseResult<EventPatch>;
export function parseEventInput(body: unknown, ctx: EventInputContext & { partial?: false }): EventParseResult<EventInput>;
export function parseEventInput(body: unknown, ctx: EventInputContext): EventParseResult<EventInput | EventPatch> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    // Times depend on the zone and allDay; read them anyway, so that one answer lists every problem.
    const errors = zodErrors(parsed.error);
    if (typeof body === "object" && body !== null) readTimes(body as Record<string, unknown>, ctx, errors);
    return { ok: false, errors };
  }
  const errors: FieldError[] = [];
  for (const field of requiredFields) {
    if (parsed.data[field] === null) errors.push({ field, message: "cannot be null: give a value, or leave the field out" });
  }
  const patch = normalise(parsed.data, ctx, errors);
  if (!ctx.partial) {
    if (patch.name === undefined) errors.push({ field: "name", message: 'is required: give it in at least one language, e.g. {"fr": "Marche pour le climat"}' });
    if (parsed.data.startsAt === undefined) errors.push({ field: "startsAt", message: 'is required, e.g. "2026-03-08T14:00:00+01:00"' });
  }
  const merged = ctx.current && ctx.partial ? applyEventPatch(ctx.current, patch) : patch;
  errors.push(...crossFieldErrors(merged, ctx, new Set(Object.keys(patch))));
  if (errors.length > 0) return { ok: false, errors };
  if (ctx.partial) return { ok: true, value: patch };
  return { ok: true, value: applyEventPatch(defaults, patch) };
}

/** Fields an event always has: null cannot clear them. */
const requiredFields = ["name", "startsAt", "timezone", "allDay", "tags", "status", "links", "visibility", "published"] as const;

const defaults: EventInput = {
  name: {},
  startsAt: Temporal.Instant.fromEpochMilliseconds(0),
  timezone: "UTC",
  allDay: false,
  tags: [],
  status: "scheduled",
  links: [],
  visibility: "public",
  published: false,
};

function normalise(body: Body, ctx: EventInputContext, errors: FieldError[]): EventPatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || ((key === "startsAt" || key === "endsAt") && value !== null)) continue; // readTimes
    out[key] = value !== null && typeof value === "object" && isLanguageMapField(key) ? primaryFirst(value as LanguageMap, ctx.primaryLanguage) : value;
  }
  if (body.image?.alt) out.image = { ...body.image, alt: primaryFirst(body.image.alt, ctx.primaryLanguage) };
  if (body.description != null) {
    out.descriptionSource = out.description;
    out.description = Object.fromEntries(Object.entries(out.description as LanguageMap).map(([l, md]) => [l, renderEventMarkdown(md)]));
  } else if (body.description === null) out.descriptionSource = null;

  if (!ctx.partial) out.timezone = body.timezone ?? ctx.defaultTimezone;
  if (body.recurrence !== undefined && body.recurrence !== null) {
    const rule = parseRecurrence(body.recurrence);
    if (rule.ok) out.recurrence = rule.rule;
    else {
      delete out.recurrence;
      errors.push(...rule.errors);
    }
  }
  Object.assign(out, readTimes(body, ctx, errors));
  return out as EventPatch;
}

/** startsAt and endsAt as instants, read in the event's zone; fields of the wrong type are left to the schema. */
function readTimes(body: Record<string, unknown>, ctx: EventInputContext, errors: FieldError[]): Record<string, Temporal.Instant> {
  const given = typeof body.timezone === "string" ? canonicalTimezone(body.timezone.trim()) : undefined;
  const timezone = given ?? ctx.current?.timezone ?? ctx.defaultTimezone;
  const allDay = typeof body.allDay === "boolean" ? body.allDay : (ctx.current?.allDay ?? false);
  const out: Record<string, Temporal.Instant> = {};
  for (const field of ["startsAt", "endsAt"] as const) {
    const value = body[field];
    if (typeof value !== "string") continue;
    const instant = parseEventTime(value.trim(), timezone, allDay);
    if (typeof instant === "string") errors.push({ field, message: instant });
    else out[field] = instant;
  }
  return out;
}

function isLanguageMapField(key: string): boolean {
  return key === "name" || key === "summary" || key === "description" || key === "statusReason";
}

function crossFieldErrors(e: EventPatch, ctx: EventInputContext, sent: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  // A PATCH is checked where it touches; without the stored event, only against the fields it carries.
  const concerns = (...fields: string[]) => !ctx.partial || fields.some((f) => sent.has(f));
  const known = (...fields: string[]) => !ctx.partial || ctx.current !== undefined || fields.every((f) => sent.has(f));
  if (e.startsAt && e.endsAt && concerns("startsAt", "endsAt", "allDay")) {
    const tz = e.timezone ?? ctx.defaultTimezone;
    if (e.allDay) {
      if (Temporal.PlainDate.compare(e.endsAt.toZonedDateTimeISO(tz).toPlainDate(), e.startsAt.toZonedDateTimeISO(tz).toPlainDate()) < 0) {
        errors.push({ field: "endsAt", message: "the last day comes before the first day; give a date on or after startsAt" });
      }
    } else if (Temporal.Instant.compare(e.endsAt, e.startsAt) <= 0) {
      errors.push({ field: "endsAt", message: "must be after startsAt; check the date, the time and the offset" });
    }
  }
  if (e.recurrence && e.startsAt && concerns("recurrence", "startsAt", "endsAt", "timezone", "allDay")) {
    errors.push(...seriesErrors({ startsAt: e.startsAt, endsAt: e.endsAt ?? undefined, timezone: e.timezone ?? ctx.defaultTimezone, allDay: e.allDay ?? false, recurrence: e.recurrence }));
  }
  if (!e.location && !e.onlineUrl && concerns("location", "onlineUrl") && known("location", "onlineUrl")) {
    errors.push({ field: "location", message: "give a place (location), an online link (onlineUrl), or both" });
  }
  if (e.statusReason && (e.status ?? "scheduled") === "scheduled" && concerns("status", "statusReason") && known("status")) {
    errors.push({ field: "statusReason", message: 'is only for cancelled or postponed events; remove it or set "status"' });
  }
  if (ctx.mediaOrigin && e.image && concerns("image") && new URL(e.image.url).origin !== new URL(ctx.mediaOrigin).origin) {
    errors.push({ field: "image.url", message: `must be an image uploaded here (${new URL(ctx.mediaOrigin).origin}/…); upload it first` });
  }
  return errors;
}

/** The event after a PATCH: sent fields replace stored ones, `null` removes an optional field. */
export function applyEventPatch(current: EventInput, patch: EventPatch): EventInput {
  return mergePatch(current, patch) as unknown as EventInput;
}
