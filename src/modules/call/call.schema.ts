import { z } from "zod";
import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { languageMapSchema } from "../../shared/language-map.schema.ts";
import { storableMultiline } from "../../shared/plain-text.ts";
import { renderEventMarkdown } from "../event/event-markdown.ts";
import { oneLine } from "../event/event.schema.ts";
import { canonicalTimezone, parseEventTime } from "../event/event-time.ts";
import type { EventImage } from "../event/event.types.ts";
import type { CallText } from "./call.types.ts";
import { uuidPattern } from "../../shared/uuid.ts";
import { mergePatch } from "../../shared/merge-patch.ts";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "../../shared/language-patch.ts";

/** One problem with a request body: `field` is a dotted path ("demands.2.fr"). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type CallParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A valid PATCH body: only the fields sent; `null` clears an optional field. */
export type CallPatch = { -readonly [K in keyof CallText]?: undefined extends CallText[K] ? CallText[K] | null : CallText[K] };

export interface CallInputContext {
  /** The collective's primary language: it comes first in every language map. */
  readonly primaryLanguage: string;
  /** The zone of a deadline written without one, when the body names none (the call's, or the collective's). */
  readonly defaultTimezone: string;
  /** PATCH: every field optional, nothing defaulted. */
  readonly partial?: boolean;
  /** PATCH: the stored text, so that checks across fields see the result. */
  readonly current?: CallText;
  /**
   * PATCH with `current` (the JSON API): title, pitch and body change one language at a time, those left
   * out stay and one set to null goes. Without it a map sent replaces the stored one (the editor's form
   * sends every language). Demands are a list: sent whole.
   */
  readonly mergeLanguages?: boolean;
  /** The image must be served from this origin (an upload of ours): pages make no third-party requests. */
  readonly mediaOrigin?: string;
}

export const callLimits = {
  title: 200,
  pitch: 1_000,
  body: 50_000,
  demand: 300,
  demands: 30,
  relatedEvents: 10,
  languages: 20,
  alt: 1_500,
  url: 2_000,
} as const;

/**
 * Text a signature may pin is kept in one spelling (FEDERATION.md, "Calls to action"): Unicode NFC, no
 * bidirectional controls (they reorder what readers see) and no invisible characters but the joiners
 * some scripts need (ZWJ, ZWNJ). Whatever path the text came by (API, CLI, a form).
 */
export function signableText(text: string): string {
  return text.normalize("NFC").replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u00ad]/g, "");
}

const languageMap = (max: number, kind: "line" | "multiline") =>
  languageMapSchema({
    max,
    languages: callLimits.languages,
    clean: (text) => signableText(kind === "multiline" ? storableMultiline(text).trim() : oneLine(text)),
  });

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const httpUrl = z.string({ error: "must be a URL, e.g. https://example.org/poster.jpg" }).transform((value, ctx) => {
  const v = value.trim();
  if (v.length > callLimits.url || !URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) {
    ctx.addIssue({ code: "custom", message: `"${v.slice(0, 100)}" is not a full http(s) URL` });
    return z.NEVER;
  }
  return new URL(v).href;
});

const imageSchema = z.strictObject(
  {
    url: httpUrl,
    mediaType: optional(z.string({ error: 'must be an image type such as "image/jpeg"' }).regex(/^image\/[a-z0-9.+-]+$/, 'must be an image type such as "image/jpeg"')),
    alt: optional(languageMap(callLimits.alt, "line")),
  },
  { error: 'must be an object such as {"url": "https://…/media/….jpg", "alt": {"fr": "…"}}' },
);


