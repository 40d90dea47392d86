import type { Context } from "@fedify/fedify";
import { type Activity, Delete } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { SloganWording } from "../../modules/slogan/slogan-wording.ts";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { sloganActivity, sloganDeleteDocument } from "../mappers/slogan.mapper.ts";
import { profileFor } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { serverOrigin } from "./delivery-plan.ts";
import { toFedifyRecipient } from "./recipient.ts";

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
  const followers = await deps.followers.recipients(message.collectiveId);
  const software = await deps.serverSoftware.softwareOf(followers.map(serverOrigin));
  const recipients = followers.filter((r) => profileFor(software.get(serverOrigin(r))).articles);
  if (recipients.length < followers.length) logger.debug("{kind} not sent to {skipped} follower(s) whose servers take only events", { kind: message.kind, skipped: followers.length - recipients.length });
  if (recipients.length === 0) return;
  const send = (activity: Activity) =>
    ctx.sendActivity({ identifier: slogan.collective.slug }, recipients.map(toFedifyRecipient), activity, {
      preferSharedInbox: true,
      fanout: "skip",
      orderingKey: slogan.apId.href,
    });
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
