import type { RequiredEntityData } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { isUuid } from "../../shared/uuid.ts";
import { type Partner, type PartnerEventImage, type PartnerEventPath, type PartnerEventRow, PartnerEventSchema, PartnerSchema } from "./partner.entity.ts";

/** A collective's partners, oldest first, with their actors. */
export async function partnersOfCollective(em: EntityManager, collectiveId: string): Promise<Partner[]> {
  return em.find(PartnerSchema, { collective: collectiveId }, { populate: ["actor", "collective"], orderBy: { createdAt: "asc" } });
}

/**
 * One partner of the collective by its id, its actor's URL or its handle (`name@host`, with or without
 * a leading @, any case); null when none matches. One query, whatever the number of partners.
 */
export async function findPartnerByRef(em: EntityManager, collectiveId: string, ref: string): Promise<Partner | null> {
  const r = ref.trim().replace(/^@/, "");
  const rows = await em.execute<{ id: string }[]>(
    `select p.id from partner p join remote_actor a on a.id = p.actor_id
     where p.collective_id = ? and (${isUuid(r) ? "p.id = ? or " : ""}a.ap_id = ? or lower(a.handle) = lower(?))
     order by p.created_at limit 1`,
    isUuid(r) ? [collectiveId, r, r, r] : [collectiveId, r, r],
  );
  const id = rows[0]?.id;
  return id === undefined ? null : em.findOne(PartnerSchema, { id }, { populate: ["actor", "collective"] });
}

/** Every partner follow of `actorApId`, whatever its state, with their collectives: whose Follow an answer may concern. */
export async function partnersFollowing(em: EntityManager, actorApId: string): Promise<Partner[]> {
  return em.find(PartnerSchema, { actor: { apId: actorApId } }, { populate: ["collective", "actor"] });
}

/** The partner follows that make `actorApId` someone we listen to: pending or accepted, with their collective. */
export async function listeningPartners(em: EntityManager, actorApId: string): Promise<Partner[]> {
  return em.find(
    PartnerSchema,
    { actor: { apId: actorApId }, state: { $in: ["pending", "accepted"] } },
    { populate: ["collective", "actor"] },
  );
}

/** The event row, locked for the rest of the transaction; null when unknown. */
export async function lockEvent(em: EntityManager, apId: string): Promise<PartnerEventRow | null> {
  const rows = await em.execute<{ id: string }[]>("select id from partner_event where ap_id = ? for update", [apId]);
  const id = rows[0]?.id;
  return id === undefined ? null : em.findOne(PartnerEventSchema, { id }, { refresh: true });
}

/** Inserts an event unless its ap_id exists (a concurrent delivery of the same event): whether it was inserted. */
export async function insertEventIfNew(em: EntityManager, row: RequiredEntityData<PartnerEventRow>): Promise<boolean> {
  const res = await em.createQueryBuilder(PartnerEventSchema).insert(row).onConflict("apId").ignore().execute();
  return (res.affectedRows ?? 0) > 0;
}

/** Records that `partnerId` brought the event; returns whether it had not before. */
export async function addSource(em: EntityManager, eventId: string, partnerId: string, path: PartnerEventPath): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    `insert into partner_event_source (id, event_id, partner_id, path, created_at) values (?, ?, ?, ?, ?)
     on conflict (event_id, partner_id) do nothing returning id`,
    [crypto.randomUUID(), eventId, partnerId, path, new Date()],
  );
  return rows.length > 0;
}

/** Marks the relay of an event by a partner's collective as queued. */
export async function markAnnounced(em: EntityManager, eventId: string, partnerId: string): Promise<void> {
  await em.execute("update partner_event_source set announced_at = ? where event_id = ? and partner_id = ?", [new Date(), eventId, partnerId]);
}

/** The collectives that relayed these events (Announce queued), once each: their relays are to be undone. */
export async function announcements(em: EntityManager, eventIds: readonly string[]): Promise<{ collectiveId: string; eventApId: string }[]> {
  if (eventIds.length === 0) return [];
  return em.execute<{ collectiveId: string; eventApId: string }[]>(
    `select distinct p.collective_id as "collectiveId", e.ap_id as "eventApId"
     from partner_event_source s join partner p on p.id = s.partner_id join partner_event e on e.id = s.event_id
     where s.announced_at is not null and s.event_id in (${eventIds.map(() => "?").join(", ")})`,
    [...eventIds],
  );
}

/** Announcements made through these partners (before the partners go). */
export async function announcementsVia(em: EntityManager, partnerIds: readonly string[]): Promise<{ collectiveId: string; eventApId: string }[]> {
  if (partnerIds.length === 0) return [];
  return em.execute<{ collectiveId: string; eventApId: string }[]>(
    `select distinct p.collective_id as "collectiveId", e.ap_id as "eventApId"
     from partner_event_source s join partner p on p.id = s.partner_id join partner_event e on e.id = s.event_id
     where s.announced_at is not null and s.partner_id in (${partnerIds.map(() => "?").join(", ")})`,
    [...partnerIds],
  );
}

