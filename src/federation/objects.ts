/**
 * The AS2 objects that are not actors (events, their Notes, change notes…), served from one table
 * (ADR 0018). Actors, their collections and the inboxes are Fedify's dispatchers (actors.ts,
 * federation.ts); Fedify's object dispatchers do not fit the rest: one dispatcher per vocabulary class
 * (two kinds of Note, and partner events beside ours, would collide) and no 410 for a Tombstone.
 *
 * Each kind names its pattern in the path table and loads its document; `as2ObjectRoutes` serves the
 * table to servers that ask for ActivityStreams and lets every other request through to the HTML pages
 * on the same canonical URL. A new kind of object is one more row.
 */
import type { Federation } from "@fedify/fedify";
import { type Request, Router } from "express";
import type { CallWording } from "../modules/call/call-wording.ts";
import type { CallService } from "../modules/call/call.service.ts";
import { versionDigests } from "../modules/cosign/call-digest.ts";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { EventWording } from "../modules/event/event-summary.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { SloganWording } from "../modules/slogan/slogan-wording.ts";
import { sloganNoteDocument, sloganTombstoneDocument } from "./mappers/slogan.mapper.ts";
import { fill, type PathPattern, type PathVariables, paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { callChangeNoteDocument, callDocument, callTombstoneDocument } from "./mappers/call.mapper.ts";
import { openCallsDocument } from "./mappers/partner-call.mapper.ts";
import { callVersionDocument, cosignContext, signatoriesDocument, stampDocument, stampTombstoneDocument } from "./mappers/cosign.mapper.ts";
import { signWithActorKey } from "./object-proofs.ts";
import { changeNote, changeNoteDocument, tombstoneResponseDocument } from "./mappers/event-activity.mapper.ts";
import { relaisContextDocument } from "./mappers/relais-context.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { ActionKitWording } from "../modules/actionkit/actionkit-wording.ts";
import { actionKitDocument, actionKitTombstoneDocument } from "./mappers/actionkit.mapper.ts";
import { pressKitDocument, pressKitTombstoneDocument } from "./mappers/presskit.mapper.ts";
import { eventToJsonLd, type JsonObject } from "./mappers/event.mapper.ts";
import { eventNote, eventNoteDocument } from "./mappers/event-note.mapper.ts";
import type { CoorganiseHostService } from "../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../modules/coorganise/coorganise-partner.service.ts";
import { coorganizersDocument, coorganizeStampDocument, coorganizeTombstoneDocument, withOrganizers } from "./mappers/coorganise.mapper.ts";

/** What an object URL answers to a server: the document (200), or its Tombstone (410 Gone). */
export type As2Answer = { readonly status: 200 | 410; readonly document: JsonObject };

/** Who signed the GET (the key owner of a valid HTTP signature), asked only when a document is not public. */
export type Viewer = () => Promise<URL | null>;

export interface As2ObjectKind<P extends PathPattern = PathPattern> {
  readonly path: P;
  /** The answer for one URL of this kind, or undefined when there is no such (public) object: 404. */
  load(values: Readonly<Record<PathVariables<P>, string>>, viewer: Viewer): Promise<As2Answer | undefined>;
}

function kind<P extends PathPattern>(path: P, load: As2ObjectKind<P>["load"]): As2ObjectKind {
  return { path, load } as As2ObjectKind;
}

export interface As2ObjectDeps {
  readonly events: EventService;
  readonly urls: Urls;
  readonly wording: EventWording;
  readonly calls: CallService;
  readonly callWording: CallWording;
  /** Co-signatures: who was invited (the embargo), the signatories, our stamps. */
  readonly cosign: CosignService;
  /** Makes the proofs of versions and stamps with our collectives' keys. */
  readonly federation: Federation<void>;
  readonly slogans: SloganService;
  readonly sloganWording: SloganWording;
  /** Press kits: an Article once published (404 under embargo, 410 once deleted). */
  readonly presskits?: PressKitService;
  /** Action kits: an Article once published (404 for drafts, 410 once deleted), and its wording. */
  readonly actionkits?: { readonly service: ActionKitService; readonly wording: ActionKitWording };
  /** Co-organised events: the co-organisers of our events, and our collectives' stamps for others'. */
  readonly coorganise?: { readonly host: CoorganiseHostService; readonly partner: CoorganisePartnerService };
  /** Recurring events: each occurrence is served as an Event of its own. */
  readonly series?: EventSeriesService;
}

/** Our object kinds: the event (FEP-8a8e), its Note form and its change notes; calls to action and their change notes; slogans. */
export function as2ObjectKinds(deps: As2ObjectDeps): As2ObjectKind[] {
  const { events, urls, wording, calls, callWording, cosign, slogans, sloganWording, presskits, actionkits, coorganise } = deps;
  /** A call once launched, or its deletion: drafts, calls in consultation and unknown ids are not found. */
  const publicCall = async (id: string) => {
    const call = await calls.load(id);
    return call?.launchedAt ? call : undefined;
  };
  /**
   * A call, its versions and its signatories before launch: only for a GET signed by a collective
   * invited to sign it (the embargo); everyone else is told there is no such thing (404).
   */
  const visibleCall = async (id: string, viewer: Viewer) => {
    const call = await calls.load(id);
    if (!call || call.status === "draft") return undefined;
    if (call.launchedAt) return call;
    if (call.deletedAt) return undefined;
    const who = await viewer();
    return who && (await cosign.isInvited(id, who.href)) ? call : undefined;
  };
  const sign = (slug: string, document: JsonObject, created: Temporal.Instant) =>
    signWithActorKey(deps.federation.createContext(urls.origin, undefined), slug, document, created);
  /** A published event, or its deletion: drafts (and unknown ids) are not found. */
  const publishedEvent = async (id: string) => {
    const loaded = await events.loadForDelivery(id);
    return loaded?.published ? loaded : undefined;
  };
  return [
    kind(paths.event, async ({ id }) => {
      const loaded = await publishedEvent(id);
      if (!loaded) return undefined;
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(loaded.event.apId, "Event", loaded.deletedAt) };
      const document = await eventToJsonLd(loaded.event, { followersUrl: urls.collectiveFollowers(loaded.event.organizer.slug), wording });
      const listed = coorganise ? await coorganise.host.listed(id) : [];
      return { status: 200, document: withOrganizers(document, { id: loaded.event.organizer.apId }, listed, urls.eventCoorganizers(id)) };
    }),
    // One occurrence of a recurring event, as the Event it federates as (FEDERATION.md "Recurring events").
    kind(paths.eventOccurrence, async ({ id, date }) => {
      const loaded = deps.series ? await deps.series.occurrenceForDelivery(id, date) : null;
      if (!loaded?.published) return undefined;
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(loaded.event.apId, "Event", loaded.deletedAt) };
      return { status: 200, document: await eventToJsonLd(loaded.event, { followersUrl: urls.collectiveFollowers(loaded.event.organizer.slug), wording }) };
    }),
    kind(paths.eventOccurrenceNote, async ({ id, date }) => {
      const loaded = deps.series ? await deps.series.occurrenceForDelivery(id, date) : null;
      if (!loaded?.published) return undefined;
      const noteUrl = urls.eventOccurrenceNote(id, date);
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(noteUrl, "Note", loaded.deletedAt) };
      return { status: 200, document: (await eventNote(loaded.event, { urls, wording }).clone({ id: noteUrl }).toJsonLd({ format: "compact" })) as JsonObject };
    }),
    kind(paths.eventOccurrenceChangeNote, async ({ id, date, version }) => {
      const [loaded, note] = await Promise.all([deps.series ? deps.series.occurrenceForDelivery(id, date) : null, events.changeNote(id, Number(version), date)]);
      if (!loaded?.published || !note?.sentAt) return undefined;
      const noteUrl = urls.eventOccurrenceChangeNote(id, date, note.version);
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(noteUrl, "Note", loaded.deletedAt) };
      const built = changeNote({ urls, event: loaded.event, version: note.version, language: note.language, text: note.text, published: note.createdAt }).clone({ id: noteUrl });
      return { status: 200, document: (await built.toJsonLd({ format: "compact" })) as JsonObject };
    }),
    // The co-organisers of a published event: each entry wraps the co-organiser's stamp (its proof intact).
    kind(paths.eventCoorganizers, async ({ id }) => {
      const loaded = await publishedEvent(id);
      if (!loaded) return undefined;
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(urls.eventCoorganizers(id), "Event", loaded.deletedAt) };
      const listed = coorganise ? await coorganise.host.listed(id) : [];
      return { status: 200, document: coorganizersDocument(urls.eventCoorganizers(id), loaded.event.organizer.apId, listed) };
    }),
    // The notes of a deleted event go with it (their Deletes were sent with the event's).
    kind(paths.eventNote, async ({ id }) => {
      const loaded = await publishedEvent(id);
      if (!loaded) return undefined;
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(urls.eventNote(id), "Note", loaded.deletedAt) };
      return { status: 200, document: await eventNoteDocument(loaded.event, { urls, wording }) };
    }),
    kind(paths.eventChangeNote, async ({ id, version }) => {
      const [loaded, note] = await Promise.all([publishedEvent(id), events.changeNote(id, Number(version))]);
      if (!loaded || !note) return undefined;
      const noteUrl = urls.eventChangeNote(id, note.version);
      if (loaded.deletedAt) return { status: 410, document: tombstoneResponseDocument(noteUrl, "Note", loaded.deletedAt) };
      const document = await changeNoteDocument({ urls, event: loaded.event, version: note.version, language: note.language, text: note.text, published: note.createdAt });
      return { status: 200, document };
    }),
    kind(paths.call, async ({ id }, viewer) => {
      const call = await visibleCall(id, viewer);
      if (!call) return undefined;
      if (call.deletedAt) return { status: 410, document: callTombstoneDocument(call.apId, "Article", call.deletedAt) };
      return { status: 200, document: callDocument(call, { urls, wording: callWording }) };
    }),
    kind(paths.callChangeNote, async ({ id, revision }) => {
      const [call, note] = await Promise.all([publicCall(id), calls.changeNote(id, Number(revision))]);
      if (!call || !note) return undefined;
      const noteUrl = urls.callChangeNote(id, note.revision);
      if (call.deletedAt) return { status: 410, document: callTombstoneDocument(noteUrl, "Note", call.deletedAt) };
      return { status: 200, document: callChangeNoteDocument(call, note, urls) };
    }),
    // One version as signers sign it (CallVersion), with the initiator's proof.
    kind(paths.callVersion, async ({ id, version }, viewer) => {
      const call = await visibleCall(id, viewer);
      if (!call) return undefined;
      if (call.deletedAt) return { status: 410, document: callTombstoneDocument(urls.callVersion(id, Number(version)), "Article", call.deletedAt) };
      const [view, signable] = await Promise.all([calls.version(id, Number(version)), cosign.signableVersion(id, Number(version))]);
      if (!view || !signable) return undefined;
      const unsigned = callVersionDocument(signable, {
        id: urls.callVersion(id, view.version),
        published: view.createdAt,
        authoritativeLanguages: [call.collective.primaryLanguage],
        digests: versionDigests(signable),
      });
      return { status: 200, document: await sign(call.collective.slug, unsigned, view.createdAt) };
    }),
    kind(paths.callSignatories, async ({ id }, viewer) => {
      const call = await visibleCall(id, viewer);
      if (!call) return undefined;
      if (call.deletedAt) return { status: 410, document: callTombstoneDocument(urls.callSignatories(id), "Article", call.deletedAt) };
      return { status: 200, document: signatoriesDocument(urls.callSignatories(id), call.collective.apId, await cosign.signatories(id)) };
    }),
    // Signatures awaiting reconfirmation (design §4.4 pendingSignatories): same embargo as the signatories.
    kind(paths.callPendingSignatories, async ({ id }, viewer) => {
      const call = await visibleCall(id, viewer);
      if (!call) return undefined;
      if (call.deletedAt) return { status: 410, document: callTombstoneDocument(urls.callPendingSignatories(id), "Article", call.deletedAt) };
      return { status: 200, document: signatoriesDocument(urls.callPendingSignatories(id), call.collective.apId, await cosign.pendingSignatories(id), "PendingReconfirmation") };
    }),
    // A collective's public stamps: where anyone finds its signatures without asking the initiators.
    kind(paths.actorEndorsements, async ({ identifier }) => {
      const stamps = await cosign.publicStamps(identifier);
      if (!stamps) return undefined;
      const id = new URL(fill(paths.actorEndorsements, { identifier }), urls.origin).href;
      const items = stamps.map((s) =>
        s.revokedAt
          ? { id: urls.stamp(s.id).href, type: "Tombstone", interactingObject: s.callApId, deleted: s.revokedAt.toString() }
          : { id: urls.stamp(s.id).href, type: "CosignAuthorization", interactingObject: s.callApId, version: s.version },
      );
      return { status: 200, document: { "@context": [...cosignContext] as unknown as JsonObject, id, type: "OrderedCollection", attributedTo: urls.collective(identifier).href, totalItems: items.length, orderedItems: items } };
    }),
    // A collective's open calls, whole: a partner whose follow we accept reads the calls launched before it.
    kind(paths.actorOpenCalls, async ({ identifier }) => {
      const list = await calls.list(identifier, null, { limit: 100 }).catch(() => undefined);
      if (!list) return undefined;
      const open = list.filter((c) => c.status === "open" && !c.deletedAt).map((c) => callDocument(c, { urls, wording: callWording }));
      return { status: 200, document: openCallsDocument(urls.collectiveOpenCalls(identifier), urls.collective(identifier), open) };
    }),
    // A stamp one of our collectives issued: its initiator may read it at once, everyone once the call is public.
    kind(paths.stamp, async ({ id }, viewer) => {
      const stamp = await cosign.stamp(id);
      if (!stamp) {
        // A co-organiser's stamp (events are public: so are their co-organisers); a request not accepted is no stamp.
        const c = await coorganise?.partner.stamp(id);
        if (c?.state !== "accepted") return undefined;
        if (c.revokedAt) return { status: 410, document: coorganizeTombstoneDocument(urls.stamp(id), c.revokedAt) };
        const unsigned = coorganizeStampDocument(c, { id: urls.stamp(id), partner: urls.collective(c.collective.slug) });
        return { status: 200, document: await sign(c.collective.slug, unsigned, c.signedAt ?? Temporal.Now.instant()) };
      }
      if (stamp.revokedAt) return { status: 410, document: stampTombstoneDocument(urls.stamp(id), stamp.revokedAt) };
      if (!stamp.publicAt && (await viewer())?.href !== stamp.initiatorApId) return undefined;
      const unsigned = stampDocument(stamp, { id: urls.stamp(id), signer: urls.collective(stamp.collective.slug), signedText: urls.stampText(id) });
      return { status: 200, document: await sign(stamp.collective.slug, unsigned, stamp.signedAt) };
    }),
    // The version a stamp of ours signed, exactly as received (the initiator's proof intact): its text
    // stays readable when the initiator is down. Served as the stamp is (only to the initiator until public).
    kind(paths.stampText, async ({ id }, viewer) => {
      const stamp = await cosign.stamp(id);
      if (!stamp) return undefined;
      if (stamp.revokedAt) return { status: 410, document: stampTombstoneDocument(urls.stamp(id), stamp.revokedAt) };
      if (!stamp.publicAt && (await viewer())?.href !== stamp.initiatorApId) return undefined;
      return { status: 200, document: stamp.versionDocument as JsonObject };
    }),
    // A published slogan (a Note), or its Tombstone once deleted; drafts are not found.
    kind(paths.slogan, async ({ id }) => {
      const slogan = await slogans.load(id);
      if (!slogan?.published) return undefined;
      if (slogan.deletedAt) return { status: 410, document: sloganTombstoneDocument(slogan, slogan.deletedAt) };
      return { status: 200, document: await sloganNoteDocument(slogan, { urls, wording: sloganWording }) };
    }),
    kind(paths.pressKit, async ({ id }) => {
      const kit = await presskits?.load(id);
      if (!kit?.publishedAt) return undefined;
      if (kit.deletedAt) return { status: 410, document: pressKitTombstoneDocument(kit, kit.deletedAt) };
      return { status: 200, document: pressKitDocument(kit, urls) };
    }),
    kind(paths.actionKit, async ({ id }) => {
      const kit = await actionkits?.service.load(id);
      if (!kit?.published) return undefined;
      if (kit.deletedAt) return { status: 410, document: actionKitTombstoneDocument(kit, kit.deletedAt) };
      return { status: 200, document: actionKitDocument(kit, { urls, wording: actionkits?.wording as ActionKitWording }) };
    }),
  ];
}

