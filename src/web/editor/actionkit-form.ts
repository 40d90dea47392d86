// The action-kit form as plain values, and the conversions form → the API's body → form. A kit is written
// one language at a time: the form holds its structure (country, fields, letters' keys, steps) and its
// texts in one language; saving keeps the other languages as stored. The service validates (the same
// rules as the JSON API); this file only says what the form holds, and puts each problem the service
// finds next to its field, worded in the editor's language.
import { emptyKit } from "../../modules/actionkit/actionkit.schema.ts";
import { type ActionKitText, type ActionKitView, kitFieldKinds, kitLimits } from "../../modules/actionkit/actionkit.types.ts";
import type { FieldProblem } from "../../shared/errors.ts";
import { t } from "../../shared/i18n.ts";
import { canonicalLanguage, interfaceLanguages, type LanguageMap } from "../../shared/language.ts";

/** A new row of a kit already written in other languages is written in those too (`others`: language → text). */
type Others = Readonly<Record<string, string>>;
export interface StepRow {
  readonly text: string;
  readonly remove: boolean;
  readonly others?: { readonly text: Others };
}
export interface FieldRow {
  readonly name: string;
  readonly kind: string;
  readonly required: boolean;
  readonly label: string;
  readonly hint: string;
  readonly remove: boolean;
  readonly others?: { readonly label: Others; readonly hint: Others };
}
export interface LetterRow {
  readonly key: string;
  readonly title: string;
  readonly body: string;
  readonly remove: boolean;
  readonly others?: { readonly title: Others; readonly body: Others };
}

export interface ActionKitFormValues {
  /** The language the texts are written in. */
  readonly language: string;
  readonly title: string;
  readonly explanation: string;
  readonly country: string;
  readonly institution: string;
  readonly legalBasis: string;
  readonly steps: readonly StepRow[];
  readonly fields: readonly FieldRow[];
  readonly letters: readonly LetterRow[];
  readonly published: boolean;
  /** The version and the time of the last save the form was opened at (a save over someone else's is refused). */
  readonly seenVersion: number;
  readonly seenAt: number;
}

/** Empty rows offered after the stored ones (a form without JavaScript cannot add rows). */
export const spareRows = { steps: 2, fields: 3, letters: 1 } as const;

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === "string" ? (body[key] as string) : "");
const int = (text: string) => (/^\d{1,15}$/.test(text) ? Number(text) : 0);

/** How many rows of a list the form sent (`steps.3.text` → 4), bounded by the list's limit and its spare rows. */
function rowCount(body: Record<string, unknown>, list: "steps" | "fields" | "letters", max: number): number {
  let n = 0;
  for (const key of Object.keys(body)) {
    const m = new RegExp(`^${list}\\.(\\d{1,3})\\.`).exec(key);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return Math.min(n, max);
}

/** The languages an editor may write a kit in: the collective's, the interface's four, and those the kit has. */
export function kitFormLanguages(primary: string, kit?: Pick<ActionKitText, "title">): string[] {
  return [...new Set([primary, ...interfaceLanguages, ...Object.keys(kit?.title ?? {})])].slice(0, kitLimits.languages);
}

/** The language asked for (`?in=de` or the form's hidden field), if it is one. */
export function chosenLanguage(value: unknown, fallback: string): string {
  return (typeof value === "string" && canonicalLanguage(value)) || fallback;
}

/** The texts of a row in other languages (`steps.3.text.de`), as sent. */
function othersOf(body: Record<string, unknown>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!key.startsWith(`${prefix}.`) || typeof value !== "string") continue;
    const lang = canonicalLanguage(key.slice(prefix.length + 1));
    if (lang) out[lang] = value;
  }
  return out;
}

