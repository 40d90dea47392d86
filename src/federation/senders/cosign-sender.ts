import type { Context } from "@fedify/fedify";
import { Accept, Add, Announce, Delete, Offer, Reject, Undo } from "@fedify/vocab";
import type { CosignService } from "../../modules/cosign/cosign.service.ts";
import type { FollowerService } from "../../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import {
  cosignAddDocument,
  cosignAnnounceDocument,
  cosignAnswerDocument,
  cosignRequestDocument,
  cosignRevokeDocument,
  cosignUndoAnnounceDocument,
  cosignWithdrawDocument,
} from "../mappers/cosign.mapper.ts";
import { idOf } from "../mappers/json-values.ts";
import { fetchActor, signedGet } from "../object-proofs.ts";
import { profileFor } from "../server-profiles.ts";
import type { ServerSoftwareResolver } from "../server-software.ts";
import { serverOrigin } from "./delivery-plan.ts";
import { toFedifyRecipient } from "./recipient.ts";

export type CosignMessage = Extract<
  OutboxMessage,
  { kind: "cosign-request" | "cosign-withdraw" | "cosign-listed" | "cosign-accept" | "cosign-decline" | "cosign-announce" | "cosign-undo-announce" | "cosign-revoke" }
>;

export interface CosignSenderDeps {
  readonly cosign: CosignService;
  readonly urls: Urls;
  readonly followers: FollowerService;
  readonly serverSoftware: ServerSoftwareResolver;
  readonly allowPrivateAddresses: boolean;
}

const recipient = (apId: string, inbox: string) => ({ id: new URL(apId), inboxId: new URL(inbox), endpoints: null });

/**
 * Sends one co-signing outbox message. Invitations, answers and listings go to the collective
 * concerned only, at its own inbox (never a shared inbox: they are private before launch), and only to
 * Relais collectives (the service invites no other kind of actor).
 */
