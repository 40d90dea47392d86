import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { deleteUnfollowedPartnerKits } from "../actionkit/partner-kits.ts";
import { deleteUnfollowedPartnerCalls } from "../call/partner-call-cleanup.ts";
import { findCollectiveById } from "../collective/collective.repository.ts";
import { type OutboxRecipient, writeOutbox } from "../outbox/outbox.writer.ts";
import type { RemoteActor } from "../remote-actor/remote-actor.entity.ts";
import { type Partner, PartnerSchema } from "./partner.entity.ts";
import {
  announcements,
  announcementsVia,
  deleteEvents,
  deleteOrphanEvents,
  deleteSources,
  eventsOf,
  imageNames,
  partnersOf,
  sourcesOfCollective,
} from "./partner.repository.ts";
import type { PurgeOutcome, PurgeTarget } from "./partner.types.ts";

export const recipientOf = (a: RemoteActor): OutboxRecipient => ({ apId: a.apId, inboxUrl: a.inboxUrl, sharedInboxUrl: a.sharedInboxUrl ?? null });

/** Queues the Undo of each collective's Announce (relay) of an event; returns how many were queued. */
export async function undoAnnouncements(em: EntityManager, urls: Urls, list: readonly { collectiveId: string; eventApId: string }[]): Promise<number> {
  let n = 0;
  for (const a of list) {
    const collective = await findCollectiveById(em, a.collectiveId);
    if (!collective) continue;
    const announceId = urls.partnerAnnounce(collective.slug, a.eventApId).href;
    if (await writeOutbox(em, urls.undoOf(announceId).href, { kind: "undo-announce-partner-event", collectiveId: a.collectiveId, eventApId: a.eventApId })) n++;
  }
  return n;
}

/** Removes partner rows (their sources go with them), undoing their relays; orphaned events go too. */
export async function removePartners(
  em: EntityManager,
  urls: Urls,
  partners: readonly Partner[],
  opts: { undoFollows: boolean },
): Promise<{ events: number; images: string[] }> {
  if (partners.length === 0) return { events: 0, images: [] };
  await undoAnnouncements(em, urls, await announcementsVia(em, partners.map((p) => p.id)));
  for (const p of partners) {
    if (opts.undoFollows) {
      await writeOutbox(em, urls.undoOf(p.followActivityId).href, {
        kind: "undo-follow-partner",
        collectiveId: p.collective.id,
        partner: recipientOf(p.actor),
        followActivityId: p.followActivityId,
      });
    }
  }
  await em.nativeDelete(PartnerSchema, { id: { $in: partners.map((p) => p.id) } });
  await deleteUnfollowedPartnerKits(em);
  await deleteUnfollowedPartnerCalls(em);
  const orphans = await deleteOrphanEvents(em);
  return { events: orphans.count, images: orphans.images };
}

/** See `PartnerService.purgeWithin`. */
export async function purgeWithin(
  em: EntityManager,
  urls: Urls,
  target: PurgeTarget,
  collectiveId: string | null,
  opts: { undoFollows?: boolean } = {},
): Promise<PurgeOutcome> {
  const partners = (await partnersOf(em, target)).filter((p) => collectiveId === null || p.collective.id === collectiveId);
  const removed = await removePartners(em, urls, partners, { undoFollows: opts.undoFollows ?? true });
  if (collectiveId === null) {
    const events = await eventsOf(em, target);
    const ids = events.map((e) => e.id);
    const undone = await undoAnnouncements(em, urls, await announcements(em, ids));
    const deleted = await deleteEvents(em, ids);
    return { partners: partners.length, events: deleted + removed.events, images: [...removed.images, ...imageNames(events.map((e) => e.image))], undone, followsUndone: opts.undoFollows !== false ? partners.length : 0 };
  }
  const sources = await sourcesOfCollective(em, collectiveId, target);
  const undone = await undoAnnouncements(em, urls, sources.filter((s) => s.announced).map((s) => ({ collectiveId, eventApId: s.eventApId })));
  await deleteSources(em, sources.map((s) => s.id));
  const orphans = await deleteOrphanEvents(em);
  return {
    partners: partners.length,
    events: removed.events + orphans.count,
    images: [...removed.images, ...orphans.images],
    undone,
    followsUndone: opts.undoFollows !== false ? partners.length : 0,
  };
}
