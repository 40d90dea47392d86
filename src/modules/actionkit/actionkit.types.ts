import type { LanguageMap } from "../../shared/language.ts";

/**
 * What a letter field holds: one line, several lines (an address, free text), a date, an e-mail address
 * or a number (a file number may have letters: it is `text`). The browser shows the matching input.
 */
export const kitFieldKinds = ["text", "multiline", "date", "email", "number"] as const;
export type KitFieldKind = (typeof kitFieldKinds)[number];

/** A named blank of the kit's letters: `{{name}}` in a template is replaced by what the person types. */
export interface KitField {
  /** Lower-case letters, digits and `_`, starting with a letter ("file_number"). */
  readonly name: string;
  /** What the form shows, per language. */
  readonly label: LanguageMap;
  readonly kind: KitFieldKind;
  readonly required: boolean;
  /** A short help line under the input, per language (optional). */
  readonly hint?: LanguageMap | undefined;
}

/** A letter template: its title and its text per language, with `{{field}}` blanks. */
export interface KitLetter {
  /** Lower-case letters, digits and `-` ("access-request"): its PDF's file name. */
  readonly key: string;
  readonly title: LanguageMap;
  readonly body: LanguageMap;
}

/** What a version pins: everything an editor writes. */
export interface ActionKitText {
  readonly title: LanguageMap;
  /** What the kit is for and who it helps (plain text, paragraphs separated by blank lines). */
  readonly explanation: LanguageMap;
  /** ISO 3166-1 alpha-2, upper case ("FR", "DE", "NL", "BE"). */
  readonly country: string;
  /** The institution it targets ("CAF", "Jobcenter"), per language. */
  readonly institution: LanguageMap;
  /** The law the letters rest on ("RGPD, article 15"), per language. */
  readonly legalBasis: LanguageMap;
  /** The steps to follow (where to send, deadlines, what to do with the answer), each per language. */
  readonly steps: readonly LanguageMap[];
  readonly fields: readonly KitField[];
  readonly letters: readonly KitLetter[];
}

export const kitLimits = {
  title: 200,
  explanation: 5_000,
  institution: 200,
  legalBasis: 500,
  step: 1_000,
  steps: 20,
  fields: 30,
  label: 200,
  hint: 300,
  letters: 10,
  letterTitle: 200,
  letterBody: 20_000,
  languages: 20,
  originName: 200,
} as const;

/** Where an adopted kit comes from: a partner's kit (shown with it, never lost). */
export interface KitOrigin {
  readonly apId: string;
  readonly actorApId: string;
  readonly actorName: string | null;
  readonly url: string | null;
}

/** A partner's kit as the federation layer (or this instance) read it, to adopt it. */
export interface IncomingKit {
  readonly apId: URL;
  readonly actorApId: URL;
  readonly actorName?: string | undefined;
  readonly url?: URL | undefined;
  readonly text: ActionKitText;
}

/** A kit with its identity, as mappers, pages and the API receive it. */
export interface ActionKitView extends ActionKitText {
  readonly id: string;
  readonly apId: URL;
  /** The current version's number; 0 while a draft has none. Each saved change of a published kit is a new one. */
  readonly version: number;
  readonly published: boolean;
  readonly collective: { readonly id: string; readonly apId: URL; readonly slug: string; readonly primaryLanguage: string; readonly name: LanguageMap };
  readonly origin?: KitOrigin | undefined;
  readonly createdAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
  readonly publishedAt?: Temporal.Instant | undefined;
  readonly deletedAt?: Temporal.Instant | undefined;
}

/** One immutable version of a kit's text. */
export interface ActionKitVersionView extends ActionKitText {
  readonly kitId: string;
  readonly version: number;
  readonly createdAt: Temporal.Instant;
}

/**
 * The opt-in count of letters downloaded across the network: per language, and in all (this kit, the
 * kits here adopted from it, and what other servers reported for their copies); `otherServers` is the
 * part those reports make.
 */
export interface KitCount {
  readonly total: number;
  readonly byLanguage: Readonly<Record<string, number>>;
  readonly otherServers: number;
}

/**
 * A kit's count split for its editors: per language, what was counted here (this kit and the kits here
 * adopted from it) and what other servers reported; per server (its host), the sum of its copies' last
 * reported counts and when its last report was received.
 */
export interface KitCountDetail extends KitCount {
  readonly languages: readonly { readonly language: string; readonly here: number; readonly otherServers: number }[];
  readonly servers: readonly {
    readonly server: string;
    readonly copies: number;
    readonly total: number;
    readonly byLanguage: Readonly<Record<string, number>>;
    readonly lastReportAt: Temporal.Instant;
  }[];
}

/** What became of counts another server reported for its copy of one of our kits (`kept`: what counts of them, ADR 0036). */
export type RemoteCountOutcome = { ok: true; created: boolean; kept: Readonly<Record<string, number>> } | { ok: false; reason: "unknown-kit" } | { ok: false; reason: "too-soon"; retryAfterSeconds: number };

/** The languages a kit is written in (those of its title), the collective's primary language first. */
export function kitLanguages(kit: Pick<ActionKitText, "title">, primary: string): string[] {
  const langs = Object.keys(kit.title);
  return [...langs.filter((l) => l === primary), ...langs.filter((l) => l !== primary)];
}

/** A published kit of a partner, as listed for editors to adopt one. */
export interface PartnerKitItem {
  readonly apId: URL;
  readonly title: LanguageMap;
  readonly country: string;
}

/** The published kits of one partner (`unreadable`: its server could not be read). */
export interface PartnerKits {
  readonly partner: { readonly actorApId: string; readonly name: string | null; readonly handle: string | null };
  readonly kits: readonly PartnerKitItem[];
  readonly unreadable: boolean;
}
