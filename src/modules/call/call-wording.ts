import type { Translate } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import type { CallChangeKind, CallStatus, CallText, RelatedEvent } from "./call.types.ts";

/** What the summary line and change notes need of a call. */
export interface WordedCall {
  readonly title: LanguageMap;
  readonly status: CallStatus;
  readonly deadline?: Temporal.Instant | undefined;
  readonly timezone: string;
  readonly events: readonly Pick<RelatedEvent, "startsAt" | "timezone" | "allDay">[];
  readonly version: number;
  /** New signatories (a "signatories" note): their names. */
  readonly signatories?: readonly string[] | undefined;
}

/** The summary Mastodon shows under an Article's name is cut at 500 characters (FEP-b2b8). */
export const summaryLimit = 500;

function capitalize(text: string, language: string): string {
  return text.charAt(0).toLocaleUpperCase(language) + text.slice(1);
}

/** The languages of a call, the primary first. */
export function callLanguages(text: Pick<CallText, "title">, primary: string): string[] {
  return [...new Set([primary, ...Object.keys(text.title)])].filter((l) => l === primary || l in text.title);
}

/**
 * How a call is worded for people, in their language: its status, the day of action and the signing
 * deadline, the summary line Mastodon shows, the change notes. `t` is the translator the composition
 * root gives.
 */
export function callWording(t: Translate) {
  /** "samedi 8 mars 2027": the local date of the day of action (the first related event). */
  function dayOfAction(call: WordedCall, language: string): string | undefined {
    const first = [...call.events].sort((a, b) => Temporal.Instant.compare(a.startsAt, b.startsAt))[0];
    if (!first) return undefined;
    return dateTimeFormat(language, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: first.timezone }).format(
      new Date(first.startsAt.epochMilliseconds),
    );
  }

  /** "1 mars 2027, 23:59": when signing closes, in the call's zone. */
  function deadlineText(call: Pick<WordedCall, "deadline" | "timezone">, language: string): string | undefined {
    if (!call.deadline) return undefined;
    return dateTimeFormat(language, { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: call.timezone }).format(
      new Date(call.deadline.epochMilliseconds),
    );
  }

  /** "Appel", "Signatures closes", "Appel retiré"… */
  function statusLabel(status: CallStatus, language: string): string {
    return t(language, `call:status.${status}`);
  }

  /** "Journée d'action samedi 8 mars 2027 · signatures jusqu'au 1 mars 2027, 23:59" (without status). */
  function datesLine(call: WordedCall, language: string): string | undefined {
    const parts: string[] = [];
    const day = dayOfAction(call, language);
    if (day) parts.push(t(language, "call:summary.dayOfAction", { date: day }));
    const deadline = deadlineText(call, language);
    if (deadline && call.status === "open") parts.push(t(language, "call:summary.deadline", { date: deadline }));
    if (parts.length === 0) return undefined;
    return capitalize(parts.join(" · "), language);
  }

  /**
   * The lines of the `summary` of the call's Article (FEP-b2b8): Mastodon shows it under the title and
   * nothing of the body. The status and the dates in the primary language, then the dates in every
   * other language of the call ("DE: Aktionstag …"); no counts (they would go stale). Languages whose
   * line would take the text past `limit` characters (lines joined by one character) are left out,
   * the last first.
   */
  function summaryLines(call: WordedCall, primary: string, limit = summaryLimit, cost: (line: string) => number = (l) => l.length + 1): string[] {
    const firstDates = datesLine(call, primary);
    const head = [statusLabel(call.status, primary), firstDates].filter(Boolean).join(" · ");
    const lines = [head];
    let used = cost(head);
    for (const lang of callLanguages(call, primary).slice(1)) {
      const dates = datesLine(call, lang);
      if (!dates) continue;
      const line = t(lang, "call:summary.otherLanguage", { language: lang.toUpperCase(), text: dates });
      if (used + cost(line) > limit) break;
      lines.push(line);
      used += cost(line);
    }
    return lines;
  }

  /** The summary as plain text, one line per language, at most 500 characters. */
  function mastodonSummary(call: WordedCall, primary: string): string {
    const text = summaryLines(call, primary).join("\n");
    return text.length > summaryLimit ? `${text.slice(0, summaryLimit - 1)}…` : text;
  }

  /**
   * The change note of one revision in `language`, as plain text without the link (the Note builder
   * adds it):
   *
   *     Nouvelle version (3) de l'appel « Stop au contrôle algorithmique »
   *     Signatures jusqu'au 8 mars 2027, 23:59
   */
  function changeNoteText(kinds: readonly CallChangeKind[], call: WordedCall, language: string, primary: string): string {
    const title = pickLanguage(call.title, [language], primary)?.text ?? "";
    const lines: string[] = [];
    if (kinds.includes("withdrawn")) lines.push(t(language, "call:change.withdrawn", { title }));
    else if (kinds.includes("closed")) lines.push(t(language, "call:change.closed", { title }));
    else if (kinds.includes("signatories")) lines.push(t(language, "call:change.signatories", { title, count: call.signatories?.length ?? 0, names: (call.signatories ?? []).join(", ") }));
    else if (kinds.includes("text")) lines.push(t(language, "call:change.text", { title, version: call.version }));
    else lines.push(t(language, "call:change.other", { title }));
    if (kinds.includes("deadline")) {
      const deadline = deadlineText(call, language);
      lines.push(deadline ? t(language, "call:change.deadline", { date: deadline }) : t(language, "call:change.noDeadline"));
    }
    if (kinds.includes("events")) {
      const day = dayOfAction(call, language);
      lines.push(day ? t(language, "call:change.dayOfAction", { date: day }) : t(language, "call:change.noDayOfAction"));
    }
    return lines.join("\n");
  }

  /** The change note in every language of the call, the primary first. */
  function changeNote(kinds: readonly CallChangeKind[], call: WordedCall, primary: string): LanguageMap {
    return Object.fromEntries(callLanguages(call, primary).map((lang) => [lang, changeNoteText(kinds, call, lang, primary)]));
  }

  return { dayOfAction, deadlineText, statusLabel, datesLine, summaryLines, mastodonSummary, changeNote };
}

export type CallWording = ReturnType<typeof callWording>;
