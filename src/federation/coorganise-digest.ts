import { type EventDigester, essentialsDigest } from "../modules/coorganise/event-essentials.ts";
import type { EventWording } from "../modules/event/event-summary.ts";
import type { Urls } from "../shared/urls.ts";
import { eventEssentialsFromJson } from "./mappers/coorganise.mapper.ts";
import { eventToJsonLd } from "./mappers/event.mapper.ts";

/**
 * The host's digest of one of its events: the essentials of the very document it serves (eventToJsonLd
 * with the same context as objects.ts), so that a co-organiser reading that document computes the same.
 */
export function eventDigester(urls: Urls, wording: EventWording): EventDigester {
  return async (event) => {
    const document = await eventToJsonLd(event, { followersUrl: urls.collectiveFollowers(event.organizer.slug), wording });
    const essentials = eventEssentialsFromJson(document);
    if (!essentials) throw new Error(`the event ${event.apId.href} maps to no Event document`);
    return essentialsDigest(essentials);
  };
}