const bodySchema = z.strictObject(
  {
    title: optional(languageMap(callLimits.title, "line")),
    pitch: optional(languageMap(callLimits.pitch, "multiline")),
    body: optional(languageMap(callLimits.body, "multiline")),
    demands: optional(
      z
        .array(languageMap(callLimits.demand, "line"), { error: 'must be a list of demands, each {"fr": "…", "de": "…"}' })
        .max(callLimits.demands, `at most ${callLimits.demands} demands; merge some`),
    ),
    deadline: optional(z.string({ error: 'must be a date and time, e.g. "2027-03-01T23:59:00+01:00", or a date "2027-03-01" (the end of that day)' })),
    timezone: optional(
      z.string({ error: 'must be an IANA zone name, e.g. "Europe/Paris"' }).transform((value, ctx) => {
        const tz = canonicalTimezone(value.trim());
        if (tz !== undefined) return tz;
        ctx.addIssue({ code: "custom", message: `"${value}" is not an IANA time zone; use e.g. Europe/Paris, Europe/Brussels or Europe/Berlin` });
        return z.NEVER;
      }),
    ),
    relatedEvents: optional(
      z
        .array(z.string({ error: "must be an event id" }).regex(uuidPattern, "must be the id of an event of this instance (a UUID)"), {
          error: 'must be a list of event ids, e.g. ["0d6c…"]',
        })
        .max(callLimits.relatedEvents, `at most ${callLimits.relatedEvents} related events`),
    ),
    image: optional(imageSchema),
  },
  { error: "the request body must be a JSON object" },
);

const acceptedKeys: Record<string, readonly string[]> = { "": Object.keys(bodySchema.shape), image: Object.keys(imageSchema.shape) };

function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "(body)", message: issue.message }];
    const accepted = acceptedKeys[path[0] ?? ""] ?? [];
    return issue.keys.map((key) => ({ field: [...path, key].join("."), message: `is not a field we accept; remove it (accepted: ${accepted.join(", ")})` }));
  });
}

/** "2027-03-01" means the end of that day in the zone; anything else is read as an event time is. */
function readDeadline(value: string, timezone: string): Temporal.Instant | string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = parseEventTime(v, timezone, true);
    if (typeof start === "string") return start;
    return start.toZonedDateTimeISO(timezone).with({ hour: 23, minute: 59 }).toInstant();
  }
  return parseEventTime(v, timezone, false);
}

const requiredFields = ["title", "body", "bodySource", "demands", "timezone", "relatedEvents"] as const;

/**
 * Validates and normalises a JSON request body for a call (POST, or PATCH with `partial`). Unknown
 * fields are refused; maps get the primary language first; the Markdown body becomes sanitized HTML
 * (the source is kept as `bodySource`); every text is put in the one spelling signatures pin.
 */
