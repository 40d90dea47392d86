import type { LanguageMap } from "../../shared/language.ts";

/** Licences a file of a press kit may carry; journalists read them in the README and on the page. */
export const licences = ["cc-by", "cc-by-sa", "cc0", "all-rights-reserved"] as const;
export type Licence = (typeof licences)[number];

/** The licence as written out (the same in every language: these are the licences' own names). */
export const licenceNames: Record<Licence, string> = {
  "cc-by": "CC BY 4.0",
  "cc-by-sa": "CC BY-SA 4.0",
  cc0: "CC0 1.0",
  "all-rights-reserved": "©",
};

export const licenceUrls: Partial<Record<Licence, string>> = {
  "cc-by": "https://creativecommons.org/licenses/by/4.0/",
  "cc-by-sa": "https://creativecommons.org/licenses/by-sa/4.0/",
  cc0: "https://creativecommons.org/publicdomain/zero/1.0/",
};

/** What a file is for: photos and logos are images (re-encoded), documents are PDFs (metadata cleared). */
export const fileKinds = ["photo", "logo", "document"] as const;
export type FileKind = (typeof fileKinds)[number];

/**
 * A press contact is a role, never required to be a person: a label ("Service presse") and at least
 * one way to reach it (an address of the collective, a phone line).
 */
export interface PressContact {
  readonly label?: LanguageMap | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

/** The text of a kit: the press release per language, the contact, the embargo. */
export interface PressKitText {
  readonly title: LanguageMap;
  readonly lead: LanguageMap;
  /** Sanitized HTML per language (the Markdown turned into HTML on the way in, as for events). */
  readonly body: LanguageMap;
  /** The Markdown the editors wrote, per language. */
  readonly bodySource: LanguageMap;
  readonly contact: PressContact;
  /** Before this instant the kit is invisible (only secret links show it); undefined: no embargo set. */
  readonly embargoAt?: Temporal.Instant | undefined;
  /** The zone the embargo is written and shown in (IANA). */
  readonly timezone: string;
  /** A call to action or an event of the same collective the kit is about. */
  readonly callId?: string | undefined;
  readonly eventId?: string | undefined;
}

/** One file of a kit as pages, the ZIP and the mappers see it. */
export interface PressKitFileView {
  readonly id: string;
  readonly kind: FileKind;
  /** The stored, random name (`<32 hex>.jpg|png|pdf`): nothing of the uploader's file name. */
  readonly name: string;
  readonly mediaType: "image/jpeg" | "image/png" | "application/pdf";
  readonly bytes: number;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly caption: LanguageMap;
  readonly credit: string;
  readonly licence: Licence;
  readonly position: number;
}

export interface PressKitView extends PressKitText {
  readonly id: string;
  readonly apId: URL;
  readonly collective: { readonly id: string; readonly apId: URL; readonly slug: string; readonly primaryLanguage: string; readonly name: LanguageMap };
  readonly files: readonly PressKitFileView[];
  readonly createdAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
  /** When the kit became public (the embargo lifted, or published at once); undefined before. */
  readonly publishedAt?: Temporal.Instant | undefined;
  readonly deletedAt?: Temporal.Instant | undefined;
}

/** A secret read-only link, as its editors see it (the token itself is shown once, when created). */
export interface PressKitLinkView {
  readonly id: string;
  readonly label: string | null;
  readonly createdAt: Temporal.Instant;
  readonly expiresAt: Temporal.Instant;
  readonly revokedAt: Temporal.Instant | null;
}

/** The languages a kit is written in, its collective's primary language first. */
export function kitLanguages(kit: Pick<PressKitView, "title" | "collective">): string[] {
  const langs = Object.keys(kit.title);
  const primary = kit.collective.primaryLanguage;
  return langs.includes(primary) ? [primary, ...langs.filter((l) => l !== primary)] : langs;
}
