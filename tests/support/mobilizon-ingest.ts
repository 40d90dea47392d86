// What Mobilizon 5.1 keeps of what it receives, for the Mobilizon-shaped peer (mobilizon-peer.ts): the
// rules of its converters, applied to the JSON as received (Mobilizon reads raw keys, no JSON-LD
// processing). An object it cannot convert is refused with the reason Mobilizon would fail on.
// - converter/post.ex: an `Article` is a post of the group its `attributedTo` names, only with `actor` too;
// - converter/event.ex `as_to_model_data` and converter/utils.ex `maybe_fetch_actor_and_attributed_to_id`:
//   the organiser is `actor` when both `actor` and a different `attributedTo` are there (then the event
//   is attributed to the latter), else `attributedTo` (or `actor` when `attributedTo` is null); each is
//   fetched as an actor by its URL, and neither there is "no_actor_found". `to` is read with
//   `@ap_public in object["to"]`: anything but a list raises (Protocol.UndefinedError), and the event is
//   public only when the list holds the full Public IRI (not `as:Public`). `contacts` (mz:contacts) is a
//   list whose items (URLs, or objects with `id`/`href`) are fetched as actors, those that fail dropped;
//   a `contacts` that is no list raises. The status is `status`, else `ical:status`, else CONFIRMED.
//   `name` (title) and `startTime` (begins_on) are required by the event changeset.
import { idOf, type JsonObject } from "./http-signatures.ts";
import { PUBLIC } from "./mobilizon-documents.ts";

export type Ingested<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface MobilizonPost {
  readonly attributedTo: string;
  readonly actor: string;
  readonly title: string;
  readonly content: string;
  readonly via: string;
}

export interface MobilizonEvent {
  readonly id: string;
  /** Mobilizon's `organizer_actor`. */
  readonly organizer: string;
  /** Mobilizon's `attributed_to` (the group), null when the organiser alone is named. */
  readonly attributedTo: string | null;
  readonly contacts: readonly string[];
  readonly title: string;
  readonly beginsOn: string;
  readonly status: string;
  readonly visibility: "public" | "unlisted";
  readonly via: string;
}

const actorTypes = new Set(["Person", "Group", "Organization", "Application", "Service"]);

export function postFromArticle(article: JsonObject, via: string): Ingested<MobilizonPost> {
  const attributedTo = idOf(article.attributedTo);
  const actor = idOf(article.actor);
  if (!attributedTo || !actor) return { ok: false, reason: `an Article without actor or attributedTo is not a post: ${String(article.id)}` };
  return { ok: true, value: { attributedTo, actor, title: String(article.name ?? ""), content: String(article.content ?? ""), via } };
}

/** Mobilizon's `get_url`: a URL, or an object's `href` or `id`. */
const urlOf = (v: unknown): string | undefined => {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as JsonObject;
    return typeof o.href === "string" ? o.href : typeof o.id === "string" ? o.id : undefined;
  }
  return undefined;
};

export async function eventFromObject(object: JsonObject, via: string, fetchActor: (url: URL) => Promise<JsonObject | null>): Promise<Ingested<MobilizonEvent>> {
  const fail = (reason: string): Ingested<MobilizonEvent> => ({ ok: false, reason: `event ${String(object.id)}: ${reason}` });
  const actorAt = async (v: unknown): Promise<string | undefined> => {
    if (typeof v !== "string") return undefined;
    const doc = await fetchActor(new URL(v)).catch(() => null);
    return doc && typeof doc.type === "string" && actorTypes.has(doc.type) && doc.id === v ? v : undefined;
  };
  const has = (key: string) => Object.hasOwn(object, key);
  let organizerRef: unknown;
  let attributedRef: unknown = null;
  if (has("actor") && has("attributedTo")) {
    const { actor, attributedTo } = object;
    if (attributedTo === null || attributedTo === undefined) organizerRef = actor;
    else if (actor === null || actor === undefined) organizerRef = attributedTo;
    else if (JSON.stringify(actor) !== JSON.stringify(attributedTo)) [organizerRef, attributedRef] = [actor, attributedTo];
    else organizerRef = attributedTo;
  } else if (has("attributedTo")) organizerRef = object.attributedTo;
  else return fail("no_actor_found (neither actor nor attributedTo)");
  const organizer = await actorAt(organizerRef);
  if (!organizer) return fail(`the organiser ${JSON.stringify(organizerRef)} is not an actor's URL Mobilizon can fetch`);
  const attributedTo = attributedRef === null ? null : await actorAt(attributedRef);
  if (attributedTo === undefined) return fail(`attributedTo ${JSON.stringify(attributedRef)} is not an actor's URL Mobilizon can fetch`);
  if (!Array.isArray(object.to)) return fail(`to is ${JSON.stringify(object.to)}, not a list: \`@ap_public in object["to"]\` raises`);
  const contactRefs = has("contacts") ? object.contacts : [];
  if (!Array.isArray(contactRefs)) return fail(`contacts is ${JSON.stringify(contactRefs)}, not a list: Enum.map raises`);
  const contacts: string[] = [];
  for (const ref of contactRefs) {
    const found = await actorAt(urlOf(ref));
    if (found) contacts.push(found);
  }
  if (typeof object.name !== "string" || object.name === "") return fail("no name: the event changeset requires a title");
  if (typeof object.startTime !== "string") return fail("no startTime: the event changeset requires begins_on");
  const status = String(object.status ?? object["ical:status"] ?? "CONFIRMED").toLowerCase();
  const visibility = object.to.includes(PUBLIC) ? "public" : "unlisted";
  return { ok: true, value: { id: String(object.id), organizer, attributedTo, contacts, title: object.name, beginsOn: object.startTime, status, visibility, via } };
}
