import { Create, Event, Hashtag, Image, Link, Place, PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import { eventAudience } from "./audience.ts";
import type { EventWording } from "../../modules/event/event-summary.ts";
import type { EventData, PublishedEvent } from "../../modules/event/event.types.ts";
import { escapeHtml } from "../../shared/html.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { type EventFromAs2Result, eventFromJson, type JsonObject } from "./remote-event.mapper.ts";
import { optionalPlainText, plainTextMap, sanitizedHtmlMap, textAsHtmlMap } from "./as2-text.ts";
import { toLanguageStrings } from "./language-map.ts";

export type { EventFromAs2Result, EventRejection, JsonObject, RemoteEvent } from "./remote-event.mapper.ts";

/**
 * Events as FEP-8a8e `Event`s (https://w3id.org/fep/8a8e), and back.
 *
 * Fedify's vocabulary has no FEP-8a8e terms (timezone, eventStatus, category), no schema.org postal
 * address and no VirtualLocation, and it writes times in UTC. So `eventToAs2` builds what Fedify can
 * carry with its classes, and `eventToJsonLd` adds the rest to Fedify's compact output under an
 * explicit `@context` extension. Anything that must reach partners whole (the object served at the
 * event's URL, the object inside Create/Update) has to be the `eventToJsonLd` document: serialising
 * the vocabulary object alone drops the extension terms.
 */

export interface EventMapperContext {
  readonly followersUrl: URL;
  /** Where a hashtag's page is, e.g. `https://relais.example/tags/climat`; Mastodon links the tag there. */
  readonly hashtagUrl?: (tag: string) => URL;
  /** The summary line and the status, in each of the event's languages. */
  readonly wording: EventWording;
}

const fep = "https://w3id.org/fep/8a8e/";
const schema = "https://schema.org/";

/** Terms this mapper adds to Fedify's context: FEP-8a8e's, schema.org's address and online location. */
export const eventContextExtension = {
  Hashtag: "as:Hashtag",
  timezone: `${fep}timezone`,
  eventStatus: { "@id": `${fep}eventStatus`, "@type": "@vocab" },
  EventScheduled: `${fep}EventScheduled`,
  EventCancelled: `${fep}EventCancelled`,
  EventPostponed: `${fep}EventPostponed`,
  category: `${fep}category`,
  ical: "http://www.w3.org/2002/12/cal/ical#",
  address: `${schema}address`,
  PostalAddress: `${schema}PostalAddress`,
  streetAddress: `${schema}streetAddress`,
  postalCode: `${schema}postalCode`,
  addressLocality: `${schema}addressLocality`,
  addressRegion: `${schema}addressRegion`,
  addressCountry: `${schema}addressCountry`,
  VirtualLocation: `${schema}VirtualLocation`,
} as const;

const statusTerm = { scheduled: "EventScheduled", cancelled: "EventCancelled", postponed: "EventPostponed" } as const;
// Mobilizon reads iCalendar's STATUS.
const icalStatus = { scheduled: "CONFIRMED", cancelled: "CANCELLED", postponed: "TENTATIVE" } as const;

/**
 * AS2 times for an event: instants, except that an all-day event runs from the start of its first
 * local day to the start of the day after its last one (an AS2 endTime must come after startTime).
 */
function as2Times(e: EventData): { start: Temporal.Instant; end: Temporal.Instant | undefined } {
  if (!e.allDay) return { start: e.startsAt, end: e.endsAt };
  const lastDay = (e.endsAt ?? e.startsAt).toZonedDateTimeISO(e.timezone).toPlainDate();
  return { start: e.startsAt, end: lastDay.add({ days: 1 }).toZonedDateTime({ timeZone: e.timezone }).toInstant() };
}

/** The summary line Mastodon shows, in every language the event is written in, the primary one first; as HTML. */
function summaryLines(event: PublishedEvent, { mastodonSummary }: EventWording): LanguageMap | undefined {
  const languages = new Set([event.organizer.primaryLanguage, ...Object.keys(event.name), ...Object.keys(event.summary ?? {})]);
  return textAsHtmlMap(Object.fromEntries([...languages].map((lang) => [lang, mastodonSummary(event, lang)])));
}

/**
 * The description, headed by the status of an event that is off: Gancio shows `content` and knows no
 * event status, so a cancellation would not show there otherwise.
 */
function contentLines(event: PublishedEvent, { statusText }: EventWording): LanguageMap | undefined {
  const description = sanitizedHtmlMap(event.description);
  if (event.status === "scheduled") return description;
  const languages = new Set([event.organizer.primaryLanguage, ...Object.keys(description ?? {})]);
  return Object.fromEntries(
    [...languages].map((lang) => [lang, `<p><strong>${escapeHtml(statusText(event, lang) ?? "")}</strong></p>${description?.[lang] ?? ""}`]),
  );
}

const imageTypes: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp", avif: "image/avif", svg: "image/svg+xml" };

/**
 * An image's media type, from its URL's extension when it was not stored. Gancio reads
 * `attachment[].mediaType` as text and crashes on an attachment without it; an unknown type is said as
 * such rather than guessed.
 */
export function imageMediaType(url: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return (extension && imageTypes[extension]) || "application/octet-stream";
}

/** The event as a Fedify vocabulary `Event`: everything Fedify's classes can hold. */
export function eventToAs2(event: PublishedEvent, ctx: EventMapperContext): Event {
  const primary = event.organizer.primaryLanguage;
  const { start, end } = as2Times(event);
  const place = event.location;
  const attachments: (Image | Link)[] = [];
  if (event.image) {
    attachments.push(
      new Image({
        url: new URL(event.image.url),
        mediaType: event.image.mediaType ?? imageMediaType(event.image.url),
        names: toLanguageStrings(plainTextMap(event.image.alt), primary),
      }),
    );
  }
  for (const link of event.links) {
    attachments.push(new Link({ href: new URL(link.url), mediaType: "text/html", name: optionalPlainText(link.title) ?? null }));
  }
  const audience = eventAudience(event, ctx.followersUrl);
  const content = contentLines(event, ctx.wording);
  return new Event({
    id: event.apId,
    url: event.apId,
    attribution: event.organizer.apId,
    to: audience.to,
    cc: audience.cc,
    names: toLanguageStrings(plainTextMap(event.name), primary),
    summaries: toLanguageStrings(summaryLines(event, ctx.wording), primary),
    contents: toLanguageStrings(content, primary),
    mediaType: content ? "text/html" : null,
    startTime: start,
    endTime: end ?? null,
    location: place
      ? new Place({
          name: optionalPlainText(place.name ?? place.streetAddress ?? place.locality) ?? null,
          latitude: place.latitude ?? null,
          longitude: place.longitude ?? null,
        })
      : null,
    tags: event.tags.map((tag) => new Hashtag({ name: `#${tag}`, href: ctx.hashtagUrl?.(tag) ?? null })),
    attachments,
    published: event.publishedAt,
    updated: event.updatedAt.equals(event.publishedAt) ? null : event.updatedAt,
  });
}

/** An instant as an AS2 time with the event zone's offset: "2026-03-08T14:00:00+01:00". */
function withOffset(instant: Temporal.Instant, timezone: string): string {
  return instant.toZonedDateTimeISO(timezone).toString({ timeZoneName: "never", smallestUnit: "second" });
}

function withoutUndefined(o: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
}

const fullPublic = (address: unknown): unknown => (address === "as:Public" || address === "Public" ? PUBLIC_COLLECTION.href : address);

const asArray = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/**
 * Adds to Fedify's compact JSON-LD of `eventToAs2(event)` what Fedify cannot express: local offsets,
 * timezone, eventStatus (and Mobilizon's ical:status), category, the postal address, the online
 * location (a VirtualLocation; a hybrid event has both in `location`), with their context. Pure.
 *
 * Shapes other servers rely on (Gancio 1.21, server/federation/helpers.js and events.js): `tag` and
 * `attachment` are always arrays, empty when there is none (Gancio calls `tag.map`, `attachment.find`
 * and `attachment.length`); `content` is always there (its Update reads it as text); `location` is one
 * object when the event has one place (Gancio's Update reads `location.name` and `location.address`),
 * an array for a hybrid event; the online link is also in the VirtualLocation's `address.url`, the
 * only place Gancio looks for it. `to` and `cc` are lists, the public spelled in full (Mobilizon).
 */
export function extendEventJsonLd(compact: JsonObject, event: EventData): JsonObject {
  const { start, end } = as2Times(event);
  const contexts = Array.isArray(compact["@context"]) ? compact["@context"] : [compact["@context"]];
  const out: JsonObject = { ...compact, "@context": [...contexts.filter((c) => c !== undefined), eventContextExtension] };
  out.startTime = withOffset(start, event.timezone);
  if (end) out.endTime = withOffset(end, event.timezone);
  out.timezone = event.timezone;
  out.eventStatus = statusTerm[event.status];
  out["ical:status"] = icalStatus[event.status];
  if (event.category) out.category = event.category;
  out.content ??= "";
  // Mobilizon's event converter reads `@ap_public in object["to"]`: a single value (not a list) raises
  // and the event is lost, and only the full IRI makes it public (converter/event.ex, Mobilizon 5.1).
  out.to = asArray(compact.to).map(fullPublic) as JsonObject[];
  out.cc = asArray(compact.cc).map(fullPublic) as JsonObject[];
  const locations: JsonObject[] = [];
  if (event.location && typeof compact.location === "object" && compact.location !== null) {
    const p = event.location;
    const address = withoutUndefined({
      type: "PostalAddress",
      streetAddress: optionalPlainText(p.streetAddress),
      postalCode: optionalPlainText(p.postalCode),
      addressLocality: optionalPlainText(p.locality),
      addressRegion: optionalPlainText(p.region),
      addressCountry: optionalPlainText(p.country),
    });
    locations.push({ ...(compact.location as JsonObject), address });
  }
  if (event.onlineUrl) locations.push({ type: "VirtualLocation", url: event.onlineUrl, address: { url: event.onlineUrl } });
  if (locations.length > 0) out.location = locations.length === 1 ? (locations[0] as JsonObject) : locations;
  out.tag = asArray(compact.tag).map((t) =>
    typeof t === "object" && t !== null && (t as JsonObject).type === "as:Hashtag" ? { ...(t as JsonObject), type: "Hashtag" } : t,
  ) as JsonObject[];
  out.attachment = asArray(compact.attachment) as JsonObject[];
  return out;
}

/** The complete FEP-8a8e JSON-LD document of an event: serve it at the event's URL and embed it in Create/Update. */
export async function eventToJsonLd(event: PublishedEvent, ctx: EventMapperContext): Promise<JsonObject> {
  const compact = (await eventToAs2(event, ctx).toJsonLd()) as JsonObject;
  return extendEventJsonLd(compact, event);
}

/**
 * Reads a remote event: an `Event`, or a `Create`/`Update` that embeds one, as the JSON received or
 * as a Fedify object. Prefer the JSON: FEP-8a8e terms, schema.org addresses and the offsets of times
 * exist only there, and a Fedify object gives them back only when it kept the JSON it parsed (it does
 * not when a nested value has a type it does not know, such as a VirtualLocation); otherwise the event
 * is read from what Fedify understood (times in UTC, no status, no address).
 * The JSON is read as compact AS2, the way Mobilizon, Gancio and Mastodon write and read it: their
 * address terms are not in their `@context`s, so a JSON-LD expansion would lose the place.
 */
export async function eventFromAs2(input: Event | Create | Update | unknown): Promise<EventFromAs2Result> {
  const json = input instanceof Event || input instanceof Create || input instanceof Update ? await input.toJsonLd() : input;
  return eventFromJson(json);
}
