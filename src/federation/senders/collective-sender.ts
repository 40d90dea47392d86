import type { Context } from "@fedify/fedify";
import { PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import type { Collective } from "../../modules/collective/collective.entity.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { Urls } from "../../shared/urls.ts";
import { collectiveToGroup } from "../mappers/collective.mapper.ts";
import { toFedifyRecipient } from "./recipient.ts";

/**
 * An Update of the collective's Group to its followers after its settings changed, so that their
 * servers show the new names, summary and avatar (Mastodon refreshes a remote profile on such an Update).
 */
export async function sendCollectiveUpdate(
  ctx: Context<void>,
  activityId: string,
  collective: Collective,
  deps: { followers: FollowerService; urls: Urls },
): Promise<void> {
  const recipients = await deps.followers.recipients(collective.id);
  if (recipients.length === 0) return;
  const keys = await ctx.getActorKeyPairs(collective.slug);
  const group = collectiveToGroup(collective, deps.urls, { publicKey: keys[0]?.cryptographicKey ?? null, assertionMethods: keys.map((k) => k.multikey) });
  const update = new Update({
    id: new URL(activityId),
    actor: deps.urls.collective(collective.slug),
    object: group,
    to: PUBLIC_COLLECTION,
    cc: deps.urls.collectiveFollowers(collective.slug),
  });
  await ctx.sendActivity(
    { identifier: collective.slug },
    recipients.map(toFedifyRecipient),
    update,
    { preferSharedInbox: true },
  );
}
