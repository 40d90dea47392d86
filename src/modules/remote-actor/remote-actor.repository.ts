import type { EntityManager } from "@mikro-orm/postgresql";
import { type RemoteActor, RemoteActorSchema } from "./remote-actor.entity.ts";
import type { RemoteActorInfo } from "./remote-actor.types.ts";

/** Inserts or refreshes the cached copy of a remote actor; one row per actor id, race-free. */
export async function upsertRemoteActor(em: EntityManager, info: RemoteActorInfo): Promise<RemoteActor> {
  const row = {
    apId: info.apId.href,
    domain: info.apId.hostname.toLowerCase(),
    type: info.type,
    handle: info.handle ?? null,
    name: info.name ?? null,
    inboxUrl: info.inboxUrl.href,
    sharedInboxUrl: info.sharedInboxUrl?.href ?? null,
    url: info.url?.href ?? null,
    fetchedAt: new Date(),
  };
  return em.upsert(RemoteActorSchema, row, { onConflictFields: ["apId"], onConflictExcludeFields: ["id"] });
}

export async function findRemoteActor(em: EntityManager, apId: string): Promise<RemoteActor | null> {
  return em.findOne(RemoteActorSchema, { apId });
}

/** Marks an actor as checked without changing it. */
export async function touchRemoteActor(em: EntityManager, apId: string): Promise<void> {
  await em.nativeUpdate(RemoteActorSchema, { apId }, { fetchedAt: new Date() });
}
