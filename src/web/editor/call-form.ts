// The call form as plain values, and the conversions form → API body → form, as for events
// (event-form.ts): the form speaks in fields a person fills (a date, a time, one input per demand and
// language), the service speaks the API's body. Problems the service finds are mapped back onto the
// form's fields, with messages in the editor's language.
import type { CallView } from "../../modules/call/call.types.ts";
import { storedMediaType } from "../../modules/media/media.service.ts";
import type { FieldProblem } from "../../shared/errors.ts";
import { t } from "../../shared/i18n.ts";
import { canonicalLanguage } from "../../shared/language.ts";

export interface CallFormValues {
  /** Languages of the text, the collective's primary language first. */
  readonly languages: readonly string[];
  readonly title: Readonly<Record<string, string>>;
  readonly pitch: Readonly<Record<string, string>>;
  /** The Markdown (or HTML) source of the text. */
  readonly body: Readonly<Record<string, string>>;
  /** Demand i in each language (the same index in every language is the same demand). */
  readonly demands: readonly Readonly<Record<string, string>>[];
  readonly deadlineDate: string;
  readonly deadlineTime: string;
  readonly timezone: string;
  /** Ids of this collective's events the call is about. */
  readonly relatedEvents: readonly string[];
  /** The stored name of the call's image (an upload of ours), or "" for none. */
  readonly image: string;
  readonly imageAlt: Readonly<Record<string, string>>;
  /** The version and the time of the last save the form was opened at (a later save makes it stale). */
  readonly seenVersion: number;
  readonly seenUpdatedAt: number;
}

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === "string" ? (body[key] as string) : "");
const int = (body: Record<string, unknown>, key: string): number => {
  const n = Number(str(body, key));
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
};

/** Most demand rows a form carries (the service accepts 30). */
const maxDemandRows = 30;

/** The values of a submitted form (whatever was typed, valid or not: nothing is lost). */
export function readCallForm(body: Record<string, unknown>, primaryLanguage: string): CallFormValues {
  const listed = str(body, "languages").split(",").map((l) => canonicalLanguage(l.trim())).filter((l): l is string => l !== undefined);
  const languages = [...new Set([primaryLanguage, ...listed])].slice(0, 20);
  const perLanguage = (field: string) => Object.fromEntries(languages.map((l) => [l, str(body, `${field}.${l}`)]));
  const rows = Math.min(Math.max(int(body, "demandRows"), 0), maxDemandRows);
  const demands = Array.from({ length: rows }, (_, i) => perLanguage(`demand.${i}`));
  // The empty rows at the end are the form's spare ones, not demands.
  while (demands.length > 0 && Object.values(demands.at(-1) ?? {}).every((d) => d.trim() === "")) demands.pop();
  const relatedEvents = Object.keys(body)
    .filter((k) => k.startsWith("event.") && body[k] === "1")
    .map((k) => k.slice("event.".length))
    .filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  return {
    languages,
    title: perLanguage("title"),
    pitch: perLanguage("pitch"),
    body: perLanguage("body"),
    demands,
    deadlineDate: str(body, "deadlineDate").trim(),
    deadlineTime: str(body, "deadlineTime").trim(),
    timezone: str(body, "timezone").trim(),
    relatedEvents,
    image: body.removeImage === "1" || !storedMediaType(str(body, "image")) ? "" : str(body, "image"),
    imageAlt: perLanguage("imageAlt"),
    seenVersion: int(body, "seenVersion"),
    seenUpdatedAt: int(body, "seenUpdatedAt"),
  };
}

/** An empty form for a new call of a collective. */
export function blankCallForm(primaryLanguage: string, timezone: string): CallFormValues {
  return {
    languages: [primaryLanguage],
    title: {},
    pitch: {},
    body: {},
    demands: [],
    deadlineDate: "",
    deadlineTime: "",
    timezone,
    relatedEvents: [],
    image: "",
    imageAlt: {},
    seenVersion: 0,
    seenUpdatedAt: 0,
  };
}

/** The form of a stored call; `mediaName` tells the name of one of our images from its URL. */
export function callFormOf(call: CallView, mediaName: (url: string) => string | undefined): CallFormValues {
  const deadline = call.deadline?.toZonedDateTimeISO(call.timezone);
  const languages = [...new Set([call.collective.primaryLanguage, ...Object.keys(call.title), ...Object.keys(call.bodySource), ...Object.keys(call.pitch ?? {})])];
  return {
    languages,
    title: { ...call.title },
    pitch: { ...(call.pitch ?? {}) },
    body: { ...call.bodySource },
    demands: call.demands.map((d) => ({ ...d })),
    deadlineDate: deadline?.toPlainDate().toString() ?? "",
    deadlineTime: deadline ? deadline.toPlainTime().toString({ smallestUnit: "minute" }) : "",
    timezone: call.timezone,
    relatedEvents: [...call.relatedEvents],
    image: (call.image && mediaName(call.image.url)) ?? "",
    imageAlt: { ...(call.image?.alt ?? {}) },
    seenVersion: call.version,
    seenUpdatedAt: call.updatedAt.epochMilliseconds,
  };
}

/** The form with one more demand row. */
export const withDemandRow = (v: CallFormValues): CallFormValues =>
  v.demands.length >= maxDemandRows ? v : { ...v, demands: [...v.demands, {}] };

/** The form with one more language, copied from another when asked ("start a translation by copying"). */
export function withCallLanguage(v: CallFormValues, body: Record<string, unknown>): CallFormValues {
  const added = typeof body.addLanguage === "string" ? body.addLanguage : "";
  if (!/^[a-z]{2}$/.test(added) || v.languages.includes(added)) return v;
  const from = typeof body.copyFrom === "string" && v.languages.includes(body.copyFrom) ? body.copyFrom : undefined;
  const copy = (map: Readonly<Record<string, string>>) => ({ ...map, [added]: from ? (map[from] ?? "") : "" });
  return {
    ...v,
    languages: [...v.languages, added],
    title: copy(v.title),
    pitch: copy(v.pitch),
    body: copy(v.body),
    demands: v.demands.map(copy),
    imageAlt: copy(v.imageAlt),
  };
}