export function parseCallInput(body: unknown, ctx: CallInputContext & { partial: true }): CallParseResult<CallPatch>;
export function parseCallInput(body: unknown, ctx: CallInputContext & { partial?: false }): CallParseResult<CallText>;
export function parseCallInput(input: unknown, ctx: CallInputContext): CallParseResult<CallText | CallPatch> {
  const languages: LanguagePatchSpec | undefined =
    ctx.partial && ctx.mergeLanguages && ctx.current
      ? { fields: [{ field: "title", required: true }, { field: "pitch" }, { field: "body", required: true, source: "bodySource" }], primaryLanguage: ctx.primaryLanguage, maxLanguages: callLimits.languages }
      : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const parsed = bodySchema.safeParse(languagewise ? languagewise.body : input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const data = parsed.data;
  const errors: FieldError[] = [];
  for (const field of ["title", "body", "demands", "timezone", "relatedEvents"] as const) {
    if (data[field] === null) errors.push({ field, message: "cannot be null: give a value, or leave the field out" });
  }
  const first = (map: LanguageMap) => primaryFirst(map, ctx.primaryLanguage);
  let patch: CallPatch = {};
  if (data.title) patch.title = first(data.title);
  if (data.pitch !== undefined) patch.pitch = data.pitch === null ? null : first(data.pitch);
  if (data.body) {
    patch.bodySource = first(data.body);
    patch.body = Object.fromEntries(Object.entries(patch.bodySource).map(([lang, md]) => [lang, signableText(renderEventMarkdown(md))]));
    for (const [lang, html] of Object.entries(patch.body)) {
      if (html === "") errors.push({ field: `body.${lang}`, message: "has no text once cleaned of what a call may not contain (images, scripts…)" });
    }
  }
  if (data.demands) patch.demands = data.demands.map(first);
  if (data.timezone) patch.timezone = data.timezone;
  if (data.relatedEvents) patch.relatedEvents = [...new Set(data.relatedEvents.map((id) => id.toLowerCase()))];
  if (data.image !== undefined) {
    patch.image = data.image === null ? null : ({ ...data.image, ...(data.image.alt ? { alt: first(data.image.alt) } : {}) } as EventImage);
    if (patch.image?.mediaType === null) delete (patch.image as { mediaType?: unknown }).mediaType;
    if (patch.image?.alt === null) delete (patch.image as { alt?: unknown }).alt;
  }
  const timezone = data.timezone ?? ctx.current?.timezone ?? ctx.defaultTimezone;
  if (data.deadline !== undefined) {
    if (data.deadline === null) patch.deadline = null;
    else {
      const deadline = readDeadline(data.deadline, timezone);
      if (typeof deadline === "string") errors.push({ field: "deadline", message: deadline });
      else patch.deadline = deadline;
    }
  }
  if (!ctx.partial) {
    if (!patch.title) errors.push({ field: "title", message: 'is required: give it in at least one language, e.g. {"fr": "Stop au contrôle algorithmique"}' });
    if (!patch.body) errors.push({ field: "body", message: 'is required: the text of the call (Markdown), e.g. {"fr": "Nous exigeons…"}' });
  }
  if (languages && languagewise && ctx.current) {
    const perLanguage = mergeLanguageMaps(ctx.current, patch, languagewise.removals, languages);
    patch = perLanguage.patch;
    errors.push(...perLanguage.errors);
  }
  const merged = ctx.partial && ctx.current ? applyCallPatch(ctx.current, patch) : patch;
  errors.push(...crossFieldErrors(merged, ctx, patch));
  if (errors.length > 0) return { ok: false, errors };
  if (ctx.partial) return { ok: true, value: patch };
  return { ok: true, value: applyCallPatch({ ...defaults, timezone }, patch) };
}

const defaults: CallText = { title: {}, body: {}, bodySource: {}, demands: [], timezone: "UTC", relatedEvents: [] };

function crossFieldErrors(c: CallPatch, ctx: CallInputContext, sent: CallPatch): FieldError[] {
  const errors: FieldError[] = [];
  const known = !ctx.partial || ctx.current !== undefined;
  if (known && c.title && c.body && ("title" in sent || "body" in sent)) {
    // A language of the call has its title and its text: a reader (and a signer) of that language gets both.
    for (const lang of Object.keys(c.title)) {
      if (!(lang in c.body)) errors.push({ field: `body.${lang}`, message: `the title is in ${lang} but the text is not: write the text in ${lang} or remove that title` });
    }
    for (const lang of Object.keys(c.body)) {
      if (!(lang in c.title)) errors.push({ field: `title.${lang}`, message: `the text is in ${lang} but the title is not: give the title in ${lang} or remove that text` });
    }
  }
  if (ctx.mediaOrigin && c.image && "image" in sent && new URL(c.image.url).origin !== new URL(ctx.mediaOrigin).origin) {
    errors.push({ field: "image.url", message: `must be an image uploaded here (${new URL(ctx.mediaOrigin).origin}/media/…); upload it first` });
  }
  return errors;
}

/** The text after a PATCH: sent fields replace stored ones, `null` removes an optional field. */
export function applyCallPatch(current: CallText, patch: CallPatch): CallText {
  const next = mergePatch(current, patch);
  for (const field of requiredFields) if (next[field] === undefined) next[field] = defaults[field];
  return next as unknown as CallText;
}
