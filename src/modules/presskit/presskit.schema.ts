import { z } from "zod";
import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { languageMapSchema } from "../../shared/language-map.schema.ts";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "../../shared/language-patch.ts";
import { storableMultiline } from "../../shared/plain-text.ts";
import { uuidPattern } from "../../shared/uuid.ts";
import { renderEventMarkdown } from "../event/event-markdown.ts";
import { oneLine } from "../event/event.schema.ts";
import { canonicalTimezone, parseEventTime } from "../event/event-time.ts";
import { type FileKind, fileKinds, type Licence, licences, type PressContact, type PressKitText } from "./presskit.types.ts";

/** One problem with a request body: `field` is a dotted path ("title.de"). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A PATCH: only the fields sent; `null` clears an optional one. */
export type PressKitPatch = { -readonly [K in keyof PressKitText]?: undefined extends PressKitText[K] ? PressKitText[K] | null : PressKitText[K] };

export const pressKitLimits = {
  title: 200,
  lead: 1_000,
  body: 50_000,
  caption: 500,
  credit: 200,
  contactLabel: 100,
  email: 254,
  phone: 40,
  languages: 20,
  linkLabel: 100,
  /** A secret link lives at most this many days. */
  linkDays: 90,
} as const;

const languageMap = (max: number, kind: "line" | "multiline") =>
  languageMapSchema({ max, languages: pressKitLimits.languages, clean: (text) => (kind === "multiline" ? storableMultiline(text).trim() : oneLine(text)) });

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const email = z
  .string({ error: "must be an e-mail address, e.g. presse@collectif.example" })
  .transform((v) => v.trim())
  .refine((v) => v.length <= pressKitLimits.email && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(v), "must be an e-mail address, e.g. presse@collectif.example");
const phone = z
  .string({ error: 'must be a phone number, e.g. "+33 4 72 00 00 00"' })
  .transform((v) => v.trim().replace(/\s+/g, " "))
  .refine((v) => v.length <= pressKitLimits.phone && /^\+?[0-9][0-9 ().-]{3,}$/.test(v), 'must be a phone number, e.g. "+33 4 72 00 00 00"');

const contactSchema = z.strictObject(
  { label: optional(languageMap(pressKitLimits.contactLabel, "line")), email: optional(email), phone: optional(phone) },
  { error: 'must be an object such as {"label": {"fr": "Service presse"}, "email": "presse@collectif.example"}' },
);

const bodySchema = z.strictObject(
  {
    title: optional(languageMap(pressKitLimits.title, "line")),
    lead: optional(languageMap(pressKitLimits.lead, "multiline")),
    body: optional(languageMap(pressKitLimits.body, "multiline")),
    contact: optional(contactSchema),
    embargo: optional(z.string({ error: 'must be a date and time, e.g. "2027-03-01T08:00:00+01:00" or "2027-03-01T08:00" (in the kit\'s zone)' })),
    timezone: optional(
      z.string({ error: 'must be an IANA zone name, e.g. "Europe/Paris"' }).transform((value, ctx) => {
        const tz = canonicalTimezone(value.trim());
        if (tz !== undefined) return tz;
        ctx.addIssue({ code: "custom", message: `"${value}" is not an IANA time zone; use e.g. Europe/Paris, Europe/Brussels or Europe/Berlin` });
        return z.NEVER;
      }),
    ),
    call: optional(z.string({ error: "must be the id of a call" }).regex(uuidPattern, "must be the id of a call to action of this collective (a UUID)")),
    event: optional(z.string({ error: "must be the id of an event" }).regex(uuidPattern, "must be the id of an event of this collective (a UUID)")),
  },
  { error: "the request body must be a JSON object" },
);

const acceptedKeys: Record<string, readonly string[]> = { "": Object.keys(bodySchema.shape), contact: Object.keys(contactSchema.shape) };

function zodErrors(error: z.ZodError, accepted: Record<string, readonly string[]>): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "(body)", message: issue.message }];
    const keys = accepted[path[0] ?? ""] ?? [];
    return issue.keys.map((key) => ({ field: [...path, key].join("."), message: `is not a field we accept; remove it (accepted: ${keys.join(", ")})` }));
  });
}