/** The values of a submitted form: whatever was typed, valid or not (nothing is lost). */
export function readActionKitForm(body: Record<string, unknown>, fallbackLanguage: string): ActionKitFormValues {
  const steps = Array.from({ length: rowCount(body, "steps", kitLimits.steps + spareRows.steps) }, (_, i) => ({
    text: str(body, `steps.${i}.text`),
    remove: body[`steps.${i}.remove`] === "1",
    others: { text: othersOf(body, `steps.${i}.text`) },
  }));
  const fields = Array.from({ length: rowCount(body, "fields", kitLimits.fields + spareRows.fields) }, (_, i) => ({
    name: str(body, `fields.${i}.name`).trim(),
    kind: str(body, `fields.${i}.kind`) || "text",
    required: body[`fields.${i}.required`] === "1",
    label: str(body, `fields.${i}.label`),
    hint: str(body, `fields.${i}.hint`),
    remove: body[`fields.${i}.remove`] === "1",
    others: { label: othersOf(body, `fields.${i}.label`), hint: othersOf(body, `fields.${i}.hint`) },
  }));
  const letters = Array.from({ length: rowCount(body, "letters", kitLimits.letters + spareRows.letters) }, (_, i) => ({
    key: str(body, `letters.${i}.key`).trim(),
    title: str(body, `letters.${i}.title`),
    body: str(body, `letters.${i}.body`),
    remove: body[`letters.${i}.remove`] === "1",
    others: { title: othersOf(body, `letters.${i}.title`), body: othersOf(body, `letters.${i}.body`) },
  }));
  return {
    language: chosenLanguage(body.language, fallbackLanguage),
    title: str(body, "title"),
    explanation: str(body, "explanation"),
    country: str(body, "country").trim(),
    institution: str(body, "institution"),
    legalBasis: str(body, "legalBasis"),
    steps,
    fields,
    letters,
    published: body.published === "1",
    seenVersion: int(str(body, "seenVersion")),
    seenAt: int(str(body, "seenAt")),
  };
}

/** The form of a stored kit (or of a new one) in one language. */
export function actionKitFormOf(kit: ActionKitView | undefined, language: string): ActionKitFormValues {
  const text = (map: LanguageMap | undefined) => map?.[language] ?? "";
  const k: ActionKitText = kit ?? emptyKit;
  return {
    language,
    title: text(k.title),
    explanation: text(k.explanation),
    country: k.country,
    institution: text(k.institution),
    legalBasis: text(k.legalBasis),
    steps: k.steps.map((s) => ({ text: text(s), remove: false })),
    fields: k.fields.map((f) => ({ name: f.name, kind: f.kind, required: f.required, label: text(f.label), hint: text(f.hint), remove: false })),
    letters: k.letters.map((l) => ({ key: l.key, title: text(l.title), body: text(l.body), remove: false })),
    published: kit?.published ?? false,
    seenVersion: kit?.version ?? 0,
    seenAt: kit?.updatedAt.epochMilliseconds ?? 0,
  };
}

/** Which form row each item of the body's lists came from (to put the service's problems back on them). */
export interface RowMap {
  readonly steps: number[];
  readonly fields: number[];
  readonly letters: number[];
}

/**
 * The API body of the form: the texts in the form's language replace those stored in that language, the
 * other languages are kept (rows are matched by position). An empty title removes the language from the
 * whole kit; another empty text removes it from that text only (the service then says it is missing).
 * Rows ticked "remove" go; new rows left empty are ignored.
 */
