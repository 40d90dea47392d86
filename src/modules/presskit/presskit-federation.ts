import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { PressKitRow } from "./presskit.entity.ts";

/** What publishing, changing or deleting a kit queues, in the caller's transaction: whether a row was queued. */

/** The Create of a kit, once published. */
export async function queuePressKitCreate(em: EntityManager, urls: Urls, row: PressKitRow, collective: Collective): Promise<boolean> {
  return writeOutbox(em, `${urls.pressKit(row.id).href}#create`, { kind: "create-presskit", collectiveId: collective.id, kitId: row.id });
}

/** The Update of a published kit, with its next revision (an unpublished kit queues nothing). */
export async function queuePressKitUpdate(em: EntityManager, urls: Urls, row: PressKitRow, collective: Collective): Promise<boolean> {
  if (!row.publishedAt) return false;
  row.revision += 1;
  await em.flush();
  return writeOutbox(em, `${urls.pressKit(row.id).href}#update-${row.revision}`, {
    kind: "update-presskit",
    collectiveId: collective.id,
    kitId: row.id,
    revision: row.revision,
  });
}

/** The Delete of a deleted kit that was public (one never published queues nothing). */
export async function queuePressKitDelete(em: EntityManager, urls: Urls, row: PressKitRow, collective: Collective): Promise<boolean> {
  return row.publishedAt ? writeOutbox(em, `${urls.pressKit(row.id).href}#delete`, { kind: "delete-presskit", collectiveId: collective.id, kitId: row.id }) : false;
}
