import type { Federation } from "@fedify/fedify";
import { PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import { toFedifyRecipient } from "./recipient.ts";

/**
 * An Update of a local actor after `relais keys rotate` (ADR 0030), to every server that cached its old
 * keys. The actor is the document its URL serves (built by the actor dispatcher, new keys included),
 * and the Update is signed with the new keys: a server holding the old one fails to verify it, fetches
 * the actor again (Mastodon and Fedify both do, once, on a failed signature), finds the new key and
 * takes the Update; later deliveries verify with the key it now holds.
 */
export async function sendActorKeysUpdate(
  federation: Federation<void>,
  origin: URL,
  activityId: string,
  identifier: string,
  recipients: readonly Recipient[],
): Promise<void> {
  if (recipients.length === 0) return;
  const actorUri = federation.createContext(origin, undefined).getActorUri(identifier);
  // A GET of the actor's URL: the dispatcher builds the whole document (a POST gets a stub).
  const ctx = federation.createContext(new Request(actorUri, { headers: { accept: "application/activity+json" } }), undefined);
  const actor = await ctx.getActor(identifier);
  if (!actor) return;
  const update = new Update({
    id: new URL(activityId),
    actor: ctx.getActorUri(identifier),
    object: actor,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(identifier),
  });
  await ctx.sendActivity({ identifier }, recipients.map(toFedifyRecipient), update, { preferSharedInbox: true });
}