export async function sendCosignMessage(ctx: Context<void>, activityId: string, identifier: string, message: CosignMessage, deps: CosignSenderDeps): Promise<void> {
  const { cosign, urls } = deps;
  const self = urls.collective(identifier);
  switch (message.kind) {
    case "cosign-request": {
      const invitation = await cosign.invitation(message.invitationId);
      if (invitation?.state !== "invited") return;
      const document = cosignRequestDocument({
        id: new URL(activityId),
        initiator: self,
        partner: invitation.partner.apId,
        version: urls.callVersion(invitation.callId, invitation.version),
        signatories: urls.callSignatories(invitation.callId),
        expiresAt: invitation.expiresAt,
      });
      await ctx.sendActivity({ identifier }, recipient(invitation.partner.apId, invitation.partnerInbox), await prebuiltActivity(Offer, document));
      return;
    }
    case "cosign-withdraw": {
      const invitation = await cosign.invitation(message.invitationId);
      if (invitation?.state !== "withdrawn") return;
      const document = cosignWithdrawDocument({ id: activityId, initiator: self, partner: invitation.partner.apId, request: urls.callInvitation(invitation.callId, invitation.id).href });
      await ctx.sendActivity({ identifier }, recipient(invitation.partner.apId, invitation.partnerInbox), await prebuiltActivity(Undo, document));
      return;
    }
    case "cosign-accept": {
      const stamp = await cosign.stamp(message.stampId);
      if (!stamp?.requestId || stamp.revokedAt) return;
      const document = cosignAnswerDocument({ id: new URL(activityId), type: "Accept", signer: self, initiator: stamp.initiatorApId, request: stamp.requestId, stamp: urls.stamp(stamp.id) });
      await ctx.sendActivity({ identifier }, recipient(stamp.initiatorApId, stamp.initiatorInbox), await prebuiltActivity(Accept, document));
      return;
    }
    case "cosign-decline": {
      const received = await cosign.receivedForDelivery(message.receivedId);
      if (!received) return;
      const document = cosignAnswerDocument({ id: new URL(activityId), type: "Reject", signer: self, initiator: received.initiatorApId, request: received.requestId });
      await ctx.sendActivity({ identifier }, recipient(received.initiatorApId, received.initiatorInbox), await prebuiltActivity(Reject, document));
      return;
    }
    case "cosign-listed": {
      const signature = await cosign.signature(message.signatureId);
      if (signature?.state !== "current") return;
      const document = cosignAddDocument({
        id: activityId,
        initiator: self,
        to: [signature.signer.apId],
        stamp: signature.stampId,
        signatories: urls.callSignatories(signature.callId),
      });
      await ctx.sendActivity({ identifier }, recipient(signature.signer.apId, signature.signerInbox), await prebuiltActivity(Add, document));
      return;
    }
    case "cosign-revoke": {
      const stamp = await cosign.stamp(message.stampId);
      if (!stamp?.revokedAt) return;
      const document = cosignRevokeDocument({
        id: new URL(activityId),
        signer: self,
        stamp: urls.stamp(stamp.id),
        call: stamp.callApId,
        initiator: stamp.initiatorApId,
        followers: urls.collectiveFollowers(identifier),
        revokedAt: stamp.revokedAt,
      });
      // The initiator, the other signatories (read from the initiator's list: a hostile initiator
      // that keeps listing us is contradicted before their own followers), and our followers.
      const to = [{ apId: stamp.initiatorApId, inboxUrl: stamp.initiatorInbox }];
      const opts = { allowPrivateAddresses: deps.allowPrivateAddresses };
      const list = await signedGet(ctx, identifier, new URL(stamp.signatoriesUrl), opts);
      const items = list.ok && Array.isArray(list.json.orderedItems) ? list.json.orderedItems : [];
      const others = new Set(items.map((i) => idOf((i as Record<string, unknown>)?.partner)).filter((p): p is string => !!p && p !== self.href && URL.canParse(p)));
      for (const other of [...others].slice(0, 150)) {
        const found = await fetchActor(ctx, identifier, new URL(other), opts);
        if (found.ok) to.push({ apId: other, inboxUrl: found.actor.info.inboxUrl.href, ...(found.actor.info.sharedInboxUrl ? { sharedInboxUrl: found.actor.info.sharedInboxUrl.href } : {}) });
      }
      const all = await deps.followers.recipients(message.collectiveId);
      const software = await deps.serverSoftware.softwareOf(all.map(serverOrigin));
      const followers = all.filter((r) => profileFor(software.get(serverOrigin(r))).articles);
      await ctx.sendActivity({ identifier }, [...to, ...followers].map(toFedifyRecipient), await prebuiltActivity(Delete, document), { preferSharedInbox: true, fanout: "skip" });
      return;
    }
    case "cosign-announce":
    case "cosign-undo-announce": {
      const stamp = await cosign.stamp(message.stampId);
      if (!stamp) return;
      // A boost is withdrawn with its stamp; a boost of a revoked stamp is never sent.
      if (message.kind === "cosign-announce" && stamp.revokedAt) return;
      const announce = cosignAnnounceDocument({ id: urls.stampAnnounce(stamp.id), signer: self, call: stamp.callApId, followers: urls.collectiveFollowers(identifier) });
      const document = message.kind === "cosign-announce" ? announce : cosignUndoAnnounceDocument(announce);
      // Servers that answer 404 to a boost of an object they do not host (Gancio) are sent none.
      const all = await deps.followers.recipients(message.collectiveId);
      const software = await deps.serverSoftware.softwareOf(all.map(serverOrigin));
      const takers = all.filter((r) => profileFor(software.get(serverOrigin(r))).articles);
      if (takers.length === 0) return;
      const activity = message.kind === "cosign-announce" ? await prebuiltActivity(Announce, document) : await prebuiltActivity(Undo, document);
      await ctx.sendActivity({ identifier }, takers.map(toFedifyRecipient), activity, { preferSharedInbox: true, fanout: "skip", orderingKey: stamp.callApId });
      return;
    }
  }
}
