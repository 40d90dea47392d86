import { createHash } from "node:crypto";
import { fill, match, paths } from "./paths.ts";

/** Identifier of the instance actor (an Application at /@relais.instance); never a valid slug. */
export const instanceIdentifier = "relais.instance";

/**
 * The URL layout of this instance, in one place. Federation, pages and services all build URLs
 * from here and from the configured origin only.
 */
export class Urls {
  readonly origin: URL;
  constructor(origin: URL) {
    this.origin = origin;
  }
  #u(path: string): URL {
    return new URL(path, this.origin);
  }
  collective(slug: string): URL {
    return this.#u(fill(paths.actor, { identifier: slug }));
  }
  collectiveInbox(slug: string): URL {
    return this.#u(fill(paths.actorInbox, { identifier: slug }));
  }
  collectiveOutbox(slug: string): URL {
    return this.#u(fill(paths.actorOutbox, { identifier: slug }));
  }
  collectiveFollowers(slug: string): URL {
    return this.#u(fill(paths.actorFollowers, { identifier: slug }));
  }
  /** The collective's open calls, whole (listed in its actor's `streams`: partners read it, FEDERATION.md). */
  collectiveOpenCalls(slug: string): URL {
    return this.#u(fill(paths.actorOpenCalls, { identifier: slug }));
  }
  sharedInbox(): URL {
    return this.#u(paths.sharedInbox);
  }
  event(id: string): URL {
    return this.#u(fill(paths.event, { id }));
  }
  /** The event as a Note, for servers that do not show an Event (FEDERATION.md). */
  eventNote(eventId: string): URL {
    return this.#u(fill(paths.eventNote, { id: eventId }));
  }
  /** The Note that tells followers what changed in an event (Mastodon shows no Update of an Event). */
  eventChangeNote(eventId: string, version: number): URL {
    return this.#u(fill(paths.eventChangeNote, { id: eventId, version }));
  }
  /** One occurrence of a recurring event ("2026-12-24": the local date the rule gives it). */
  eventOccurrence(eventId: string, date: string): URL {
    return this.#u(fill(paths.eventOccurrence, { id: eventId, date }));
  }
  /** An occurrence as a Note, for servers that do not show an Event. */
  eventOccurrenceNote(eventId: string, date: string): URL {
    return this.#u(fill(paths.eventOccurrenceNote, { id: eventId, date }));
  }
  /** The Note that tells followers what changed in an occurrence (`version`: the event's version of the change). */
  eventOccurrenceChangeNote(eventId: string, date: string, version: number): URL {
    return this.#u(fill(paths.eventOccurrenceChangeNote, { id: eventId, date, version }));
  }
  /** The collection of an event's co-organisers (FEDERATION.md "Co-organised events"). */
  eventCoorganizers(id: string): URL {
    return this.#u(fill(paths.eventCoorganizers, { id }));
  }
  /** Id of an invitation to co-organise an event (the CoorganizeRequest's id). */
  eventCoorganizerInvitation(id: string, invitation: string): URL {
    return this.#u(fill(paths.eventCoorganizerInvitation, { id, invitation }));
  }
  eventIcs(id: string): URL {
    return this.#u(fill(paths.eventIcs, { id }));
  }
  collectiveIcs(slug: string): URL {
    return this.#u(fill(paths.collectiveIcs, { identifier: slug }));
  }
  /** A call to action (an Article at the same URL as its page). */
  call(id: string): URL {
    return this.#u(fill(paths.call, { id }));
  }
  callVersions(id: string): URL {
    return this.#u(fill(paths.callVersions, { id }));
  }
  callVersion(id: string, version: number): URL {
    return this.#u(fill(paths.callVersion, { id, version }));
  }
  /** The Note that tells followers what changed in a call (Mastodon shows no Update of an Article). */
  callChangeNote(id: string, revision: number): URL {
    return this.#u(fill(paths.callChangeNote, { id, revision }));
  }
  /** A slogan (a Note at the same URL as its page). */
  slogan(id: string): URL {
    return this.#u(fill(paths.slogan, { id }));
  }
  /** The id of one of our slogan URLs, or undefined for any other URL. */
  sloganId(url: string | URL): string | undefined {
    const u = typeof url === "string" ? (URL.canParse(url) ? new URL(url) : undefined) : url;
    if (!u || u.origin !== this.origin.origin) return undefined;
    return match(paths.slogan, u.pathname)?.id;
  }
  /** A slogan's placard in one language, size and orientation (always the current version). */
  sloganPlacard(id: string, language: string, size: string, orientation: string): URL {
    return this.#u(fill(paths.sloganPlacard, { id, file: `${language}-${size}-${orientation}.pdf` }));
  }
  /** A slogan's 1200×630 share image in one language, for one version (its URL changes with the text). */
  sloganShareImage(id: string, language: string, version: number): URL {
    return this.#u(fill(paths.sloganShareImage, { id, file: `${language}-v${version}.png` }));
  }
  /** The collection of a call's current signatories. */
  callSignatories(id: string): URL {
    return this.#u(fill(paths.callSignatories, { id }));
  }
  /** Id of an invitation to sign a call (the CosignRequest's id). */
  callInvitation(id: string, invitation: string): URL {
    return this.#u(fill(paths.callInvitation, { id, invitation }));
  }
  /** A stamp this instance's collectives issued (a CosignAuthorization). */
  stamp(id: string): URL {
    return this.#u(fill(paths.stamp, { id }));
  }
  /** The version a stamp signed, as its signer received it (the stamp's `signedText`). */
  stampText(id: string): URL {
    return this.#u(fill(paths.stampText, { id }));
  }
  /** Id of a signer's boost (Announce) of the call its stamp covers; its Undo is `…-undo`. */
  stampAnnounce(stampId: string): URL {
    return new URL(`${this.stamp(stampId).href}#announce`);
  }
  /** Id of the Delete that revokes a stamp. */
  stampDelete(stampId: string): URL {
    return new URL(`${this.stamp(stampId).href}#delete`);
  }
  /** Id of a collective's request to sign an open call (the Create of its stamp, a join request). */
  stampJoin(stampId: string): URL {
    return new URL(`${this.stamp(stampId).href}#join`);
  }
  /** The collection of a call's signatures awaiting reconfirmation (signed an older text). */
  callPendingSignatories(id: string): URL {
    return this.#u(fill(paths.callPendingSignatories, { id }));
  }
  /** Id of a collective's answer (Reject) to an invitation it received. */
  invitationAnswer(slug: string, receivedId: string): URL {
    return this.#u(`${fill(paths.actor, { identifier: slug })}#decline-${receivedId}`);
  }
  /** An uploaded image (a random name given by the media service). */
  media(name: string): URL {
    return this.#u(fill(paths.media, { name }));
  }
  /** A press kit (an Article at the same URL as its page once published). */
  /** An action kit (an Article at the same URL as its page, in the visitor's language). */
  actionKit(id: string): URL {
    return this.#u(fill(paths.actionKit, { id }));
  }
  /** The id of one of our action kit URLs, or undefined for any other URL. */
  actionKitId(url: string | URL): string | undefined {
    const u = typeof url === "string" ? (URL.canParse(url) ? new URL(url) : undefined) : url;
    if (!u || u.origin !== this.origin.origin) return undefined;
    return match(paths.actionKit, u.pathname)?.id;
  }
  /** A kit's page in one language: the form, the letters with blanks. */
  actionKitPage(id: string, lang: string): URL {
    return this.#u(fill(paths.actionKitPage, { id, lang }));
  }
  /** Where a browser counts one letter downloaded (an empty POST, only when the person asked to be counted). */
  actionKitCount(id: string, lang: string): URL {
    return this.#u(fill(paths.actionKitCount, { id, lang }));
  }
  /** A published kit's text as JSON, read by partners to adopt it (FEDERATION.md). */
  actionKitText(id: string | URL): URL {
    return typeof id === "string" ? this.#u(fill(paths.actionKitText, { id })) : new URL(`${id.pathname.replace(/\/$/, "")}/text.json`, id);
  }
  /** Where the counts of copies of a kit are reported; for a kit URL of another server, where a Relais server takes them. */
  actionKitRemoteCounts(id: string | URL): URL {
    return typeof id === "string" ? this.#u(fill(paths.actionKitRemoteCounts, { id })) : new URL(`${id.pathname.replace(/\/$/, "")}/copies/counts`, id);
  }
  /** A collective's published kits as JSON; for an actor URL of another server, where a Relais collective serves them. */
  collectiveKitsJson(slug: string | URL): URL {
    return typeof slug === "string" ? this.#u(fill(paths.collectiveKitsJson, { identifier: slug })) : new URL(`${slug.pathname.replace(/\/$/, "")}/kits.json`, slug);
  }
  collectiveKits(slug: string): URL {
    return this.#u(fill(paths.collectiveKits, { identifier: slug }));
  }
  countryKits(country: string): URL {
    return this.#u(fill(paths.countryKits, { country: country.toLowerCase() }));
  }
  pressKit(id: string): URL {
    return this.#u(fill(paths.pressKit, { id }));
  }
  pressKitFile(id: string, name: string): URL {
    return this.#u(fill(paths.pressKitFile, { id, name }));
  }
  pressKitZip(id: string, lang: string): URL {
    return this.#u(fill(paths.pressKitZip, { id, lang }));
  }
  /** A secret link to a kit under embargo: its page, files and ZIP. */
  pressPreview(token: string): URL {
    return this.#u(fill(paths.pressPreview, { token }));
  }
  pressPreviewFile(token: string, name: string): URL {
    return this.#u(fill(paths.pressPreviewFile, { token, name }));
  }
  pressPreviewZip(token: string, lang: string): URL {
    return this.#u(fill(paths.pressPreviewZip, { token, lang }));
  }
  /** The stored name of one of our media URLs, or undefined for any other URL. */
  mediaName(url: string | URL): string | undefined {
    const u = typeof url === "string" ? (URL.canParse(url) ? new URL(url) : undefined) : url;
    if (!u || u.origin !== this.origin.origin) return undefined;
    return match(paths.media, u.pathname)?.name;
  }
  instanceIcs(): URL {
    return this.#u(paths.instanceIcs);
  }
  /** The instance's calendar page. */
  calendar(): URL {
    return this.#u(paths.calendar);
  }
  /** Id of our Accept (or Reject) of a given Follow: stable, so a re-sent answer keeps its id. */
  followAnswer(slug: string, kind: "accept" | "reject", followActivityId: string): URL {
    const h = createHash("sha256").update(followActivityId).digest("hex").slice(0, 24);
    return this.#u(`${fill(paths.actor, { identifier: slug })}#${kind}-${h}`);
  }
  /**
   * Id of a collective's Follow of a partner. `since` (the partner row's creation, epoch ms) makes a
   * follow made again after an unfollow a new activity; a re-sent Follow keeps its id.
   */
  partnerFollow(slug: string, partnerApId: string, since: number): URL {
    const h = createHash("sha256").update(partnerApId).digest("hex").slice(0, 24);
    return this.#u(`${fill(paths.actor, { identifier: slug })}#follow-${h}-${since.toString(36)}`);
  }
  /** Id of the Undo of a Follow of ours (its own id plus `-undo`: one Undo per Follow). */
  undoOf(activityId: string): URL {
    return new URL(`${activityId}-undo`);
  }
  /** Id of a collective's Announce (relay) of a partner's event: one per (collective, event). */
  partnerAnnounce(slug: string, eventApId: string): URL {
    const h = createHash("sha256").update(eventApId).digest("hex").slice(0, 24);
    return this.#u(`${fill(paths.actor, { identifier: slug })}#announce-${h}`);
  }
  /** Key of the outbox row that forwards the origin's Update (the event's `sequence` here) through a relaying collective. */
  partnerForward(slug: string, eventApId: string, sequence: number): URL {
    return new URL(`${this.partnerAnnounce(slug, eventApId).href}-forward-${sequence}`);
  }
  /** A collective's network agenda (its events and its partners'). */
  collectiveAgenda(slug: string): URL {
    return this.#u(fill(paths.collectiveAgenda, { identifier: slug }));
  }
  collectiveNetworkIcs(slug: string): URL {
    return this.#u(fill(paths.collectiveNetworkIcs, { identifier: slug }));
  }
  instanceAgenda(): URL {
    return this.#u(paths.instanceAgenda);
  }
  instanceNetworkIcs(): URL {
    return this.#u(paths.instanceNetworkIcs);
  }
  /** acct: handle host: with the port when the origin has one. */
  get handleHost(): string {
    return this.origin.host;
  }
}
