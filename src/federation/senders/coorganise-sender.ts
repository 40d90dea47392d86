import type { Context } from "@fedify/fedify";
import { Accept, type Activity, Add, Delete, Offer, Reject, Update } from "@fedify/vocab";
import type { CoorganiseHostService } from "../../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../../modules/coorganise/coorganise-partner.service.ts";
import type { EventWording } from "../../modules/event/event-summary.ts";
import type { EventService } from "../../modules/event/event.service.ts";
import type { OutboxMessage } from "../../modules/outbox/outbox.writer.ts";
import type { Urls } from "../../shared/urls.ts";
import { prebuiltActivity } from "../fedify-workarounds.ts";
import { activityWithOrganizers, coorganizeRequestDocument, coorganizeRevokeDocument } from "../mappers/coorganise.mapper.ts";
import { cosignAddDocument, cosignAnswerDocument } from "../mappers/cosign.mapper.ts";
import { collectiveSender, deleteDocument, eventActivityDocument } from "../mappers/event-activity.mapper.ts";

export type CoorganiseMessage = Extract<
  OutboxMessage,
  { kind: "coorganize-request" | "coorganize-listed" | "coorganize-event-changed" | "coorganize-accept" | "coorganize-decline" | "coorganize-revoke" }
>;

export interface CoorganiseSenderDeps {
  readonly host: CoorganiseHostService;
  readonly partner: CoorganisePartnerService;
  readonly events: EventService;
  readonly urls: Urls;
  readonly wording: EventWording;
}

const recipient = (apId: string, inbox: string) => ({ id: new URL(apId), inboxId: new URL(inbox), endpoints: null });

/**
 * Sends one co-organising outbox message (FEDERATION.md "Co-organised events"). Everything goes to the
 * collective concerned only, at its own inbox: invitations and answers are private; a change of the
 * event reaches the co-organisers even when they do not follow the host.
 */
export async function sendCoorganiseMessage(ctx: Context<void>, activityId: string, identifier: string, message: CoorganiseMessage, deps: CoorganiseSenderDeps): Promise<void> {
  const { host, partner, urls } = deps;
  const self = urls.collective(identifier);
  switch (message.kind) {
    case "coorganize-request": {
      const invitation = await host.invitation(message.invitationId);
      if (invitation?.state !== "invited") return;
      const document = coorganizeRequestDocument({
        id: new URL(activityId),
        host: self,
        partner: invitation.partner.apId,
        event: urls.event(invitation.eventId),
        coorganizers: urls.eventCoorganizers(invitation.eventId),
        expiresAt: invitation.expiresAt,
      });
      await ctx.sendActivity({ identifier }, recipient(invitation.partner.apId, invitation.partnerInbox), await prebuiltActivity(Offer, document));
      return;
    }
    case "coorganize-listed": {
      const c = await host.coorganizer(message.coorganizerId);
      if (c?.state !== "current" && c?.state !== "pending") return;
      const document = cosignAddDocument({ id: activityId, initiator: self, to: [c.partner.apId], stamp: c.stampId, signatories: urls.eventCoorganizers(c.eventId) });
      await ctx.sendActivity({ identifier }, recipient(c.partner.apId, c.partnerInbox), await prebuiltActivity(Add, document));
      return;
    }
    case "coorganize-event-changed": {
      const loaded = await deps.events.loadForDelivery(message.eventId);
      if (!loaded?.published) return;
      const to = await host.recipients(message.eventId);
      if (to.length === 0) return;
      const sender = collectiveSender(loaded.event, urls.collectiveFollowers(identifier));
      let activity: Activity;
      if (loaded.deletedAt) {
        const doc = deleteDocument({ id: loaded.event.apId, formerType: "Event", deletedAt: loaded.deletedAt }, sender);
        activity = await prebuiltActivity(Delete, { ...doc, id: activityId });
      } else {
        const doc = await eventActivityDocument("Update", loaded.event, 0, { followersUrl: urls.collectiveFollowers(identifier), wording: deps.wording }, sender);
        const listed = await host.listed(message.eventId);
        activity = await prebuiltActivity(Update, { ...activityWithOrganizers(doc, { id: self }, listed, urls.eventCoorganizers(message.eventId)), id: activityId });
      }
      await ctx.sendActivity({ identifier }, to.map((r) => recipient(r.apId, r.inboxUrl)), activity, { orderingKey: loaded.event.apId.href });
      return;
    }
    case "coorganize-accept":
    case "coorganize-decline": {
      const stamp = await partner.stamp(message.stampId);
      if (!stamp) return;
      const accept = message.kind === "coorganize-accept";
      if (accept && (stamp.state !== "accepted" || stamp.revokedAt)) return;
      const document = cosignAnswerDocument({
        id: new URL(activityId),
        type: accept ? "Accept" : "Reject",
        signer: self,
        initiator: stamp.hostApId,
        request: stamp.requestId,
        ...(accept ? { stamp: urls.stamp(stamp.id) } : {}),
      });
      await ctx.sendActivity({ identifier }, recipient(stamp.hostApId, stamp.hostInbox), accept ? await prebuiltActivity(Accept, document) : await prebuiltActivity(Reject, document));
      return;
    }
    case "coorganize-revoke": {
      const stamp = await partner.stamp(message.stampId);
      if (!stamp?.revokedAt) return;
      const document = coorganizeRevokeDocument({ id: new URL(activityId), partner: self, stamp: urls.stamp(stamp.id), event: stamp.eventApId, host: stamp.hostApId, revokedAt: stamp.revokedAt });
      await ctx.sendActivity({ identifier }, recipient(stamp.hostApId, stamp.hostInbox), await prebuiltActivity(Delete, document));
      return;
    }
  }
}
