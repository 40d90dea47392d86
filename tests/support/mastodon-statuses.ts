// What a Mastodon server keeps of the posts it received, from the deliveries a MastodonPeer recorded,
// by Mastodon's rules (app/lib/activitypub/activity/create.rb, delete.rb, update.rb): a Create makes a
// status unless one exists or a Tombstone of its id does (a Delete leaves one: Tombstone.find_or_create_by),
// an Update changes a status it has, a Delete removes it and keeps the tombstone.
import type { JsonObject, ReceivedDelivery } from "./mastodon-peer.ts";

export interface KeptStatuses {
  /** Status id -> the object as last created or updated. */
  readonly statuses: Map<string, JsonObject>;
  readonly tombstones: Set<string>;
  /** Creates refused because their object's id was deleted before. */
  readonly refused: string[];
}

const objectId = (o: unknown): string | undefined => (typeof o === "string" ? o : typeof (o as JsonObject | null)?.id === "string" ? String((o as JsonObject).id) : undefined);

export function keptStatuses(received: readonly ReceivedDelivery[]): KeptStatuses {
  const kept: KeptStatuses = { statuses: new Map(), tombstones: new Set(), refused: [] };
  for (const d of received) {
    if (!d.signatureValid || !d.activity) continue;
    const object = d.activity.object;
    const id = objectId(object);
    if (!id) continue;
    switch (d.activity.type) {
      case "Create":
        if (kept.tombstones.has(id)) kept.refused.push(id);
        else if (!kept.statuses.has(id)) kept.statuses.set(id, object as JsonObject);
        break;
      case "Update":
        if (kept.statuses.has(id)) kept.statuses.set(id, object as JsonObject);
        break;
      case "Delete":
        kept.tombstones.add(id);
        kept.statuses.delete(id);
        break;
    }
  }
  return kept;
}
