import type { Context } from "@fedify/fedify";
import { Delete } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { SloganWording } from "../../modules/slogan/slogan-wording.ts";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { sloganActivity, sloganDeleteDocument } from "../mappers/slogan.mapper.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { followersTakingArticles, senderTo } from "./article-delivery.ts";

const logger = getLogger(["relais", "outbox"]);

export type SloganMessage = Extract<OutboxMessage, { kind: "create-slogan" | "update-slogan" | "delete-slogan" }>;

export interface SloganSenderDeps {
  readonly slogans: SloganService;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
  readonly wording: SloganWording;
}

/**
 * Sends one slogan-related outbox message from the collective to its followers: the Note's Create,
 * Update (the Note as it is now: a late Update never brings an older text back) or Delete. Servers that
 * take nothing but events (Gancio answers 404) get nothing. One ordering key per slogan.
 */
export async function sendSloganMessage(ctx: Context<void>, message: SloganMessage, deps: SloganSenderDeps): Promise<void> {
  const slogan = await deps.slogans.load(message.sloganId);
  if (!slogan?.published) return;
  if (message.kind !== "delete-slogan" && slogan.deletedAt) return;
  const { recipients, skipped } = await followersTakingArticles(message.collectiveId, deps);
  if (skipped > 0) logger.debug("{kind} not sent to {skipped} follower(s) whose servers take only events", { kind: message.kind, skipped });
  if (recipients.length === 0) return;
  const send = senderTo(ctx, slogan.collective.slug, recipients, slogan.apId);
  const mapping = { urls: deps.urls, wording: deps.wording };
  switch (message.kind) {
    case "create-slogan":
      await send(sloganActivity("create", slogan, mapping));
      return;
    case "update-slogan":
      await send(sloganActivity("update", slogan, mapping, message.version));
      return;
    case "delete-slogan":
      if (slogan.deletedAt) await send(await prebuiltActivity(Delete, sloganDeleteDocument(slogan, slogan.deletedAt, deps.urls)));
      return;
  }
}
