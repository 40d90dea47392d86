import type { Context } from "@fedify/fedify";
import { Create, Delete, Update } from "@fedify/vocab";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { PressKitService } from "../../modules/presskit/presskit.service.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { pressKitActivityDocument, pressKitDeleteDocument } from "../mappers/presskit.mapper.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { followersTakingArticles, senderTo } from "./article-delivery.ts";

export type PressKitMessage = Extract<OutboxMessage, { kind: "create-presskit" | "update-presskit" | "delete-presskit" }>;

export interface PressKitSenderDeps {
  readonly presskits: PressKitService;
  readonly followers: FollowerService;
  readonly urls: Urls;
  readonly serverSoftware: ServerSoftwareResolver;
}

/**
 * Sends a published kit's Article from the collective to its followers (Create, Update, Delete). A kit
 * that is not published is never sent, whatever the row says. Servers that take no Article (Gancio)
 * get nothing, as for calls.
 */
export async function sendPressKitMessage(ctx: Context<void>, message: PressKitMessage, deps: PressKitSenderDeps): Promise<void> {
  const kit = await deps.presskits.load(message.kitId);
  if (!kit?.publishedAt) return;
  const { recipients } = await followersTakingArticles(message.collectiveId, deps);
  if (recipients.length === 0) return;
  const send = senderTo(ctx, kit.collective.slug, recipients, kit.apId);
  switch (message.kind) {
    case "create-presskit":
      if (!kit.deletedAt) await send(await prebuiltActivity(Create, pressKitActivityDocument("Create", kit, deps.urls)));
      return;
    case "update-presskit":
      if (!kit.deletedAt) await send(await prebuiltActivity(Update, pressKitActivityDocument("Update", kit, deps.urls, message.revision)));
      return;
    case "delete-presskit":
      if (kit.deletedAt) await send(await prebuiltActivity(Delete, pressKitDeleteDocument(kit, kit.deletedAt, deps.urls)));
      return;
  }
}
