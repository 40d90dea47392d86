import { Endpoints, Group, Image, type Actor, isActor } from "@fedify/vocab";
import type { Collective } from "../../modules/collective/collective.entity.ts";
import { storedMediaType } from "../../modules/media/media.service.ts";
import { storableRemoteActor } from "../../modules/remote-actor/remote-actor.rules.ts";
import type { RemoteActorInfo } from "../../modules/remote-actor/remote-actor.types.ts";
import { textToHtml } from "../../shared/html.ts";
import type { Urls } from "../../shared/urls.ts";
import { plainTextMap } from "./as2-text.ts";
import { toLanguageStrings } from "./language-map.ts";

export interface ActorKeysForMapping {
  readonly publicKey: import("@fedify/vocab").CryptographicKey | null;
  readonly assertionMethods: readonly import("@fedify/vocab").Multikey[];
}

/** The media type of an avatar uploaded here (its stored name says it). */
const iconMediaType = (url: string, urls: Urls) => {
  const name = urls.mediaName(url);
  return name ? storedMediaType(name) : undefined;
};

/** A collective as an ActivityPub `Group`. Pure: everything it needs is passed in. */
export function collectiveToGroup(collective: Collective, urls: Urls, keys: ActorKeysForMapping): Group {
  const slug = collective.slug;
  const summaryHtml = collective.summary
    ? Object.fromEntries(Object.entries(collective.summary).map(([l, t]) => [l, textToHtml(t)]))
    : null;
  return new Group({
    id: urls.collective(slug),
    preferredUsername: slug,
    names: toLanguageStrings(plainTextMap(collective.name), collective.primaryLanguage),
    summaries: toLanguageStrings(summaryHtml, collective.primaryLanguage),
    url: urls.collective(slug),
    inbox: urls.collectiveInbox(slug),
    outbox: urls.collectiveOutbox(slug),
    followers: urls.collectiveFollowers(slug),
    // Its open calls (a partner whose follow it accepts reads those launched before): only what an actor
    // lists here is read, so servers without such a collection are never asked for one.
    streams: [urls.collectiveOpenCalls(slug)],
    endpoints: new Endpoints({ sharedInbox: urls.sharedInbox() }),
    manuallyApprovesFollowers: collective.manuallyApprovesFollowers,
    discoverable: true,
    published: Temporal.Instant.fromEpochMilliseconds(collective.createdAt.getTime()),
    publicKey: keys.publicKey,
    assertionMethods: [...keys.assertionMethods],
    icon: collective.iconUrl ? new Image({ url: new URL(collective.iconUrl), mediaType: iconMediaType(collective.iconUrl, urls) ?? null }) : null,
  });
}

/** What we cache of a remote actor, validated; `undefined` when the object is not a usable actor. */
export function remoteActorInfo(actor: Actor | null | undefined): RemoteActorInfo | undefined {
  if (!actor || !isActor(actor) || actor.id === null || actor.inboxId === null) return undefined;
  const username = actor.preferredUsername?.toString();
  return storableRemoteActor({
    apId: actor.id,
    type: (actor.constructor as unknown as { typeId: URL }).typeId.hash.slice(1) || "Actor",
    handle: username ? `${username}@${actor.id.host}` : undefined,
    name: actor.name?.toString(),
    inboxUrl: actor.inboxId,
    sharedInboxUrl: actor.endpoints?.sharedInbox ?? undefined,
    url: actor.url instanceof URL ? actor.url : undefined,
  });
}
