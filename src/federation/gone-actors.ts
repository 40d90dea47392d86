import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import type { PartnerService } from "../modules/partner/partner.service.ts";

/** What forgetting a gone actor removed. */
export interface GoneActorOutcome {
  /** Its follows of our collectives (and of the instance actor). */
  readonly follows: number;
  /** Our collectives' partner follows of it. */
  readonly partners: number;
  /** Partner events it organised or alone brought. */
  readonly events: number;
  /** Its co-signatures of our calls, unlisted. */
  readonly signatures: number;
}

/**
 * An actor gone for good (it sent the Delete of itself, or its document answers 410 Gone): its
 * follows of ours, our partner follows of it and the events it brought all go, and its cached actor.
 * Nothing is sent to it (there is nobody to tell). Partners first: removing the actor would leave
 * their events behind.
 */
export async function forgetGoneActor(
  deps: { followers: FollowerService; partners: PartnerService; cosign?: CosignService | undefined },
  actorApId: string,
): Promise<GoneActorOutcome> {
  const purged = await deps.partners.purgeActor(actorApId, { undoFollows: false });
  const follows = await deps.followers.removeActor(actorApId);
  const signatures = deps.cosign ? (await deps.cosign.signerGone(actorApId)).unlisted : 0;
  return { follows, partners: purged.partners, events: purged.events, signatures };
}
