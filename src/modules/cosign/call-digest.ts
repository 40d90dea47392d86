import { createHash } from "node:crypto";
import { canonicalJson } from "../../shared/eddsa-jcs-2022.ts";
import type { LanguageMap } from "../../shared/language.ts";

/**
 * What a co-signature pins (design §4.2, FEDERATION.md "Co-signed calls"): one version of a call, as
 * its `CallVersion` document carries it. The initiator builds it from its stored version; a signer
 * reads it from the document it fetched; both compute the same digests from it.
 */
export interface SignableVersion {
  /** The call's ActivityPub id. */
  readonly call: string;
  /** The initiating collective's actor id. */
  readonly initiator: string;
  readonly version: number;
  /** Plain-text title per language. */
  readonly name: LanguageMap;
  /** The plain-text pitch per language (may lack languages). */
  readonly summary: LanguageMap;
  /** The sanitized HTML body per language, byte for byte as stored. */
  readonly content: LanguageMap;
  readonly demands: readonly LanguageMap[];
  /** The signing deadline with the offset of the call's zone, or null. */
  readonly deadline: string | null;
  /** The related events' ids (URLs). */
  readonly relatedEvents: readonly string[];
}

/** A language's digest: multibase ("u", base64url) multihash (sha2-256) of its signable text. */
export interface TextDigest {
  readonly language: string;
  readonly digest: string;
}

/** The languages a signer may sign: those in which the title, the text and every demand exist. */
export function signableLanguages(v: SignableVersion): string[] {
  return Object.keys(v.name).filter((l) => typeof v.content[l] === "string" && v.demands.every((d) => typeof d[l] === "string"));
}

/** T(V, L): the JCS (RFC 8785) of what a signature in language L covers. */
export function signableText(v: SignableVersion, language: string): string {
  return canonicalJson({
    call: v.call,
    initiator: v.initiator,
    language,
    name: v.name[language] ?? "",
    summary: v.summary[language] ?? "",
    content: v.content[language] ?? "",
    demands: v.demands.map((d) => d[language] ?? ""),
    deadline: v.deadline,
    relatedEvents: [...v.relatedEvents].sort(),
  });
}

/** d(V, L) = "u" + base64url-nopad(0x12 0x20 ‖ SHA-256(UTF-8(T(V, L)))). */
export function textDigest(v: SignableVersion, language: string): string {
  const hash = createHash("sha256").update(signableText(v, language), "utf8").digest();
  return `u${Buffer.concat([Buffer.from([0x12, 0x20]), hash]).toString("base64url")}`;
}

/** The digests of every signable language, in the version's language order. */
export function versionDigests(v: SignableVersion): TextDigest[] {
  return signableLanguages(v).map((language) => ({ language, digest: textDigest(v, language) }));
}

/**
 * Whether every digest a signature covers is still the version's: a new translation (a language the
 * signature does not cover) changes nothing; a changed covered language does.
 */
export function coversUnchanged(signed: readonly TextDigest[], current: readonly TextDigest[]): boolean {
  const now = new Map(current.map((d) => [d.language, d.digest]));
  return signed.length > 0 && signed.every((d) => now.get(d.language) === d.digest);
}

/**
 * Why a stamp's digests do not match the version it pins, or null when they do: it covers at least one
 * language, each digest it carries is the version's for that language, and it covers the call's
 * authoritative language. The initiator checks this for an invited signature and for a join request alike.
 */
export function stampDigestMismatch(stamp: readonly TextDigest[], version: SignableVersion, authoritativeLanguage: string): string | null {
  const expected = new Map(versionDigests(version).map((d) => [d.language, d.digest]));
  if (stamp.length === 0) return "the stamp covers no language";
  for (const d of stamp) {
    if (expected.get(d.language) !== d.digest) return `the stamp's digest for ${d.language} is not the version's`;
  }
  if (!stamp.some((d) => d.language === authoritativeLanguage)) return `the stamp does not cover the call's authoritative language (${authoritativeLanguage})`;
  return null;
}

/** The signable form of one stored version of a local call (the initiator's side). */
export function signableFromText(
  text: {
    readonly title: LanguageMap;
    readonly pitch?: LanguageMap | undefined;
    readonly body: LanguageMap;
    readonly demands: readonly LanguageMap[];
    readonly deadline?: Temporal.Instant | undefined;
    readonly timezone: string;
    readonly relatedEvents: readonly string[];
  },
  ids: { readonly call: string; readonly initiator: string; readonly version: number; readonly eventUrl: (id: string) => string },
): SignableVersion {
  return {
    call: ids.call,
    initiator: ids.initiator,
    version: ids.version,
    name: { ...text.title },
    summary: { ...(text.pitch ?? {}) },
    content: { ...text.body },
    demands: text.demands.map((d) => ({ ...d })),
    deadline: text.deadline ? text.deadline.toZonedDateTimeISO(text.timezone).toString({ timeZoneName: "never", smallestUnit: "second" }) : null,
    relatedEvents: text.relatedEvents.map(ids.eventUrl),
  };
}

/** The text of each signable language as editors read it before signing (title, pitch, HTML body, demands). */
export type SignableTexts = Record<string, { readonly title: string; readonly pitch: string; readonly bodyHtml: string; readonly demands: readonly string[] }>;

export function signableTexts(v: SignableVersion, languages: readonly string[] = signableLanguages(v)): SignableTexts {
  return Object.fromEntries(
    languages.map((l) => [l, { title: v.name[l] ?? "", pitch: v.summary[l] ?? "", bodyHtml: v.content[l] ?? "", demands: v.demands.map((d) => d[l] ?? "") }]),
  );
}
