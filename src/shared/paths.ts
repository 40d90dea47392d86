/**
 * Every public URL pattern of an instance, spelled once (ADR 0018). Fedify's dispatchers take these
 * templates as they are, Express routes take `route(pattern)`, and `Urls` (hence mappers, pages and
 * services) fills them with `fill(pattern, values)`. Tests name concrete URLs or ask `Urls`.
 *
 * The editor (`/manage`, src/web/editor/paths.ts) and the JSON API (`/api/v1`, with its OpenAPI
 * document) keep their own tables under their own prefixes; a boundary test keeps the patterns below
 * out of every other file.
 */
export const paths = {
  home: "/",
  /** The instance's calendar page. */
  calendar: "/events",
  /** A collective (Group) or the instance actor (Application). */
  actor: "/@{identifier}",
  actorInbox: "/@{identifier}/inbox",
  actorOutbox: "/@{identifier}/outbox",
  actorFollowers: "/@{identifier}/followers",
  sharedInbox: "/inbox",
  event: "/events/{id}",
  /** The event as a Note, for servers that do not show an Event (FEDERATION.md). */
  eventNote: "/events/{id}/note",
  /** The Note that tells followers what changed in an event. */
  eventChangeNote: "/events/{id}/changes/{version}",
  /** One occurrence of a recurring event, federated as an Event of its own (FEDERATION.md "Recurring events"). */
  eventOccurrence: "/events/{id}/occurrences/{date}",
  /** The occurrence as a Note (servers that do not show events), and the notes telling what changed in it. */
  eventOccurrenceNote: "/events/{id}/occurrences/{date}/note",
  eventOccurrenceChangeNote: "/events/{id}/occurrences/{date}/changes/{version}",
  /** The event's co-organisers (PartnerEntry items wrapping each one's stamp), and one invitation (a CoorganizeRequest's id). */
  eventCoorganizers: "/events/{id}/coorganizers",
  eventCoorganizerInvitation: "/events/{id}/coorganizers/invitations/{invitation}",
  eventIcs: "/events/{id}.ics",
  collectiveIcs: "/@{identifier}/events.ics",
  instanceIcs: "/events.ics",
  /** A collective's network agenda (its events and its partners'), and the instance's. */
  collectiveAgenda: "/@{identifier}/agenda",
  collectiveNetworkIcs: "/@{identifier}/network.ics",
  instanceAgenda: "/agenda",
  instanceNetworkIcs: "/network.ics",
  /** Relais's JSON-LD context (the terms of calls, versions and co-signatures). */
  namespace: "/ns",
  /** A call to action (an Article), its immutable versions and the Notes that say what changed in it. */
  call: "/calls/{id}",
  callVersions: "/calls/{id}/versions",
  callVersion: "/calls/{id}/versions/{version}",
  callChangeNote: "/calls/{id}/changes/{revision}",
  /** The call's signatories (PartnerEntry items wrapping each signer's stamp), and one invitation (a CosignRequest's id). */
  callSignatories: "/calls/{id}/signatories",
  /** Signatures awaiting reconfirmation (they signed an older text): not shown or counted as signed. */
  callPendingSignatories: "/calls/{id}/signatories/pending",
  callInvitation: "/calls/{id}/invitations/{invitation}",
  /** A collective's signature of another collective's call (a CosignAuthorization), hosted by the signer. */
  stamp: "/stamps/{id}",
  /** The signer's archived copy of the version its stamp signed (the stamp's `signedText`), the initiator's proof intact. */
  stampText: "/stamps/{id}/text",
  /** A collective's public stamps (its signatures of other collectives' calls that are public). */
  actorEndorsements: "/@{identifier}/endorsements",
  /** A collective's open calls, their Articles whole (followers read it once their follow is accepted). */
  actorOpenCalls: "/@{identifier}/open-calls",
  /** An uploaded image (a random name given by the media service). */
  media: "/media/{name}",
  /** A slogan (a Note), its placards (`fr-a4-portrait.pdf`) and its share images (`fr-v3.png`). */
  slogan: "/slogans/{id}",
  sloganPlacard: "/slogans/{id}/placards/{file}",
  sloganShareImage: "/slogans/{id}/images/{file}",
  /** A press kit (an Article once published), its files and its ZIP per language; 404 under embargo. */
  pressKit: "/presskits/{id}",
  pressKitFile: "/presskits/{id}/files/{name}",
  pressKitZip: "/presskits/{id}/presskit-{lang}.zip",
  /** A secret read-only link to a kit before its embargo (never indexed), its files and ZIP. */
  pressPreview: "/press-preview/{token}",
  pressPreviewFile: "/press-preview/{token}/files/{name}",
  pressPreviewZip: "/press-preview/{token}/presskit-{lang}.zip",
  /** An action kit (an Article once published), its page in one language and its opt-in counter (POST, empty). */
  actionKit: "/kits/{id}",
  actionKitPage: "/kits/{id}/{lang}",
  actionKitCount: "/kits/{id}/{lang}/count",
  /** A published kit's text as JSON (what an editor writes), for partners on other servers to adopt it. */
  actionKitText: "/kits/{id}/text.json",
  /** Where another server reports the counts of its copy of a kit (a signed POST, ADR 0032). */
  actionKitRemoteCounts: "/kits/{id}/copies/counts",
  /** The published action kits of a collective, and of a country (ISO 3166-1 alpha-2, lower case). */
  collectiveKits: "/@{identifier}/kits",
  /** A collective's published kits as JSON (their ids and titles), for its partners' editors to pick one to adopt. */
  collectiveKitsJson: "/@{identifier}/kits.json",
  countryKits: "/countries/{country}/kits",
} as const;

export type PathPattern = (typeof paths)[keyof typeof paths];

/** The variable names of a pattern, as a union of string literal types. */
export type PathVariables<P extends string> = P extends `${string}{${infer V}}${infer Rest}` ? V | PathVariables<Rest> : never;

export type PathValues<P extends string> = { readonly [K in PathVariables<P>]: string | number };

const variable = /\{(\w+)\}/g;

/** The Express 5 route of a pattern: `/events/{id}` → `/events/:id`. */
export function route(pattern: PathPattern): string {
  return pattern.replace(variable, ":$1");
}

/** A concrete path: each value percent-encoded into its place. */
export function fill<P extends PathPattern>(pattern: P, values: PathValues<P>): string {
  return pattern.replace(variable, (_, name: string) => encodeURIComponent(String((values as Record<string, string | number>)[name])));
}

/** The values of a concrete path that has the pattern's shape (decoded), or undefined. */
export function match<P extends PathPattern>(pattern: P, path: string): Record<PathVariables<P>, string> | undefined {
  return matcher(pattern)(path);
}

/** `match` for one pattern, its regular expression built once: for code that matches every request. */
export function matcher<P extends PathPattern>(pattern: P): (path: string) => Record<PathVariables<P>, string> | undefined {
  const names: string[] = [];
  const source = pattern
    .split(variable)
    .map((part, i) => {
      if (i % 2 === 1) {
        names.push(part);
        return "([^/]+)";
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    })
    .join("");
  const regexp = new RegExp(`^${source}$`);
  return (path) => {
    const found = regexp.exec(path);
    if (!found) return undefined;
    try {
      return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] as string)])) as Record<PathVariables<P>, string>;
    } catch {
      return undefined; // malformed percent-encoding
    }
  };
}
