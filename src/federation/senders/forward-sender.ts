import type { Context, MessageQueue } from "@fedify/fedify";
import type { CollectiveService } from "../../modules/collective/collective.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import { type ForwardGroup, planForwards } from "../../modules/partner/forward-plan.ts";
import { forwardLater } from "../fedify-workarounds.ts";
import type { JsonObject } from "../mappers/event.mapper.ts";

export type ForwardMessage = Extract<OutboxMessage, { kind: "forward-partner-update" }>;

/**
 * The origin's Update of an event our collectives relayed, forwarded unchanged (its signatures intact)
 * to their followers, who may not follow the origin: inbox forwarding (FEDERATION.md, "Relay"). Each
 * delivery inbox once, never the origin's server (`planForwards`). Returns how many inboxes.
 */
export async function sendForwardMessage(
  ctx: Context<void>,
  message: ForwardMessage,
  deps: { collectives: CollectiveService; followers: FollowerService; queue: MessageQueue },
): Promise<number> {
  const groups: ForwardGroup[] = [];
  for (const id of message.via) {
    const collective = await deps.collectives.findById(id);
    if (collective) groups.push({ slug: collective.slug, recipients: await deps.followers.recipients(id) });
  }
  const activity = { json: JSON.parse(message.activity) as JsonObject, id: message.activityId ?? undefined, type: message.activityType };
  let inboxes = 0;
  for (const group of planForwards(groups, new URL(message.eventApId).origin)) {
    const deliveries = group.recipients.map((r) => ({ inbox: r.sharedInboxUrl ?? r.inboxUrl, sharedInbox: r.sharedInboxUrl !== undefined, actorIds: [r.apId.href] }));
    inboxes += await forwardLater(ctx, deps.queue, group.slug, deliveries, activity, { orderingKey: message.eventApId });
  }
  return inboxes;
}