export interface PressKitInputContext {
  readonly primaryLanguage: string;
  readonly defaultTimezone: string;
  readonly partial?: boolean;
  readonly current?: PressKitText;
  /**
   * PATCH with `current` (the JSON API): title, lead and body change one language at a time, those left
   * out stay and one set to null goes. Without it a map sent replaces the stored one (the editor's form
   * sends every language).
   */
  readonly mergeLanguages?: boolean;
}

const defaults: PressKitText = { title: {}, lead: {}, body: {}, bodySource: {}, contact: {}, timezone: "UTC" };

/**
 * Validates a JSON body for a kit (POST, or PATCH with `partial`): unknown fields refused, language
 * maps with the primary language first, the Markdown release turned into sanitized HTML (as events'),
 * the embargo read in the kit's zone. A contact needs an e-mail or a phone line; a name is never asked.
 */
export function parsePressKitInput(body: unknown, ctx: PressKitInputContext & { partial: true }): ParseResult<PressKitPatch>;
export function parsePressKitInput(body: unknown, ctx: PressKitInputContext & { partial?: false }): ParseResult<PressKitText>;
export function parsePressKitInput(input: unknown, ctx: PressKitInputContext): ParseResult<PressKitText | PressKitPatch> {
  const languages: LanguagePatchSpec | undefined =
    ctx.partial && ctx.mergeLanguages && ctx.current
      ? {
          fields: [{ field: "title", required: true }, { field: "lead", required: true }, { field: "body", required: true, source: "bodySource" }],
          primaryLanguage: ctx.primaryLanguage,
          maxLanguages: pressKitLimits.languages,
        }
      : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const parsed = bodySchema.safeParse(languagewise ? languagewise.body : input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, acceptedKeys) };
  const data = parsed.data;
  const errors: FieldError[] = [];
  for (const field of ["title", "lead", "body", "contact", "timezone"] as const) {
    if (data[field] === null) errors.push({ field, message: "cannot be null: give a value, or leave the field out" });
  }
  const first = (map: LanguageMap) => primaryFirst(map, ctx.primaryLanguage);
  let patch: PressKitPatch = {};
  if (data.title) patch.title = first(data.title);
  if (data.lead) patch.lead = first(data.lead);
  if (data.body) {
    patch.bodySource = first(data.body);
    patch.body = Object.fromEntries(Object.entries(patch.bodySource).map(([lang, md]) => [lang, renderEventMarkdown(md)]));
    for (const [lang, html] of Object.entries(patch.body)) {
      if (html === "") errors.push({ field: `body.${lang}`, message: "has no text once cleaned of what a release may not contain (images, scripts…)" });
    }
  }
  if (data.contact) {
    const contact: { -readonly [K in keyof PressContact]: PressContact[K] } = {};
    if (data.contact.label) contact.label = first(data.contact.label);
    if (data.contact.email) contact.email = data.contact.email;
    if (data.contact.phone) contact.phone = data.contact.phone;
    if (!contact.email && !contact.phone) {
      errors.push({ field: "contact", message: "give an e-mail address of the collective or a phone line (a role such as the press office; no name is needed)" });
    }
    patch.contact = contact;
  }
  if (data.timezone) patch.timezone = data.timezone;
  if (data.call !== undefined) patch.callId = data.call === null ? null : data.call.toLowerCase();
  if (data.event !== undefined) patch.eventId = data.event === null ? null : data.event.toLowerCase();
  const timezone = data.timezone ?? ctx.current?.timezone ?? ctx.defaultTimezone;
  if (data.embargo !== undefined) {
    if (data.embargo === null) patch.embargoAt = null;
    else {
      const at = parseEventTime(data.embargo.trim(), timezone, false);
      if (typeof at === "string") errors.push({ field: "embargo", message: at });
      else patch.embargoAt = at;
    }
  }
  if (!ctx.partial) {
    if (!patch.title) errors.push({ field: "title", message: 'is required: give it in at least one language, e.g. {"fr": "Journée d\'action du 8 mars"}' });
    if (!patch.lead) errors.push({ field: "lead", message: 'is required: the opening paragraph, e.g. {"fr": "Le collectif appelle…"}' });
    if (!patch.body) errors.push({ field: "body", message: 'is required: the release (Markdown), e.g. {"fr": "Le 8 mars…"}' });
    if (!patch.contact) errors.push({ field: "contact", message: 'is required: {"email": "presse@collectif.example"} or {"phone": "+33 4 72 00 00 00"}, with an optional label' });
  }
  if (languages && languagewise && ctx.current) {
    const perLanguage = mergeLanguageMaps(ctx.current, patch, languagewise.removals, languages);
    patch = perLanguage.patch;
    errors.push(...perLanguage.errors);
  }
  const merged = ctx.current ? applyPressKitPatch(ctx.current, patch) : patch;
  if (merged.title && merged.lead && merged.body && ("title" in patch || "lead" in patch || "body" in patch)) {
    // Every language of the kit has its whole release: a journalist of that language gets all of it.
    const langs = new Set([...Object.keys(merged.title), ...Object.keys(merged.lead), ...Object.keys(merged.body)]);
    for (const lang of langs) {
      for (const field of ["title", "lead", "body"] as const) {
        if (!(lang in (merged[field] as LanguageMap))) errors.push({ field: `${field}.${lang}`, message: `the release is in ${lang} but its ${field} is not: write it in ${lang} or remove that language` });
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  if (ctx.partial) return { ok: true, value: patch };
  return { ok: true, value: applyPressKitPatch({ ...defaults, timezone }, patch) };
}

/** The text after a PATCH: sent fields replace stored ones, `null` removes an optional field. */
export function applyPressKitPatch(current: PressKitText, patch: PressKitPatch): PressKitText {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as unknown as PressKitText;
}

/** The description of a file: caption per language, credit line, licence (and its kind, at upload). */
export interface FileMeta {
  readonly kind?: FileKind | undefined;
  readonly caption?: LanguageMap | undefined;
  readonly credit?: string | undefined;
  readonly licence?: Licence | undefined;
}

const fileMetaSchema = z.strictObject(
  {
    kind: z.enum(fileKinds, { error: `must be one of ${fileKinds.join(", ")}` }).optional(),
    caption: languageMap(pressKitLimits.caption, "line").optional(),
    credit: z
      .string({ error: "must be text" })
      .transform((v) => oneLine(v))
      .refine((v) => v !== "" && v.length <= pressKitLimits.credit, `must be a credit line of 1 to ${pressKitLimits.credit} characters, e.g. "Photo: Collectif Droits Lyon"`)
      .optional(),
    licence: z.enum(licences, { error: `must be one of ${licences.join(", ")}` }).optional(),
  },
  { error: 'must be an object such as {"caption": {"fr": "…"}, "credit": "Photo: …", "licence": "cc-by"}' },
);

/**
 * A file's description. At upload (`required`) the kind, a caption in at least one language, the
 * credit line and the licence are all required: a journalist must know what may be reprinted, how.
 * With `currentCaption` (a change through the JSON API) the caption changes one language at a time:
 * those left out stay, one set to null goes, the last one stays.
 */
export function parseFileMeta(input: unknown, opts: { required: boolean; primaryLanguage: string; currentCaption?: LanguageMap }): ParseResult<FileMeta> {
  const languages: LanguagePatchSpec | undefined = opts.currentCaption
    ? { fields: [{ field: "caption", required: true }], primaryLanguage: opts.primaryLanguage, maxLanguages: pressKitLimits.languages }
    : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const parsed = fileMetaSchema.safeParse(languagewise ? languagewise.body : input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, { "": Object.keys(fileMetaSchema.shape) }) };
  let v = parsed.data;
  const errors: FieldError[] = [];
  if (languages && languagewise && opts.currentCaption) {
    const merged = mergeLanguageMaps({ caption: opts.currentCaption }, { caption: v.caption }, languagewise.removals, languages);
    errors.push(...merged.errors);
    v = { ...v, caption: merged.patch.caption ?? undefined };
  }
  if (opts.required) {
    if (!v.kind) errors.push({ field: "kind", message: `is required: ${fileKinds.join(", ")}` });
    if (!v.caption || Object.keys(v.caption).length === 0) errors.push({ field: "caption", message: 'is required in at least one language, e.g. caption.fr="Manifestation du 8 mars"' });
    if (!v.credit) errors.push({ field: "credit", message: 'is required, e.g. "Photo: Collectif Droits Lyon"' });
    if (!v.licence) errors.push({ field: "licence", message: `is required: ${licences.join(", ")}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { ...v, ...(v.caption ? { caption: primaryFirst(v.caption, opts.primaryLanguage) } : {}) } };
}
