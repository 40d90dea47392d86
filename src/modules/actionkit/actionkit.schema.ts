import { z } from "zod";
import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { languageMapSchema } from "../../shared/language-map.schema.ts";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "../../shared/language-patch.ts";
import { storableMultiline } from "../../shared/plain-text.ts";
import { signableText } from "../call/call.schema.ts";
import { oneLine } from "../event/event.schema.ts";
import { fieldNamePattern, placeholders } from "./actionkit-template.ts";
import { type ActionKitText, type KitField, kitFieldKinds, type KitLetter, kitLimits } from "./actionkit.types.ts";

/** One problem with a request body: `field` is a dotted path ("letters.0.body.fr"). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** What a POST or PATCH body says: only the fields sent (lists replace the stored ones whole). */
export type KitPatch = { -readonly [K in keyof ActionKitText]?: ActionKitText[K] } & { published?: boolean };

export type KitParseResult = { ok: true; value: KitPatch } | { ok: false; errors: FieldError[] };

const languageMap = (max: number, kind: "line" | "multiline") =>
  languageMapSchema({
    max,
    languages: kitLimits.languages,
    clean: (text) => signableText(kind === "multiline" ? storableMultiline(text).replace(/\r\n?/g, "\n").trim() : oneLine(text)),
  });

const fieldSchema = z.strictObject(
  {
    name: z.string({ error: 'must be a name such as "file_number"' }).regex(fieldNamePattern, 'must be lower-case letters, digits and "_", starting with a letter (e.g. "file_number"), at most 40'),
    label: languageMap(kitLimits.label, "line"),
    kind: z.enum(kitFieldKinds, { error: `must be one of ${kitFieldKinds.join(", ")}` }).default("text"),
    required: z.boolean({ error: "must be true or false" }).default(false),
    hint: languageMap(kitLimits.hint, "line").optional(),
  },
  { error: 'must be an object such as {"name": "file_number", "label": {"fr": "Numéro d\'allocataire"}, "kind": "text", "required": true}' },
);

const letterSchema = z.strictObject(
  {
    key: z.string({ error: 'must be a short name such as "access-request"' }).regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and "-" (e.g. "access-request"), at most 40'),
    title: languageMap(kitLimits.letterTitle, "line"),
    body: languageMap(kitLimits.letterBody, "multiline"),
  },
  { error: 'must be an object such as {"key": "access-request", "title": {"fr": "…"}, "body": {"fr": "Je soussigné·e {{name}}…"}}' },
);

const bodySchema = z.strictObject(
  {
    title: languageMap(kitLimits.title, "line").optional(),
    explanation: languageMap(kitLimits.explanation, "multiline").optional(),
    country: z
      .string({ error: 'must be a country code such as "FR", "DE", "NL" or "BE"' })
      .transform((v) => v.trim().toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166-1) such as "FR", "DE", "NL" or "BE"'))
      .optional(),
    institution: languageMap(kitLimits.institution, "line").optional(),
    legalBasis: languageMap(kitLimits.legalBasis, "line").optional(),
    steps: z.array(languageMap(kitLimits.step, "multiline"), { error: 'must be a list of steps, each {"fr": "…"}' }).max(kitLimits.steps, `at most ${kitLimits.steps} steps; merge some`).optional(),
    fields: z.array(fieldSchema, { error: "must be a list of fields" }).max(kitLimits.fields, `at most ${kitLimits.fields} fields`).optional(),
    letters: z.array(letterSchema, { error: "must be a list of letters" }).max(kitLimits.letters, `at most ${kitLimits.letters} letters`).optional(),
    published: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: "the request body must be a JSON object" },
);

const accepted: Record<string, readonly string[]> = {
  "": Object.keys(bodySchema.shape),
  fields: Object.keys(fieldSchema.shape),
  letters: Object.keys(letterSchema.shape),
};

function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "(body)", message: issue.message }];
    const keys = accepted[path[0] ?? ""] ?? [];
    return issue.keys.map((key) => ({ field: [...path, key].join("."), message: `is not a field we accept; remove it (accepted: ${keys.join(", ")})` }));
  });
}

const required = ["title", "explanation", "country", "institution", "legalBasis", "letters"] as const;

export interface KitInputContext {
  readonly primaryLanguage: string;
  /** PATCH: every field optional. */
  readonly partial?: boolean;
  /** PATCH: the stored text, so that the kit as it would be saved is checked whole. */
  readonly current?: ActionKitText;
  /**
   * PATCH with `current` (the JSON API): title, explanation, institution and legalBasis change one
   * language at a time, those left out stay and one set to null goes. Without it a map sent replaces the
   * stored one (the editor's form sends every language). Lists (steps, fields, letters) are sent whole.
   */
  readonly mergeLanguages?: boolean;
}

/**
 * Validates a JSON body for a kit (POST, or PATCH with `partial` and the stored text). Unknown fields are
 * refused; every language map gets the primary language first; the kit as it would be saved is checked
 * whole: each language of its title has every text, and every `{{blank}}` of a letter is a field.
 */
