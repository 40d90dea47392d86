// The press-kit forms as plain values, and the conversions form → the API's body → form. The service
// validates (presskit.schema: the same rules as the JSON API); this file only says what the form holds,
// and puts each problem the service finds next to its field, worded in the editor's language.
import { fileRefusalMessages } from "../../modules/presskit/presskit.service.ts";
import { fileKinds, licences, type PressKitView } from "../../modules/presskit/presskit.types.ts";
import type { FieldProblem } from "../../shared/errors.ts";
import { t } from "../../shared/i18n.ts";
import { canonicalLanguage, interfaceLanguages } from "../../shared/language.ts";

export interface KitFormValues {
  /** The languages the form shows: the collective's first, then fr/de/nl/en, then any other the kit has. */
  readonly languages: readonly string[];
  readonly title: Readonly<Record<string, string>>;
  readonly lead: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, string>>;
  readonly contactLabel: Readonly<Record<string, string>>;
  readonly email: string;
  readonly phone: string;
  /** `call/<id>`, `event/<id>` or "" (about nothing in particular). */
  readonly about: string;
  readonly embargoDate: string;
  readonly embargoTime: string;
  readonly timezone: string;
}

export interface FileFormValues {
  readonly kind: string;
  readonly caption: Readonly<Record<string, string>>;
  readonly credit: string;
  readonly licence: string;
}

export interface LinkFormValues {
  readonly label: string;
  readonly days: string;
}

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === "string" ? (body[key] as string) : "");

/** The languages of the form: the primary first, the interface's four, and those a stored kit already has. */
export function formLanguages(primary: string, extra: readonly string[] = []): string[] {
  return [...new Set([primary, ...interfaceLanguages, ...extra])].slice(0, 20);
}

/** The values of a submitted kit form: whatever was typed, valid or not (nothing is lost). */
export function readKitForm(body: Record<string, unknown>, primary: string): KitFormValues {
  const listed = str(body, "languages").split(",").map((l) => canonicalLanguage(l.trim())).filter((l): l is string => l !== undefined);
  const languages = formLanguages(primary, listed);
  const perLanguage = (field: string) => Object.fromEntries(languages.map((l) => [l, str(body, `${field}.${l}`)]));
  return {
    languages,
    title: perLanguage("title"),
    lead: perLanguage("lead"),
    body: perLanguage("body"),
    contactLabel: perLanguage("contactLabel"),
    email: str(body, "email").trim(),
    phone: str(body, "phone").trim(),
    about: str(body, "about").trim(),
    embargoDate: str(body, "embargoDate").trim(),
    embargoTime: str(body, "embargoTime").trim(),
    timezone: str(body, "timezone").trim(),
  };
}

export function blankKitForm(primary: string, timezone: string): KitFormValues {
  return { languages: formLanguages(primary), title: {}, lead: {}, body: {}, contactLabel: {}, email: "", phone: "", about: "", embargoDate: "", embargoTime: "", timezone };
}

/** The form of a stored kit (the Markdown the editors wrote, the embargo in the kit's zone). */
export function kitFormOf(kit: PressKitView): KitFormValues {
  const embargo = kit.embargoAt?.toZonedDateTimeISO(kit.timezone);
  const langs = [...Object.keys(kit.title), ...Object.keys(kit.lead), ...Object.keys(kit.bodySource), ...Object.keys(kit.contact.label ?? {})];
  return {
    languages: formLanguages(kit.collective.primaryLanguage, langs),
    title: { ...kit.title },
    lead: { ...kit.lead },
    body: { ...kit.bodySource },
    contactLabel: { ...(kit.contact.label ?? {}) },
    email: kit.contact.email ?? "",
    phone: kit.contact.phone ?? "",
    about: kit.callId ? `call/${kit.callId}` : kit.eventId ? `event/${kit.eventId}` : "",
    embargoDate: embargo?.toPlainDate().toString() ?? "",
    embargoTime: embargo ? embargo.toPlainTime().toString({ smallestUnit: "minute" }) : "",
    timezone: kit.timezone,
  };
}

