import { z } from "zod";
import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { renderEventMarkdown } from "./event-markdown.ts";
import { canonicalTimezone, parseEventTime } from "./event-time.ts";
import { type EventData, eventStatuses } from "./event.types.ts";
import { mergePatch } from "../../shared/merge-patch.ts";
import { parseRecurrence } from "./recurrence.ts";
import { seriesErrors } from "./recurrence-expand.ts";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "../../shared/language-patch.ts";
import {
  categorySchema,
  contactSchema,
  eventLimits,
  httpUrl,
  imageSchema,
  languageMap,
  linkSchema,
  optional,
  placeSchema,
  placeShape,
  tagsSchema,
  timeString,
} from "./event-fields.schema.ts";

export { allCountryCodes, eventLimits, isCountryCode, oneLine, tagsSchema } from "./event-fields.schema.ts";

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
  /**
   * PATCH with `current` (the JSON API): language maps change one language at a time, those left out
   * stay and one set to null goes. Without it a map sent replaces the stored one (the editor's forms
   * send every language).
   */
  readonly mergeLanguages?: boolean;
  /** When given, the image must be served from this origin (an upload of ours): pages make no third-party requests. */
  readonly mediaOrigin?: string;
}

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
export function parseEventInput(input: unknown, ctx: EventInputContext): EventParseResult<EventInput | EventPatch> {
  const languages = ctx.partial && ctx.mergeLanguages && ctx.current ? languagePatch(ctx.primaryLanguage) : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const body = languagewise ? languagewise.body : input;
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
  let patch = normalise(parsed.data, ctx, errors);
  if (languages && languagewise && ctx.current) {
    const merged = mergeLanguageMaps(ctx.current, patch, languagewise.removals, languages);
    patch = merged.patch;
    errors.push(...merged.errors);
  }
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

/** The language maps a PATCH of the JSON API changes one language at a time. */
const languagePatch = (primaryLanguage: string): LanguagePatchSpec => ({
  fields: [{ field: "name", required: true }, { field: "summary" }, { field: "description", source: "descriptionSource" }, { field: "statusReason" }],
  primaryLanguage,
  maxLanguages: eventLimits.languages,
});

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
