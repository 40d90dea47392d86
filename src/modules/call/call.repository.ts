import type { EntityManager } from "@mikro-orm/postgresql";
import { EventSchema } from "../event/event.entity.ts";
import { type CallChangeNoteRow, CallChangeNoteSchema, type CallRow, CallSchema, type CallVersionRow, CallVersionSchema } from "./call.entity.ts";
import type { CallChangeKind, RelatedEvent } from "./call.types.ts";
import type { Urls } from "../../shared/urls.ts";
import type { LanguageMap } from "../../shared/language.ts";

/** The published, not deleted events among `ids`, in the order of `ids`. */
export async function findRelatedEvents(em: EntityManager, ids: readonly string[], urls: Urls): Promise<RelatedEvent[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(EventSchema, { id: { $in: [...ids] }, published: true, deletedAt: null });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        id: r.id,
        apId: urls.event(r.id),
        name: r.name,
        startsAt: Temporal.Instant.fromEpochMilliseconds(r.startsAt.getTime()),
        endsAt: r.endsAt ? Temporal.Instant.fromEpochMilliseconds(r.endsAt.getTime()) : undefined,
        timezone: r.timezone,
        allDay: r.allDay,
      },
    ];
  });
}

/** Which of `ids` are no published, not deleted event of this instance. */
export async function unknownEvents(em: EntityManager, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(EventSchema, { id: { $in: [...ids] }, published: true, deletedAt: null }, { fields: ["id"] });
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/**
 * A collective's calls, newest first (ties by id, descending), after the position `after` (created_at
 * in ms, id) when given; calls not launched yet only when `includePrivate`.
 */
export async function findCalls(
  em: EntityManager,
  collectiveId: string,
  opts: { includePrivate: boolean; limit: number; after?: readonly [number, string] | undefined },
): Promise<CallRow[]> {
  const where: Record<string, unknown> = { collective: collectiveId, deletedAt: null };
  if (!opts.includePrivate) where.launchedAt = { $ne: null };
  if (opts.after) {
    const at = new Date(opts.after[0]);
    where.$or = [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: opts.after[1] } }];
  }
  return em.find(CallSchema, where, { orderBy: { createdAt: "desc", id: "desc" }, limit: opts.limit });
}

export async function findVersions(em: EntityManager, callId: string): Promise<CallVersionRow[]> {
  return em.find(CallVersionSchema, { call: callId }, { orderBy: { version: "asc" } });
}

export async function findVersion(em: EntityManager, callId: string, version: number): Promise<CallVersionRow | null> {
  return em.findOne(CallVersionSchema, { call: callId, version });
}

/** Stores the change note of one revision; a replay of the same revision writes nothing. */
export async function insertCallChangeNote(
  em: EntityManager,
  note: { callId: string; revision: number; kinds: readonly CallChangeKind[]; text: LanguageMap; createdAt?: Date },
): Promise<void> {
  await em
    .createQueryBuilder(CallChangeNoteSchema)
    .insert({ call: note.callId, revision: note.revision, kinds: [...note.kinds], text: note.text, createdAt: note.createdAt ?? new Date() })
    .onConflict(["call", "revision"])
    .ignore()
    .execute();
}

export async function findCallChangeNote(em: EntityManager, callId: string, revision: number): Promise<CallChangeNoteRow | null> {
  return em.findOne(CallChangeNoteSchema, { call: callId, revision });
}

export async function markCallChangeNoteSent(em: EntityManager, callId: string, revision: number): Promise<void> {
  await em.nativeUpdate(CallChangeNoteSchema, { call: callId, revision, sentAt: null }, { sentAt: new Date() });
}

export async function sentCallChangeNotes(em: EntityManager, callId: string): Promise<CallChangeNoteRow[]> {
  return em.find(CallChangeNoteSchema, { call: callId, sentAt: { $ne: null } }, { orderBy: { revision: "asc" } });
}

/** Open calls whose signing deadline has passed, oldest deadline first. */
export async function findDueCalls(em: EntityManager, now: Date, limit: number): Promise<CallRow[]> {
  return em.find(CallSchema, { status: "open", deletedAt: null, deadline: { $lte: now } }, { orderBy: { deadline: "asc" }, limit });
}

/** When the call's last change note naming new signatories was written (they come at most once a day). */
export async function lastSignatoriesNote(em: EntityManager, callId: string): Promise<Date | null> {
  const rows = await em.find(CallChangeNoteSchema, { call: callId }, { orderBy: { revision: "desc" }, limit: 200, fields: ["kinds", "createdAt"] });
  return rows.find((r) => r.kinds.includes("signatories"))?.createdAt ?? null;
}
