import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import type { CallActor } from "../call/call.service.ts";
import type { SignableVersion } from "./call-digest.ts";
import { CallInvitationService } from "./call-invitations.service.ts";
import { CallSignatureService } from "./call-signatures.service.ts";
import { cosignContext } from "./cosign-context.ts";
import { CosignStampService } from "./cosign-stamps.service.ts";
import type {
  CosignOutcome,
  CosignPartner,
  IncomingInvitation,
  IncomingStamp,
  InvitationView,
  ReceivedInvitationView,
  SignatureView,
  StampView,
} from "./cosign.types.ts";

export { declineCooldownDays, defaultInvitationDays } from "./cosign-context.ts";

/**
 * Co-signatures of calls across servers (FEDERATION.md "Co-signed calls"): the one entry point the
 * routes, the CLI and the federation layer use. The work is done by three services sharing one
 * EntityManager, URL table and clock: the initiator's invitations and their answers
 * (call-invitations.service.ts), the signatures it lists and their revocations
 * (call-signatures.service.ts), and the signer's side, received invitations and stamps
 * (cosign-stamps.service.ts). Every change and the activity it sends are written in one transaction
 * (the outbox); the federation layer checks signatures, proofs and origins before it calls the
 * `incoming*` methods.
 */
export class CosignService {
  readonly initiator: CallInvitationService;
  readonly listing: CallSignatureService;
  readonly signer: CosignStampService;

  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; now?: () => Date } = {}) {
    const ctx = cosignContext(em, urls, opts);
    this.initiator = new CallInvitationService(ctx);
    this.listing = new CallSignatureService(ctx);
    this.signer = new CosignStampService(ctx);
  }

  // ---------------------------------------------------------------- initiator: invitations and their answers

  invite(actor: CallActor, callId: string, partner: CosignPartner, opts: { expiresAt?: Temporal.Instant | undefined } = {}): Promise<InvitationView> {
    return this.initiator.invite(actor, callId, partner, opts);
  }

  withdraw(actor: CallActor, callId: string, invitationId: string): Promise<InvitationView> {
    return this.initiator.withdraw(actor, callId, invitationId);
  }

  invitations(actor: CallActor, callId: string): Promise<{ invitations: InvitationView[]; signatures: SignatureView[] }> {
    return this.initiator.invitations(actor, callId);
  }

  isInvited(callId: string, actorApId: string): Promise<boolean> {
    return this.initiator.isInvited(callId, actorApId);
  }

  invitation(invitationId: string): Promise<(InvitationView & { partnerInbox: string; partnerSharedInbox: string | null; collectiveSlug: string }) | null> {
    return this.initiator.invitation(invitationId);
  }

  signableVersion(callId: string, version: number): Promise<SignableVersion | null> {
    return this.initiator.signableVersion(callId, version);
  }

  incomingSignature(invitationId: string, stamp: IncomingStamp): Promise<CosignOutcome<{ signatureId: string; state: "current" | "pending" }>> {
    return this.initiator.incomingSignature(invitationId, stamp);
  }

  reviewSignatures(em: EntityManager, callId: string): Promise<boolean> {
    return this.initiator.reviewSignatures(em, callId);
  }

  incomingDecline(invitationId: string, signerApId: string): Promise<CosignOutcome> {
    return this.initiator.incomingDecline(invitationId, signerApId);
  }

  // ---------------------------------------------------------------- initiator: the signatures it lists

  signatories(callId: string): Promise<SignatureView[]> {
    return this.listing.signatories(callId);
  }

  pendingSignatories(callId: string): Promise<SignatureView[]> {
    return this.listing.pendingSignatories(callId);
  }

  signature(signatureId: string): Promise<(SignatureView & { signerInbox: string }) | null> {
    return this.listing.signature(signatureId);
  }

  signatoryRecipients(callId: string): Promise<{ apId: URL; inboxUrl: URL; sharedInboxUrl?: URL | undefined }[]> {
    return this.listing.signatoryRecipients(callId);
  }

  isKnownStamp(stampId: string): Promise<boolean> {
    return this.listing.isKnownStamp(stampId);
  }

  incomingRevocation(stampId: string, signerApId: string, callApId: string | undefined): Promise<{ unlisted: number }> {
    return this.listing.incomingRevocation(stampId, signerApId, callApId);
  }

  signerGone(signerApId: string): Promise<{ unlisted: number }> {
    return this.listing.signerGone(signerApId);
  }

  isRevoked(stampId: string): Promise<boolean> {
    return this.listing.isRevoked(stampId);
  }

  // ---------------------------------------------------------------- signer: received invitations and stamps

  incomingInvitation(input: IncomingInvitation): Promise<CosignOutcome<{ id: string; created: boolean }>> {
    return this.signer.incomingInvitation(input);
  }

  incomingWithdrawal(requestId: string, initiatorApId: string): Promise<CosignOutcome<{ withdrawn: number }>> {
    return this.signer.incomingWithdrawal(requestId, initiatorApId);
  }

  received(actor: CallActor, slug: string): Promise<ReceivedInvitationView[]> {
    return this.signer.received(actor, slug);
  }

  receivedOne(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    return this.signer.receivedOne(actor, slug, id);
  }

  sign(actor: CallActor, slug: string, id: string, opts: { languages?: readonly string[] | undefined } = {}): Promise<ReceivedInvitationView> {
    return this.signer.sign(actor, slug, id, opts);
  }

  decline(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    return this.signer.decline(actor, slug, id);
  }

  stamps(actor: CallActor, slug: string): Promise<StampView[]> {
    return this.signer.stamps(actor, slug);
  }

  revoke(actor: CallActor, slug: string, stampId: string): Promise<StampView> {
    return this.signer.revoke(actor, slug, stampId);
  }

  publicStamps(slug: string): Promise<StampView[] | null> {
    return this.signer.publicStamps(slug);
  }

  stamp(id: string): Promise<StampView | null> {
    return this.signer.stamp(id);
  }

  receivedForDelivery(id: string): Promise<{ requestId: string; initiatorApId: string; initiatorInbox: string; initiatorSharedInbox: string | null; slug: string } | null> {
    return this.signer.receivedForDelivery(id);
  }

  incomingLaunch(callApId: string, initiatorApId: string): Promise<number> {
    return this.signer.incomingLaunch(callApId, initiatorApId);
  }

  awaitingLaunch(stampId: string): Promise<{ callApId: string; initiatorApId: string; slug: string } | null> {
    return this.signer.awaitingLaunch(stampId);
  }

  incomingListed(stampId: string, initiatorApId: string): Promise<CosignOutcome> {
    return this.signer.incomingListed(stampId, initiatorApId);
  }
}