const nonEmpty = (map: Readonly<Record<string, string>>, languages: readonly string[]) => {
  const entries = languages.map((l) => [l, map[l] ?? ""] as const).filter(([, v]) => v.trim() !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : null;
};

/** The demands of the form as the API's list: rows left empty in every language are dropped. */
export function demandsOf(v: CallFormValues): Record<string, string>[] {
  return v.demands.map((d) => nonEmpty(d, v.languages)).filter((d): d is Record<string, string> => d !== null);
}

/** The API body of a form (the service validates it); `null` clears what the form left empty. */
export function callBodyOf(v: CallFormValues, mediaUrl: (name: string) => URL): Record<string, unknown> {
  const deadline = v.deadlineDate === "" ? null : v.deadlineTime === "" ? v.deadlineDate : `${v.deadlineDate}T${v.deadlineTime}`;
  return {
    title: nonEmpty(v.title, v.languages) ?? {},
    pitch: nonEmpty(v.pitch, v.languages),
    body: nonEmpty(v.body, v.languages) ?? {},
    demands: demandsOf(v),
    deadline,
    ...(v.timezone ? { timezone: v.timezone } : {}),
    relatedEvents: [...v.relatedEvents],
    image: v.image
      ? { url: mediaUrl(v.image).href, mediaType: storedMediaType(v.image), ...(nonEmpty(v.imageAlt, v.languages) ? { alt: nonEmpty(v.imageAlt, v.languages) } : {}) }
      : null,
  };
}

/**
 * What a person must fix before the call can be saved, all at once: the form's own checks (each
 * language of the call has its title and its text, a date and time as the inputs give them) and the
 * service's rules (`parse`, the call schema's pure check: limits, characters, the image's origin).
 */
export function checkCallForm(
  v: CallFormValues,
  lang: string,
  parse: (body: Record<string, unknown>) => readonly FieldProblem[],
  mediaUrl: (name: string) => URL,
): FieldProblem[] {
  const own: FieldProblem[] = [];
  const has = (map: Readonly<Record<string, string>>, l: string) => (map[l] ?? "").trim() !== "";
  for (const l of v.languages) {
    const first = l === v.languages[0];
    if (!has(v.title, l) && (first || has(v.body, l))) own.push({ field: `title.${l}`, message: t(lang, "editor:call.problem.title") });
    if (!has(v.body, l) && (first || has(v.title, l))) own.push({ field: `body.${l}`, message: t(lang, "editor:call.problem.body") });
  }
  if (v.deadlineDate !== "" && !/^\d{4}-\d{2}-\d{2}$/.test(v.deadlineDate)) own.push({ field: "deadlineDate", message: t(lang, "editor:call.problem.deadlineDate") });
  if (v.deadlineTime !== "" && !/^\d{2}:\d{2}$/.test(v.deadlineTime)) own.push({ field: "deadlineDate", message: t(lang, "editor:call.problem.deadlineDate") });
  const problems = [...own, ...callFormProblems(parse(callBodyOf(v, mediaUrl)), lang, v), ...callImageProblems(v, lang)];
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.field) && seen.add(p.field));
}

/** Problems the API would not see: an image needs its description in every language the call is written in. */
export function callImageProblems(v: CallFormValues, lang: string): FieldProblem[] {
  if (!v.image) return [];
  return v.languages
    .filter((l) => (v.title[l] ?? "").trim() !== "" && (v.imageAlt[l] ?? "").trim() === "")
    .map((l) => ({ field: `imageAlt.${l}`, message: t(lang, "editor:call.problem.imageAlt") }));
}

/**
 * Which form field a problem of the API body belongs to. Demands are numbered among the non-empty rows
 * (`demands.2.fr`): `rowOf` turns that index back into the form's row.
 */
export function callFormFieldOf(apiField: string, rowOf: (index: number) => number): string {
  const [head = "", sub, third] = apiField.split(".");
  switch (head) {
    case "title":
    case "pitch":
    case "body":
      return sub ? `${head}.${sub}` : head === "title" || head === "body" ? `${head}.` : head;
    case "demands":
      return sub !== undefined && /^\d+$/.test(sub) ? `demand.${rowOf(Number(sub))}${third ? `.${third}` : ""}` : "demands";
    case "deadline":
      return "deadlineDate";
    case "timezone":
      return "timezone";
    case "relatedEvents":
      return "relatedEvents";
    case "image":
      return sub === "alt" ? `imageAlt.${third ?? ""}` : "image";
    default:
      return head;
  }
}

/** The service's problems as the form's, with a message in the editor's language where we have one. */
export function callFormProblems(problems: readonly FieldProblem[], lang: string, v: CallFormValues): FieldProblem[] {
  const filled = v.demands.map((d, i) => (nonEmpty(d, v.languages) ? i : -1)).filter((i) => i >= 0);
  const out = new Map<string, string>();
  for (const p of problems) {
    let field = callFormFieldOf(p.field, (index) => filled[index] ?? index);
    // A required text missing in every language belongs to the primary language's input.
    if (field.endsWith(".")) field = `${field}${v.languages[0] ?? ""}`;
    if (out.has(field)) continue;
    const base = field.split(".")[0] as string;
    out.set(field, t(lang, `editor:call.problem.${base}`, { defaultValue: p.message }));
  }
  return [...out].map(([field, message]) => ({ field, message }));
}