const as2Types = ["application/activity+json", "application/ld+json"];
export const as2ContentType = "application/activity+json; charset=utf-8";

/** Whether a client asks for ActivityStreams rather than HTML (servers), by the Accept header. */
export function wantsActivityJson(req: Request): boolean {
  const best = req.accepts(["text/html", ...as2Types]);
  return best !== false && best !== "text/html";
}

/**
 * Express routes serving the object table to servers; browsers, and URLs with no such object, go on to
 * the next routes (the HTML pages, then 404).
 */
export function as2ObjectRoutes(kinds: readonly As2ObjectKind[], opts: { signedBy?: (req: Request) => Promise<URL | null> } = {}): Router {
  const router = Router();
  // Relais's JSON-LD context, for whoever wants to read our terms (documents carry it inline).
  router.get(route(paths.namespace), (_req, res) => {
    res.set("Cache-Control", "public, max-age=86400").type("application/ld+json").send(JSON.stringify(relaisContextDocument));
  });
  for (const k of kinds) {
    router.get(route(k.path), async (req, res, next) => {
      if (!wantsActivityJson(req)) return next();
      let owner: Promise<URL | null> | undefined;
      const viewer: Viewer = () => (owner ??= opts.signedBy ? opts.signedBy(req) : Promise.resolve(null));
      const answer = await k.load(req.params as Parameters<typeof k.load>[0], viewer);
      if (!answer) return next();
      res.status(answer.status).set("Vary", "Accept").type(as2ContentType).send(JSON.stringify(answer.document));
    });
  }
  return router;
}
