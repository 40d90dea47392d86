import type { Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import { profileFor } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { serverOrigin } from "./delivery-plan.ts";
import { toFedifyRecipient } from "./recipient.ts";

/**
 * The collective's followers whose servers take more than events (Articles, Notes): Gancio answers
 * them 404 and gets nothing (server-profiles.ts). `skipped` counts the others.
 */
export async function followersTakingArticles(
  collectiveId: string,
  deps: { followers: FollowerService; serverSoftware: ServerSoftwareResolver },
): Promise<{ recipients: Recipient[]; skipped: number }> {
  const followers = await deps.followers.recipients(collectiveId);
  const software = await deps.serverSoftware.softwareOf(followers.map(serverOrigin));
  const recipients = followers.filter((r) => profileFor(software.get(serverOrigin(r))).articles);
  return { recipients, skipped: followers.length - recipients.length };
}

/** Sends an activity about one object from the collective to `recipients`: shared inboxes, no fan-out step, in the object's own order. */
export function senderTo(ctx: Context<void>, slug: string, recipients: readonly Recipient[], object: URL): (activity: Activity) => Promise<void> {
  return (activity) =>
    ctx.sendActivity({ identifier: slug }, recipients.map(toFedifyRecipient), activity, {
      preferSharedInbox: true,
      fanout: "skip",
      orderingKey: object.href,
    });
}
