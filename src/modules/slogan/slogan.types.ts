import type { LanguageMap } from "../../shared/language.ts";

/** The languages a slogan is written in: those the placards' font and the interface cover. */
export const sloganLanguages = ["fr", "de", "nl", "en"] as const;
export type SloganLanguage = (typeof sloganLanguages)[number];

export const isSloganLanguage = (value: string): value is SloganLanguage => (sloganLanguages as readonly string[]).includes(value);

export const sloganLimits = {
  /** One line per language: what a placard carries in large type and a crowd can chant. */
  text: 120,
  tags: 10,
  tag: 50,
  originName: 200,
} as const;

/** What an editor writes: the text in each language (one line), tags, what it is attached to. */
export interface SloganText {
  readonly text: LanguageMap;
  readonly tags: readonly string[];
  /** A call to action of the same collective. */
  readonly callId?: string | undefined;
  /** An event of the same collective. */
  readonly eventId?: string | undefined;
}

/** Where an adopted slogan comes from: a partner's slogan (shown with it, never lost). */
export interface SloganOrigin {
  /** The original's ActivityPub id. */
  readonly apId: string;
  /** The partner (a collective here or elsewhere) that wrote it. */
  readonly actorApId: string;
  readonly actorName: string | null;
  /** The original's page, when it has one. */
  readonly url: string | null;
}

/** A partner's slogan as the federation layer (or this instance) read it, to adopt it. */
export interface IncomingSlogan {
  readonly apId: URL;
  readonly actorApId: URL;
  readonly actorName?: string | undefined;
  readonly url?: URL | undefined;
  readonly text: LanguageMap;
  readonly tags: readonly string[];
}

/** A slogan with its identity, as mappers, pages, placards and the API receive it. */
export interface SloganView extends SloganText {
  readonly id: string;
  readonly apId: URL;
  /** Grows with every saved change: placards are cached by it, Update ids carry it. */
  readonly version: number;
  readonly published: boolean;
  readonly collective: { readonly id: string; readonly apId: URL; readonly slug: string; readonly primaryLanguage: string; readonly name: LanguageMap };
  readonly origin?: SloganOrigin | undefined;
  /** The call it is attached to, when that call is public (launched and not deleted). */
  readonly call?: { readonly id: string; readonly apId: URL; readonly title: LanguageMap } | undefined;
  /** The event it is attached to, when that event is published and not deleted. */
  readonly event?: { readonly id: string; readonly apId: URL; readonly name: LanguageMap } | undefined;
  readonly createdAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
  readonly publishedAt?: Temporal.Instant | undefined;
  readonly deletedAt?: Temporal.Instant | undefined;
}

/** The languages a slogan is written in, the collective's primary language first when it has it. */
export function languagesOf(slogan: Pick<SloganView, "text" | "collective">): SloganLanguage[] {
  const langs = Object.keys(slogan.text).filter(isSloganLanguage);
  const primary = slogan.collective.primaryLanguage;
  return [...langs.filter((l) => l === primary), ...langs.filter((l) => l !== primary)];
}

/** A followed partner's published slogans, as read for the editor's "adopt a partner's slogan" page. */
export interface PartnerSlogans {
  readonly partner: { readonly actorApId: string; readonly name: string | null; readonly handle: string | null };
  /** Newest first; only Notes that are slogans (a Relais slogan's `nameMap`). */
  readonly slogans: readonly IncomingSlogan[];
  /** The partner's slogans could not be read (its server did not answer, or answered an error). */
  readonly unreadable: boolean;
}
