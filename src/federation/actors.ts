import { Application, Create, Endpoints, Group, type Recipient } from "@fedify/vocab";
import type { Federation } from "@fedify/fedify";
import { collectiveKeyOwner, instanceKeyOwner } from "../modules/collective/collective.service.ts";
import { paths } from "../shared/paths.ts";
import { instanceIdentifier } from "../shared/urls.ts";
import type { FederationDeps } from "./federation.ts";
import { importKeyPairs, type ImportedKeyPair } from "./keys.ts";
import { collectiveToGroup } from "./mappers/collective.mapper.ts";
import { eventActivityDocument, relaySender } from "./mappers/event-activity.mapper.ts";
import { isInboxRecipientCheck, prebuiltActivity } from "./fedify-workarounds.ts";

/** Actors (collectives as Group, the instance as Application), their keys and collections. */
export function registerActors(federation: Federation<void>, deps: FederationDeps): void {
  const { urls, collectives, followers } = deps;
  // Imported keys are cached: importing RSA keys costs a few ms and every delivery needs them.
  const keyCache = new Map<string, Promise<ImportedKeyPair[]>>();
  const keysOf = (owner: string) => {
    let p = keyCache.get(owner);
    if (!p) {
      p = collectives.keysOf(owner).then(importKeyPairs);
      p.catch(() => keyCache.delete(owner));
      keyCache.set(owner, p);
      if (keyCache.size > 1000) keyCache.delete(keyCache.keys().next().value as string);
    }
    return p;
  };
  // A collective's id by its slug, for its keys and its followers count. Fedify asks for an actor's keys
  // several times per request (the actor document, the inbox's recipient check, signing), and each ask
  // was a query: a slug names the same collective for ever (collectives are neither renamed nor
  // deleted), so found ids are kept; unknown slugs are asked again.
  const collectiveIds = new Map<string, string>();
  const collectiveIdOf = async (slug: string): Promise<string | undefined> => {
    const known = collectiveIds.get(slug);
    if (known) return known;
    const c = await collectives.findBySlug(slug);
    if (!c) return undefined;
    if (collectiveIds.size >= 10_000) collectiveIds.clear();
    collectiveIds.set(slug, c.id);
    return c.id;
  };
  const ownerOf = async (identifier: string): Promise<string | null> => {
    if (identifier === instanceIdentifier) return instanceKeyOwner;
    const id = await collectiveIdOf(identifier);
    return id ? collectiveKeyOwner(id) : null;
  };

  federation
    .setActorDispatcher(paths.actor, async (ctx, identifier) => {
      // The inbox only asks whether the recipient exists: no row, no key export.
      // The stub carries the URLs Fedify checks every returned actor for (it warns otherwise); the key
      // properties are references to the keys' ids, not the keys: nothing reads them on this path.
      if (isInboxRecipientCheck(ctx)) {
        if (identifier !== instanceIdentifier && (await collectiveIdOf(identifier)) === undefined) return null;
        const id = ctx.getActorUri(identifier);
        const stub = {
          id,
          inbox: ctx.getInboxUri(identifier),
          outbox: ctx.getOutboxUri(identifier),
          followers: ctx.getFollowersUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          publicKey: new URL("#main-key", id),
          assertionMethods: [new URL("#main-key", id)],
        };
        return identifier === instanceIdentifier ? new Application(stub) : new Group(stub);
      }
      const keys = await ctx.getActorKeyPairs(identifier);
      const mapped = {
        publicKey: keys[0]?.cryptographicKey ?? null,
        assertionMethods: keys.map((k) => k.multikey),
      };
      if (identifier === instanceIdentifier) {
        return new Application({
          id: ctx.getActorUri(identifier),
          preferredUsername: ctx.origin.replace(/^https?:\/\//, ""),
          name: "Relais",
          inbox: ctx.getInboxUri(identifier),
          outbox: ctx.getOutboxUri(identifier),
          followers: ctx.getFollowersUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          // It can be followed: its followers get every public event of the instance (FEDERATION.md).
          manuallyApprovesFollowers: followers.instanceManuallyApprovesFollowers,
          discoverable: false,
          publicKey: mapped.publicKey,
          assertionMethods: mapped.assertionMethods,
        });
      }
      const collective = await collectives.findBySlug(identifier);
      if (!collective) return null;
      return collectiveToGroup(collective, urls, mapped);
    })
    .mapHandle((_ctx, username) => (username === instanceIdentifier ? null : username))
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const owner = await ownerOf(identifier);
      return owner ? keysOf(owner) : [];
    });

  // Who follows a collective is political-opinion data: the count is public, the members are not
  // listed to anyone (operators see them with `relais follower list`). The same for the instance actor.
  const followedId = async (identifier: string): Promise<string | null | undefined> =>
    identifier === instanceIdentifier ? null : await collectiveIdOf(identifier);
  federation
    .setFollowersDispatcher(paths.actorFollowers, async (_ctx, identifier) => {
      if ((await followedId(identifier)) === undefined) return null;
      return { items: [] as Recipient[] };
    })
    .setCounter(async (_ctx, identifier) => {
      const id = await followedId(identifier);
      return id === undefined ? null : followers.countAccepted(id);
    });

  // The outbox lists the collective's public events (the instance actor's: every collective's) as
  // Create activities, newest first, as complete FEP-8a8e documents.
  const pageSize = 20;
  federation
    .setOutboxDispatcher(paths.actorOutbox, async (_ctx, identifier, cursor) => {
      if (cursor === null) return null;
      const offset = Number(cursor);
      if (!Number.isSafeInteger(offset) || offset < 0) return null;
      const page = await deps.events.outboxPage(identifier, offset, pageSize);
      if (!page) return null;
      // The complete documents, as delivered: Gancio imports the latest events from a followed
      // actor's outbox and needs the same shapes (arrays for tag and attachment) as in deliveries.
      // The instance actor's outbox holds what it relays, as it relays it (from itself).
      const items = await Promise.all(
        page.items.map(async (event) => {
          const followersUrl = urls.collectiveFollowers(event.organizer.slug);
          const sender = identifier === instanceIdentifier ? relaySender(urls) : undefined;
          return prebuiltActivity(Create, await eventActivityDocument("Create", event, 0, { followersUrl, wording: deps.wording }, sender));
        }),
      );
      const next = offset + pageSize < page.total ? String(offset + pageSize) : null;
      return { items, nextCursor: next };
    })
    .setCounter(async (_ctx, identifier) => (await deps.events.outboxPage(identifier, 0, 0))?.total ?? null)
    .setFirstCursor(async () => "0");
}
