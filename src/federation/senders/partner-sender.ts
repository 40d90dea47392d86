import type { Context } from "@fedify/fedify";
import { Announce, Follow, PUBLIC_COLLECTION, Undo } from "@fedify/vocab";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage, OutboxRecipient } from "../../modules/outbox/outbox.writer.ts";
import type { Urls } from "../../shared/urls.ts";
import { toFedifyRecipient } from "./recipient.ts";

export type PartnerMessage = Extract<
  OutboxMessage,
  { kind: "follow-partner" | "undo-follow-partner" | "announce-partner-event" | "undo-announce-partner-event" }
>;

/**
 * A collective's activities towards its partners: its Follow (and the Undo of it), to the partner's
 * own inbox; and its relay of a partner's event, an `Announce` of the event's id (every server fetches
 * the event from its origin) to the collective's followers, and the Undo of that Announce once the
 * event is deleted. Ids come from the outbox row, derived from what they are about.
 */
export async function sendPartnerMessage(
  ctx: Context<void>,
  activityId: string,
  slug: string,
  message: PartnerMessage,
  deps: { followers: FollowerService; urls: Urls },
): Promise<void> {
  const actor = deps.urls.collective(slug);
  switch (message.kind) {
    case "follow-partner":
    case "undo-follow-partner": {
      const partner: OutboxRecipient = message.partner;
      const follow = new Follow({ id: new URL(message.followActivityId), actor, object: new URL(partner.apId), to: new URL(partner.apId) });
      const activity = message.kind === "follow-partner" ? follow : new Undo({ id: new URL(activityId), actor, object: follow, to: new URL(partner.apId) });
      // To the partner's own inbox: Gancio's relay actor and Mobilizon groups read their personal inbox.
      await ctx.sendActivity({ identifier: slug }, { ...toFedifyRecipient(partner), endpoints: null }, activity);
      return;
    }
    case "announce-partner-event":
    case "undo-announce-partner-event": {
      const recipients = await deps.followers.recipients(message.collectiveId);
      if (recipients.length === 0) return;
      const announceId = deps.urls.partnerAnnounce(slug, message.eventApId);
      const announce = new Announce({
        id: announceId,
        actor,
        object: new URL(message.eventApId),
        to: PUBLIC_COLLECTION,
        cc: deps.urls.collectiveFollowers(slug),
      });
      const activity =
        message.kind === "announce-partner-event"
          ? announce
          : new Undo({ id: new URL(activityId), actor, object: announce, to: PUBLIC_COLLECTION, cc: deps.urls.collectiveFollowers(slug) });
      await ctx.sendActivity({ identifier: slug }, recipients.map(toFedifyRecipient), activity, {
        preferSharedInbox: true,
        orderingKey: message.eventApId,
      });
      return;
    }
  }
}