const filled = (map: Readonly<Record<string, string>>) => {
  const entries = Object.entries(map).filter(([, v]) => v.trim() !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

/**
 * The API body of the kit form. A language left empty everywhere is a language the kit is not written
 * in. For a new kit an empty release field is left out (the service says it is required); for a stored
 * one it is sent as `null` (the service says it cannot be removed). A published kit's embargo is not sent.
 */
export function kitBodyOf(v: KitFormValues, o: { stored: boolean; published: boolean }): Record<string, unknown> {
  const release = (map: Readonly<Record<string, string>>) => filled(map) ?? (o.stored ? null : undefined);
  const [aboutKind, aboutId = ""] = v.about.split("/");
  const contact: Record<string, unknown> = {};
  if (filled(v.contactLabel)) contact.label = filled(v.contactLabel);
  if (v.email) contact.email = v.email;
  if (v.phone) contact.phone = v.phone;
  const embargo = v.embargoDate === "" && v.embargoTime === "" ? null : v.embargoTime === "" ? v.embargoDate : `${v.embargoDate}T${v.embargoTime}`;
  const body: Record<string, unknown> = {
    title: release(v.title),
    lead: release(v.lead),
    body: release(v.body),
    contact,
    timezone: v.timezone,
    call: aboutKind === "call" ? aboutId : null,
    event: aboutKind === "event" ? aboutId : null,
    ...(o.published ? {} : { embargo }),
  };
  return Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined));
}

/** Which field of the kit form a problem of the API body belongs to. */
function kitFieldOf(apiField: string, primary: string): string {
  const [head = "", sub, third] = apiField.split(".");
  switch (head) {
    case "title":
    case "lead":
    case "body":
      return `${head}.${sub ?? primary}`;
    case "contact":
      return sub === "email" || sub === "phone" ? sub : sub === "label" ? `contactLabel.${third ?? primary}` : "email";
    case "embargo":
      return "embargoDate";
    case "call":
    case "event":
      return "about";
    default:
      return head;
  }
}

/** The service's problems with the kit as the form's, each worded in the editor's language. */
export function kitProblems(problems: readonly FieldProblem[], lang: string, primary: string, published: boolean): FieldProblem[] {
  const out = new Map<string, string>();
  for (const p of problems) {
    const field = kitFieldOf(p.field, primary);
    if (out.has(field)) continue;
    const base = p.field === "contact" ? "contact" : (field.split(".")[0] as string);
    const key = base === "embargoDate" && published ? "embargoPublished" : base;
    out.set(field, t(lang, `presskit:editor.problem.${key}`, { defaultValue: p.message }));
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

/** The values of the upload form (the file itself comes apart, from the multipart reader). */
export function readFileForm(body: Record<string, unknown>, languages: readonly string[]): FileFormValues {
  return {
    kind: str(body, "kind"),
    caption: Object.fromEntries(languages.map((l) => [l, str(body, `caption.${l}`)])),
    credit: str(body, "credit"),
    licence: str(body, "licence"),
  };
}

export const blankFileForm: FileFormValues = { kind: "photo", caption: {}, credit: "", licence: "cc-by" };

/** The description of a file as the API takes it (`parseFileMeta` checks it). */
export function fileMetaOf(v: FileFormValues): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    kind: (fileKinds as readonly string[]).includes(v.kind) ? v.kind : undefined,
    caption: filled(v.caption),
    credit: v.credit.trim() === "" ? undefined : v.credit,
    licence: (licences as readonly string[]).includes(v.licence) ? v.licence : undefined,
  };
  return Object.fromEntries(Object.entries(meta).filter(([, x]) => x !== undefined));
}

const refusalKeys = Object.fromEntries(Object.entries(fileRefusalMessages).map(([reason, message]) => [message, reason]));

/** The service's problems with an upload, next to the upload form's fields, in the editor's language. */
export function fileProblems(problems: readonly FieldProblem[], lang: string, primary: string): FieldProblem[] {
  return problems.map((p) => {
    const [head = "", sub] = p.field.split(".");
    if (head === "file") {
      const reason = refusalKeys[p.message];
      return { field: "file", message: t(lang, `presskit:editor.refusal.${reason ?? "unreadable"}`) };
    }
    const field = head === "caption" ? `caption.${sub ?? primary}` : head;
    return { field, message: t(lang, `presskit:editor.problem.${head}`, { defaultValue: p.message }) };
  });
}

/** The service's problems with a secret link, next to the link form's fields. */
export function linkProblems(problems: readonly FieldProblem[], lang: string): FieldProblem[] {
  return problems.map((p) => {
    const field = p.field === "expiresInDays" ? "days" : "label";
    return { field, message: t(lang, `presskit:editor.problem.${field}`, { defaultValue: p.message }) };
  });
}

/** The largest upload, as people read it in their language ("10 MB", "10 Mo", "300 kB"). */
export function uploadLimit(bytes: number, lang: string): string {
  const mb = bytes / (1024 * 1024);
  const [value, unit] = mb >= 1 ? [Math.floor(mb * 10) / 10, "megabyte"] : [Math.floor(bytes / 1024), "kilobyte"];
  return new Intl.NumberFormat(lang, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
}