export function actionKitBodyOf(v: ActionKitFormValues, stored: ActionKitText | undefined, o: { published: boolean }): { body: Record<string, unknown>; rows: RowMap } {
  const L = v.language;
  const base = stored ?? emptyKit;
  const dropLanguage = v.title.trim() === "" && Object.keys(base.title).some((l) => l !== L);
  // A new row starts from what was typed in the kit's other languages (empty ones are left out).
  const set = (map: LanguageMap | undefined, value: string, others?: Others): LanguageMap => {
    const out: Record<string, string> = { ...(map ?? {}) };
    if (!map && others) for (const [l, text] of Object.entries(others)) if (l !== L && l in base.title && text.trim() !== "") out[l] = text;
    if (value.trim() !== "" && !dropLanguage) out[L] = value;
    else delete out[L];
    return out;
  };
  const rows: RowMap = { steps: [], fields: [], letters: [] };
  const steps: LanguageMap[] = [];
  v.steps.forEach((row, i) => {
    const old = base.steps[i];
    if (row.remove || (!old && row.text.trim() === "")) return;
    rows.steps.push(i);
    steps.push(set(old, row.text, row.others?.text));
  });
  const fields: Record<string, unknown>[] = [];
  v.fields.forEach((row, i) => {
    const old = base.fields[i];
    if (row.remove || (!old && row.name === "" && row.label.trim() === "")) return;
    rows.fields.push(i);
    const hint = set(old?.hint ?? (old ? {} : undefined), row.hint, row.others?.hint);
    fields.push({
      name: row.name,
      label: set(old?.label, row.label, row.others?.label),
      kind: (kitFieldKinds as readonly string[]).includes(row.kind) ? row.kind : "text",
      required: row.required,
      ...(Object.keys(hint).length > 0 ? { hint } : {}),
    });
  });
  const letters: Record<string, unknown>[] = [];
  v.letters.forEach((row, i) => {
    const old = base.letters[i];
    if (row.remove || (!old && row.key === "" && row.title.trim() === "" && row.body.trim() === "")) return;
    rows.letters.push(i);
    letters.push({ key: row.key, title: set(old?.title, row.title, row.others?.title), body: set(old?.body, row.body, row.others?.body) });
  });
  const body: Record<string, unknown> = {
    title: set(base.title, v.title),
    explanation: set(base.explanation, v.explanation),
    country: v.country,
    institution: set(base.institution, v.institution),
    legalBasis: set(base.legalBasis, v.legalBasis),
    steps,
    fields,
    letters,
  };
  if (!o.published && v.published) body.published = true;
  return { body, rows };
}

const topLevel = ["title", "explanation", "country", "institution", "legalBasis"] as const;

/**
 * The service's problems as the form's: each on its row and input when it is about the form's language
 * (or about no language), worded in the editor's language; a text missing in another language is said
 * at the top, naming that language.
 */
export function actionKitProblems(problems: readonly FieldProblem[], lang: string, language: string, rows: RowMap): FieldProblem[] {
  const out = new Map<string, string>();
  const add = (field: string, key: string, options: Record<string, unknown> = {}) => {
    if (!out.has(field)) out.set(field, t(lang, `actionkit:editor.problem.${key}`, options));
  };
  for (const p of problems) {
    const [head = "", a, b, c] = p.field.split(".");
    if ((topLevel as readonly string[]).includes(head)) {
      if (a !== undefined && a !== language) add(`${head}.${a}`, "otherLanguage", { language: a.toUpperCase() });
      else add(head, head);
      continue;
    }
    const row = (list: keyof RowMap) => rows[list][Number(a)] ?? Number(a);
    if (head === "steps" && a !== undefined) {
      if (b !== undefined && b !== language) add(`steps.${row("steps")}.text.${b}`, "otherLanguage", { language: b.toUpperCase() });
      else add(`steps.${row("steps")}.text`, "step");
    } else if (head === "fields" && a !== undefined && b !== undefined) {
      const sub = b === "name" || b === "kind" || b === "label" || b === "hint" ? b : "name";
      if (c !== undefined && c !== language) add(`fields.${row("fields")}.${sub}.${c}`, "otherLanguage", { language: c.toUpperCase() });
      else add(`fields.${row("fields")}.${sub}`, `field.${sub}`);
    } else if (head === "letters" && a !== undefined && b !== undefined) {
      const sub = b === "key" || b === "title" || b === "body" ? b : "body";
      const blank = /\{\{([^{}]*)\}\}/.exec(p.message)?.[1];
      if (c !== undefined && c !== language) add(`letters.${row("letters")}.${sub}.${c}`, blank ? "unknownBlankElsewhere" : "otherLanguage", { language: c.toUpperCase(), name: `{{${blank}}}` });
      else if (blank !== undefined && sub === "body") add(`letters.${row("letters")}.body`, "unknownBlank", { name: `{{${blank}}}` });
      else add(`letters.${row("letters")}.${sub}`, `letter.${sub}`);
    } else if (head === "letters") add("letters.0.key", "letters");
    else if (head === "steps" || head === "fields") add(`${head}.0.${head === "steps" ? "text" : "name"}`, head);
    else out.set(p.field, p.message);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}
