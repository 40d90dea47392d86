import type { Context } from "@fedify/fedify";
import { Create, Reject } from "@fedify/vocab";
import type { CosignService } from "../../modules/cosign/cosign.service.ts";
import type { JoinRequestService } from "../../modules/cosign/join-requests.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { joinRefusalDocument, joinRequestDocument } from "../mappers/join.mapper.ts";

export type JoinMessage = Extract<OutboxMessage, { kind: "cosign-join" | "cosign-join-refuse" }>;

export interface JoinSenderDeps {
  readonly cosign: CosignService;
  readonly joins: JoinRequestService;
  readonly urls: Urls;
}

const recipient = (apId: string, inbox: string) => ({ id: new URL(apId), inboxId: new URL(inbox), endpoints: null });

/** Sends a join request (to the call's initiator) or its refusal (to the requester): each to that collective's own inbox only. */
export async function sendJoinMessage(ctx: Context<void>, activityId: string, identifier: string, message: JoinMessage, deps: JoinSenderDeps): Promise<void> {
  const { urls } = deps;
  const self = urls.collective(identifier);
  if (message.kind === "cosign-join") {
    const stamp = await deps.cosign.stamp(message.stampId);
    if (!stamp || stamp.revokedAt || stamp.listedAt) return;
    const document = joinRequestDocument({ id: new URL(activityId), signer: self, initiator: stamp.initiatorApId, stamp: urls.stamp(stamp.id), signatories: stamp.signatoriesUrl });
    await ctx.sendActivity({ identifier }, recipient(stamp.initiatorApId, stamp.initiatorInbox), await prebuiltActivity(Create, document));
    return;
  }
  const request = await deps.joins.request(message.requestId);
  if (request?.state !== "refused") return;
  const document = joinRefusalDocument({ id: new URL(activityId), initiator: self, requester: request.requester.apId, request: request.activityId });
  await ctx.sendActivity({ identifier }, recipient(request.requester.apId, request.requesterInbox), await prebuiltActivity(Reject, document));
}
