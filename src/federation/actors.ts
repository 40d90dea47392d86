import { type Activity, Application, Create, Endpoints, Group, type Recipient } from "@fedify/vocab";
import type { PostKey } from "../modules/collective/collective-posts.repository.ts";
import type { PublishedEvent } from "../modules/event/event.types.ts";
import { isPublic } from "../modules/presskit/presskit.service.ts";
import type { SloganWording } from "../modules/slogan/slogan-wording.ts";
import { pressKitActivityDocument } from "./mappers/presskit.mapper.ts";
import { sloganActivity } from "./mappers/slogan.mapper.ts";
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
  // Imported keys are cached: importing RSA keys costs a few ms. Each use first asks which keys the
  // actor has now (one indexed query of their ids), so that keys rotated by another process
  // (`relais keys rotate`, ADR 0030) are never used, nor published, after the rotation committed.
  const keyCache = new Map<string, { stamp: string; pairs: Promise<ImportedKeyPair[]> }>();
  const keysOf = async (owner: string): Promise<ImportedKeyPair[]> => {
    const stamp = await collectives.keyStamp(owner);
    const cached = keyCache.get(owner);
    if (cached && cached.stamp === stamp && stamp !== "") return cached.pairs;
    const pairs = collectives.keysOf(owner).then(importKeyPairs);
    pairs.catch(() => keyCache.delete(owner));
    // The instance actor's first keys are made by keysOf: their stamp is known at the next use.
    if (stamp !== "") keyCache.set(owner, { stamp, pairs });
    if (keyCache.size > 1000) keyCache.delete(keyCache.keys().next().value as string);
    return pairs;
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

  // The outbox lists the collective's public posts, newest first, as Create activities with complete
  // documents: its events (FEP-8a8e), published slogans (Notes) and published press kits (Articles;
  // never one under embargo, never a draft). The instance actor's lists the events it relays.
  const pageSize = 20;
  const eventCreate = async (event: PublishedEvent, identifier: string) => {
    // The complete documents, as delivered: Gancio imports the latest events from a followed
    // actor's outbox and needs the same shapes (arrays for tag and attachment) as in deliveries.
    // The instance actor's outbox holds what it relays, as it relays it (from itself).
    const followersUrl = urls.collectiveFollowers(event.organizer.slug);
    const sender = identifier === instanceIdentifier ? relaySender(urls) : undefined;
    return prebuiltActivity(Create, await eventActivityDocument("Create", event, 0, { followersUrl, wording: deps.wording }, sender));
  };
  const { slogans, sloganWording, presskits } = deps;
  const postsOf = slogans && sloganWording && presskits ? { slogans, sloganWording, presskits } : undefined;
  const postCreate = async (key: PostKey, identifier: string): Promise<Activity | undefined> => {
    switch (key.kind) {
      case "event": {
        const loaded = await deps.events.loadForDelivery(key.id);
        return loaded?.published && !loaded.deletedAt ? eventCreate(loaded.event, identifier) : undefined;
      }
      case "slogan": {
        const slogan = await postsOf?.slogans.load(key.id);
        return slogan?.published && !slogan.deletedAt ? sloganActivity("create", slogan, { urls, wording: postsOf?.sloganWording as SloganWording }) : undefined;
      }
      case "presskit": {
        const kit = await postsOf?.presskits.load(key.id);
        return kit && isPublic(kit) ? prebuiltActivity(Create, pressKitActivityDocument("Create", kit, urls)) : undefined;
      }
    }
  };
  const outboxPage = async (identifier: string, offset: number, limit: number): Promise<{ items: Activity[]; total: number } | null> => {
    if (identifier === instanceIdentifier || !postsOf) {
      const page = await deps.events.outboxPage(identifier, offset, limit);
      return page && { items: await Promise.all(page.items.map((e) => eventCreate(e, identifier))), total: page.total };
    }
    const page = await collectives.postsPage(identifier, offset, limit);
    if (!page) return null;
    const items = await Promise.all(page.keys.map((k) => postCreate(k, identifier)));
    return { items: items.filter((a): a is Activity => a !== undefined), total: page.total };
  };
  federation
    .setOutboxDispatcher(paths.actorOutbox, async (_ctx, identifier, cursor) => {
      if (cursor === null) return null;
      const offset = Number(cursor);
      if (!Number.isSafeInteger(offset) || offset < 0) return null;
      const page = await outboxPage(identifier, offset, pageSize);
      if (!page) return null;
      const next = offset + pageSize < page.total ? String(offset + pageSize) : null;
      return { items: page.items, nextCursor: next };
    })
    .setCounter(async (_ctx, identifier) => (await outboxPage(identifier, 0, 0))?.total ?? null)
    .setFirstCursor(async () => "0");
}