/** Touches the partners' last activity. */
export async function touchPartners(em: EntityManager, partnerIds: readonly string[]): Promise<void> {
  if (partnerIds.length === 0) return;
  await em.nativeUpdate(PartnerSchema, { id: { $in: [...partnerIds] } }, { lastActivityAt: new Date() });
}

/**
 * Deletes the events no partner brings any more (and tombstones nobody needs), returning the names of
 * their stored images so the caller can remove the files once the transaction has committed.
 */
export async function deleteOrphanEvents(em: EntityManager): Promise<{ count: number; images: string[] }> {
  const rows = await em.execute<{ image: PartnerEventImage | null }[]>(
    `delete from partner_event e where not exists (select 1 from partner_event_source s where s.event_id = e.id) returning e.image`,
  );
  return { count: rows.length, images: imageNames(rows.map((r) => r.image)) };
}

/** The hosts a domain block covers: `d` itself and its subdomains, as a SQL condition on `column`. */
function domainCondition(column: string, domain: string): { sql: string; params: string[] } {
  const d = domain.toLowerCase().replace(/^\.+|\.+$/g, "");
  const escaped = d.replace(/[\\%_]/g, (c) => `\\${c}`);
  return { sql: `(${column} = ? or ${column} like ?)`, params: [d, `%.${escaped}`] };
}

/** Those of `actorApIds` that are partners of some collective and whose inbox or shared inbox is `inboxUrl`. */
export async function partnerActorsWithInbox(em: EntityManager, inboxUrl: string, actorApIds: readonly string[]): Promise<string[]> {
  if (actorApIds.length === 0) return [];
  const rows = await em.execute<{ ap_id: string }[]>(
    `select distinct a.ap_id from partner p join remote_actor a on a.id = p.actor_id
     where a.ap_id in (${actorApIds.map(() => "?").join(", ")}) and (a.inbox_url = ? or a.shared_inbox_url = ?)`,
    [...actorApIds, inboxUrl, inboxUrl],
  );
  return rows.map((r) => r.ap_id);
}

/** Partner follows of the actors on a domain (and its subdomains), or of one actor. */
export async function partnersOf(em: EntityManager, target: { domain: string } | { actorApId: string }): Promise<Partner[]> {
  const where =
    "actorApId" in target
      ? { actor: { apId: target.actorApId } }
      : {
          actor: {
            $or: [{ domain: target.domain.toLowerCase() }, { domain: { $like: `%.${target.domain.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}` } }],
          },
        };
  return em.find(PartnerSchema, where, { populate: ["collective", "actor"] });
}

/**
 * What a collective's partners brought of a target: events published on its domain (or subdomains),
 * organised by it, or brought by a partner that is it. With whether the collective relayed them.
 */
export async function sourcesOfCollective(
  em: EntityManager,
  collectiveId: string,
  target: { domain: string } | { actorApId: string },
): Promise<{ id: string; eventApId: string; announced: boolean }[]> {
  const match =
    "actorApId" in target
      ? { sql: "(e.organizer_ap_id = ? or a.ap_id = ?)", params: [target.actorApId, target.actorApId] }
      : (() => {
          const onEvent = domainCondition("e.domain", target.domain);
          const onActor = domainCondition("a.domain", target.domain);
          return { sql: `(${onEvent.sql} or ${onActor.sql})`, params: [...onEvent.params, ...onActor.params] };
        })();
  const rows = await em.execute<{ id: string; ap_id: string; announced_at: Date | null }[]>(
    `select s.id, e.ap_id, s.announced_at from partner_event_source s
     join partner p on p.id = s.partner_id join remote_actor a on a.id = p.actor_id join partner_event e on e.id = s.event_id
     where p.collective_id = ? and ${match.sql}`,
    [collectiveId, ...match.params],
  );
  return rows.map((r) => ({ id: r.id, eventApId: r.ap_id, announced: r.announced_at !== null }));
}

export async function deleteSources(em: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.execute(`delete from partner_event_source where id in (${ids.map(() => "?").join(", ")})`, [...ids], "run");
}

/** Events published on a domain (and its subdomains), or organised by one actor: ids and images. */
export async function eventsOf(em: EntityManager, target: { domain: string } | { actorApId: string }): Promise<{ id: string; image: PartnerEventImage | null }[]> {
  if ("actorApId" in target) {
    return em.execute("select id, image from partner_event where organizer_ap_id = ?", [target.actorApId]);
  }
  const c = domainCondition("domain", target.domain);
  return em.execute(`select id, image from partner_event where ${c.sql}`, c.params);
}

export async function deleteEvents(em: EntityManager, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return em.nativeDelete(PartnerEventSchema, { id: { $in: [...ids] } });
}

export function imageNames(images: readonly (PartnerEventImage | null | undefined)[]): string[] {
  return images.flatMap((i) => (i?.name ? [i.name] : []));
}
