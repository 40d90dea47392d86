import { z } from "zod";
import { canonicalLanguage, type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "../../shared/language-patch.ts";
import { uuidPattern } from "../../shared/uuid.ts";
import { signableText } from "../call/call.schema.ts";
import { oneLine, tagsSchema } from "../event/event.schema.ts";
import { isSloganLanguage, sloganLanguages, sloganLimits } from "./slogan.types.ts";

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** What a POST or PATCH body says: only the fields sent; `null` detaches the call or the event. */
export interface SloganPatch {
  text?: LanguageMap;
  tags?: string[];
  callId?: string | null;
  eventId?: string | null;
  published?: boolean;
}

export type SloganParseResult = { ok: true; value: SloganPatch } | { ok: false; errors: FieldError[] };

/** One line of a slogan: control characters and runs of spaces become one space, one spelling (NFC). */
export function sloganLine(value: string): string {
  return signableText(oneLine(value));
}

const textSchema = z
  .record(z.string(), z.unknown(), { error: 'must be an object from language to one line of text, e.g. {"fr": "…", "de": "…"}' })
  .transform((raw, ctx) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      const lang = canonicalLanguage(key);
      const issue = (message: string) => ctx.addIssue({ code: "custom", path: [key], message });
      if (lang === undefined || !isSloganLanguage(lang)) issue(`"${key}" is not a language of slogans; use ${sloganLanguages.join(", ")}`);
      else if (typeof value !== "string") issue("must be text");
      else if (lang in out) issue(`the language ${lang} is given twice; keep one`);
      else {
        const line = sloganLine(value);
        if (line === "") issue("must not be empty: write the slogan or remove this language");
        else if (line.length > sloganLimits.text) issue(`must be at most ${sloganLimits.text} characters (it has ${line.length}); shorten it`);
        else out[lang] = line;
      }
    }
    return out as LanguageMap;
  });

const idOf = (what: string) =>
  z.string({ error: `must be the id of ${what} of this collective (a UUID)` }).regex(uuidPattern, `must be the id of ${what} of this collective (a UUID)`);

const bodySchema = z.strictObject(
  {
    text: textSchema.optional(),
    tags: tagsSchema.optional(),
    call: idOf("a call to action").nullable().optional(),
    event: idOf("an event").nullable().optional(),
    published: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: "the request body must be a JSON object" },
);

const accepted = Object.keys(bodySchema.shape);

/** A language of slogans, canonical; undefined for any other key. */
const sloganLanguageOf = (key: string): string | undefined => {
  const lang = canonicalLanguage(key);
  return lang !== undefined && isSloganLanguage(lang) ? lang : undefined;
};

export interface SloganInputContext {
  readonly primaryLanguage: string;
  /** PATCH: every field optional. */
  readonly partial?: boolean;
  /**
   * PATCH (the JSON API): the stored text, changed one language at a time: those left out stay, one set
   * to null goes. Without it a text sent replaces the stored one (the editor's form sends every language).
   */
  readonly currentText?: LanguageMap;
}

/**
 * Validates a JSON body for a slogan (POST, or PATCH with `partial`). Unknown fields are refused; the
 * text gets the primary language first and one spelling; at most 10 tags.
 */
export function parseSloganInput(input: unknown, ctx: SloganInputContext): SloganParseResult {
  const languages: LanguagePatchSpec | undefined =
    ctx.partial && ctx.currentText ? { fields: [{ field: "text", required: true }], primaryLanguage: ctx.primaryLanguage, language: sloganLanguageOf } : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const parsed = bodySchema.safeParse(languagewise ? languagewise.body : input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.flatMap((issue): FieldError[] => {
        if (issue.code === "unrecognized_keys") {
          return issue.keys.map((key) => ({ field: key, message: `is not a field we accept; remove it (accepted: ${accepted.join(", ")})` }));
        }
        return [{ field: issue.path.map(String).join(".") || "(body)", message: issue.message }];
      }),
    };
  }
  const data = parsed.data;
  const errors: FieldError[] = [];
  const patch: SloganPatch = {};
  if (languages && languagewise && ctx.currentText) {
    const merged = mergeLanguageMaps({ text: ctx.currentText }, { text: data.text }, languagewise.removals, languages);
    errors.push(...merged.errors);
    if (merged.patch.text) patch.text = merged.patch.text;
  } else if (data.text !== undefined) {
    if (Object.keys(data.text).length === 0) errors.push({ field: "text", message: 'needs at least one language, e.g. {"fr": "Pas de tri des pauvres"}' });
    patch.text = primaryFirst(data.text, ctx.primaryLanguage);
  } else if (!ctx.partial) {
    errors.push({ field: "text", message: 'is required: one line per language, e.g. {"fr": "Pas de tri des pauvres", "de": "Keine Sortierung der Armen"}' });
  }
  if (data.tags !== undefined) {
    if (data.tags.length > sloganLimits.tags) errors.push({ field: "tags", message: `at most ${sloganLimits.tags} tags; keep the most useful` });
    patch.tags = data.tags;
  }
  if (data.call !== undefined) patch.callId = data.call === null ? null : data.call.toLowerCase();
  if (data.event !== undefined) patch.eventId = data.event === null ? null : data.event.toLowerCase();
  if (data.published !== undefined) patch.published = data.published;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patch };
}
