import { Create, LanguageString, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { escapeHtml, textToHtml } from "../../shared/html.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { eventAudience } from "./audience.ts";
import { type EventMapperContext, eventToJsonLd, type JsonObject } from "./event.mapper.ts";

const asContext = "https://www.w3.org/ns/activitystreams";
const publicAddress = PUBLIC_COLLECTION.href;

/** The audience of an event's activities, as JSON-LD strings. */
function audience(event: PublishedEvent, followers: URL): { to: string; cc: string } {
  const { to, cc } = eventAudience(event, followers);
  return { to: to.href, cc: cc.href };
}

/**
 * Who sends an activity about an event: the collective, to its followers, or the instance actor, to
 * the instance's followers (the instance-wide relay). The relay's activities have their own ids
 * (`#relay-create` beside `#create`): one server may get both, for different followers.
 */
export interface ActivitySender {
  readonly actor: URL;
  readonly followers: URL;
  /** Put before the activity's name in its id: "" for the collective, "relay-" for the instance actor. */
  readonly idPrefix: "" | "relay-";
}

/** The instance actor, to the instance's followers. */
export function relaySender(urls: Urls): ActivitySender {
  return { actor: urls.collective(instanceIdentifier), followers: urls.collectiveFollowers(instanceIdentifier), idPrefix: "relay-" };
}

/** The collective itself, to its followers. */
export function collectiveSender(event: PublishedEvent, followers: URL): ActivitySender {
  return { actor: event.organizer.apId, followers, idPrefix: "" };
}

/**
 * `Create(Event)` or `Update(Event)` as a complete JSON-LD document (the event embedded whole, FEP-8a8e
 * terms included). Ids are derived from the event: `…#create`, `…#update-<version>`.
 */
export async function eventActivityDocument(
  kind: "Create" | "Update",
  event: PublishedEvent,
  version: number,
  ctx: EventMapperContext,
  sender: ActivitySender = collectiveSender(event, ctx.followersUrl),
): Promise<JsonObject> {
  const { "@context": context, ...object } = await eventToJsonLd(event, ctx);
  const name = kind === "Create" ? "create" : `update-${version}`;
  return {
    "@context": context as JsonObject,
    id: `${event.apId.href}#${sender.idPrefix}${name}`,
    type: kind,
    actor: sender.actor.href,
    published: (kind === "Create" ? event.publishedAt : event.updatedAt).toString(),
    ...audience(event, sender.followers),
    object: object as JsonObject,
  };
}

/**
 * `formerType` is an IRI in the ActivityStreams context (`"@type": "@id"`): a bare "Event" there is a
 * relative IRI, the document cannot be canonicalised, and the Delete goes out without its Linked Data
 * signature. Gancio, on the other hand, compares the compact value with "Event" and "Note"
 * (server/federation/inbox.js) and never answers a Delete whose formerType is anything else. So the
 * term is redefined as a vocabulary term: the value stays "Event" and expands to the full IRI
 * `https://www.w3.org/ns/activitystreams#Event`.
 */
const tombstoneContext = [asContext, { formerType: { "@id": "as:formerType", "@type": "@vocab" } }];

type FormerType = "Event" | "Note";

function tombstone(id: URL, formerType: FormerType, deletedAt: Temporal.Instant): JsonObject {
  return { id: id.href, type: "Tombstone", formerType, deleted: deletedAt.toString() };
}

/** `Delete` of an event or of one of its change notes, with a `Tombstone`; id `<object>#delete`. */
export function deleteDocument(
  object: { id: URL; formerType: FormerType; deletedAt: Temporal.Instant },
  sender: ActivitySender,
): JsonObject {
  return {
    "@context": tombstoneContext,
    id: `${object.id.href}#${sender.idPrefix}delete`,
    type: "Delete",
    actor: sender.actor.href,
    to: publicAddress,
    cc: sender.followers.href,
    object: tombstone(object.id, object.formerType, object.deletedAt),
  };
}

/** The Tombstone served at a deleted event's (or change note's) URL, with 410. */
export function tombstoneResponseDocument(id: URL, formerType: FormerType, deletedAt: Temporal.Instant): JsonObject {
  return { "@context": tombstoneContext, ...tombstone(id, formerType, deletedAt) };
}

/**
 * The short Note that tells followers what changed (Mastodon shows no Update of an Event): the text
 * from `changeNoteText`, then a link to the event, in the collective's language.
 */
export function changeNote(opts: {
  urls: Urls;
  event: PublishedEvent;
  version: number;
  language: string;
  text: string;
  published: Temporal.Instant;
}): Note {
  const { event, urls } = opts;
  const link = `<p><a href="${escapeHtml(event.apId.href)}">${escapeHtml(event.apId.href)}</a></p>`;
  const html = textToHtml(opts.text) + link;
  const followers = urls.collectiveFollowers(event.organizer.slug);
  const { to, cc } = eventAudience(event, followers);
  return new Note({
    id: urls.eventChangeNote(event.id, opts.version),
    attribution: event.organizer.apId,
    to,
    cc,
    contents: [html, new LanguageString(html, opts.language)],
    url: event.apId,
    published: opts.published,
    replyTarget: null,
  });
}

/** The change Note as JSON-LD, served at its URL. */
export async function changeNoteDocument(opts: Parameters<typeof changeNote>[0]): Promise<JsonObject> {
  return (await changeNote(opts).toJsonLd({ format: "compact" })) as JsonObject;
}

export function changeNoteCreate(note: Note, event: PublishedEvent, sender: ActivitySender): Create {
  const { to, cc } = eventAudience(event, sender.followers);
  return new Create({
    id: new URL(`${note.id?.href}#${sender.idPrefix}create`),
    actor: sender.actor,
    to,
    cc,
    object: note,
    published: note.published,
  });
}