export function parseKitInput(input: unknown, ctx: KitInputContext): KitParseResult {
  const languages: LanguagePatchSpec | undefined =
    ctx.partial && ctx.mergeLanguages && ctx.current
      ? { fields: (["title", "explanation", "institution", "legalBasis"] as const).map((field) => ({ field, required: true })), primaryLanguage: ctx.primaryLanguage, maxLanguages: kitLimits.languages }
      : undefined;
  const languagewise = languages ? takeLanguageRemovals(input, languages) : undefined;
  const parsed = bodySchema.safeParse(languagewise ? languagewise.body : input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const data = parsed.data;
  const first = (map: LanguageMap) => primaryFirst(map, ctx.primaryLanguage);
  let patch: KitPatch = {};
  if (data.title) patch.title = first(data.title);
  if (data.explanation) patch.explanation = first(data.explanation);
  if (data.country) patch.country = data.country;
  if (data.institution) patch.institution = first(data.institution);
  if (data.legalBasis) patch.legalBasis = first(data.legalBasis);
  if (data.steps) patch.steps = data.steps.map(first);
  if (data.fields) {
    patch.fields = data.fields.map((f): KitField => ({ name: f.name, label: first(f.label), kind: f.kind, required: f.required, ...(f.hint ? { hint: first(f.hint) } : {}) }));
  }
  if (data.letters) patch.letters = data.letters.map((l): KitLetter => ({ key: l.key, title: first(l.title), body: first(l.body) }));
  if (data.published !== undefined) patch.published = data.published;
  const errors: FieldError[] = [];
  if (languages && languagewise && ctx.current) {
    const merged = mergeLanguageMaps(ctx.current, patch, languagewise.removals, languages);
    patch = merged.patch;
    errors.push(...merged.errors);
  }
  if (!ctx.partial) {
    for (const name of required) if (patch[name] === undefined) errors.push({ field: name, message: requiredMessage[name] });
  }
  if (errors.length > 0) return { ok: false, errors };
  const merged = applyKitPatch(ctx.current ?? emptyKit, patch);
  errors.push(...kitErrors(merged));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patch };
}

const requiredMessage: Record<(typeof required)[number], string> = {
  title: 'is required: give it in at least one language, e.g. {"fr": "Demander ses données à la CAF"}',
  explanation: 'is required: say what the kit is for, e.g. {"fr": "La CAF note les allocataires…"}',
  country: 'is required: the country whose law the letters use, e.g. "FR"',
  institution: 'is required: the institution the letters go to, e.g. {"fr": "Caisse d\'allocations familiales (CAF)"}',
  legalBasis: 'is required: the law the letters rest on, e.g. {"fr": "RGPD, article 15"}',
  letters: 'is required: at least one letter, e.g. [{"key": "access-request", "title": {"fr": "…"}, "body": {"fr": "…{{name}}…"}}]',
};

export const emptyKit: ActionKitText = { title: {}, explanation: {}, country: "", institution: {}, legalBasis: {}, steps: [], fields: [], letters: [] };

/** The kit after a PATCH: fields sent replace the stored ones (lists whole). */
export function applyKitPatch(current: ActionKitText, patch: KitPatch): ActionKitText {
  const { published: _published, ...text } = patch;
  return { ...current, ...text };
}

/** What is wrong with a whole kit: missing translations, duplicate names, blanks that are no field. */
function kitErrors(kit: ActionKitText): FieldError[] {
  const errors: FieldError[] = [];
  const languages = Object.keys(kit.title);
  const needs = (map: LanguageMap | undefined, field: string, what: string) => {
    for (const lang of languages) {
      if (!map || !(lang in map)) errors.push({ field: `${field}.${lang}`, message: `the kit is in ${lang} (its title) but ${what} is not: write it in ${lang}, or remove that title` });
    }
  };
  needs(kit.explanation, "explanation", "the explanation");
  needs(kit.institution, "institution", "the institution");
  needs(kit.legalBasis, "legalBasis", "the legal basis");
  kit.steps.forEach((step, i) => {
    needs(step, `steps.${i}`, `step ${i + 1}`);
  });
  const names = new Set<string>();
  kit.fields.forEach((f, i) => {
    if (names.has(f.name)) errors.push({ field: `fields.${i}.name`, message: `the field "${f.name}" is given twice; rename or remove one` });
    names.add(f.name);
    needs(f.label, `fields.${i}.label`, `the label of the field "${f.name}"`);
  });
  if (kit.letters.length === 0 && languages.length > 0) errors.push({ field: "letters", message: "a kit needs at least one letter" });
  const keys = new Set<string>();
  kit.letters.forEach((letter, i) => {
    if (keys.has(letter.key)) errors.push({ field: `letters.${i}.key`, message: `the letter "${letter.key}" is given twice; rename or remove one` });
    keys.add(letter.key);
    needs(letter.title, `letters.${i}.title`, `the title of the letter "${letter.key}"`);
    needs(letter.body, `letters.${i}.body`, `the letter "${letter.key}"`);
    for (const [lang, text] of Object.entries(letter.body)) {
      for (const name of placeholders(text)) {
        if (names.has(name)) continue;
        const known = [...names].join(", ") || "none yet";
        errors.push({
          field: `letters.${i}.body.${lang}`,
          message: `refers to the field "{{${name}}}", which does not exist: add a field named "${name}" or correct the name (fields: ${known})`,
        });
      }
    }
  });
  return errors;
}
