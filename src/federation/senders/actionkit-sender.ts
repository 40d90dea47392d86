import type { Context } from "@fedify/fedify";
import { Create, Delete, Update } from "@fedify/vocab";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import type { ActionKitWording } from "../../modules/actionkit/actionkit-wording.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { actionKitActivityDocument, actionKitDeleteDocument } from "../mappers/actionkit.mapper.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { followersTakingArticles, senderTo } from "./article-delivery.ts";

export type ActionKitMessage = Extract<OutboxMessage, { kind: "create-actionkit" | "update-actionkit" | "delete-actionkit" }>;

export interface ActionKitSenderDeps {
  readonly actionkits: ActionKitService;
  readonly wording: ActionKitWording;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
}

/**
 * Sends a published kit's Article from the collective to its followers (Create, Update, Delete). A kit
 * that is not published is never sent, whatever the row says; servers that take no Article (Gancio)
 * get nothing, as for calls and press kits.
 */
export async function sendActionKitMessage(ctx: Context<void>, message: ActionKitMessage, deps: ActionKitSenderDeps): Promise<void> {
  const kit = await deps.actionkits.load(message.kitId);
  if (!kit?.published) return;
  const { recipients } = await followersTakingArticles(message.collectiveId, deps);
  if (recipients.length === 0) return;
  const send = senderTo(ctx, kit.collective.slug, recipients, kit.apId);
  const mapping = { urls: deps.urls, wording: deps.wording };
  switch (message.kind) {
    case "create-actionkit":
      if (!kit.deletedAt) await send(await prebuiltActivity(Create, actionKitActivityDocument("Create", kit, mapping)));
      return;
    case "update-actionkit":
      if (!kit.deletedAt) await send(await prebuiltActivity(Update, actionKitActivityDocument("Update", kit, mapping, message.version)));
      return;
    case "delete-actionkit":
      if (kit.deletedAt) await send(await prebuiltActivity(Delete, actionKitDeleteDocument(kit, kit.deletedAt, deps.urls)));
      return;
  }
}
