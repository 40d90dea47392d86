import { PUBLIC_COLLECTION } from "@fedify/vocab";
import type { PublishedEvent } from "../../modules/event/event.types.ts";

/**
 * Who an event and everything about it (its activities, its Note, its change notes) address: the
 * public first and the followers in copy; an unlisted event the other way round (Mastodon's "unlisted").
 */
export function eventAudience(event: Pick<PublishedEvent, "visibility">, followers: URL): { to: URL; cc: URL } {
  return event.visibility === "public" ? { to: PUBLIC_COLLECTION, cc: followers } : { to: followers, cc: PUBLIC_COLLECTION };
}
