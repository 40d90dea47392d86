import type { CosignPartner } from "../cosign/cosign.types.ts";
import type { EventData } from "../event/event.types.ts";
import type { CoorganizerInvitationState, CoorganizerState, CoorganizeStampState } from "./coorganise.entity.ts";

/** A partner collective on another server (a Relais Group), as co-signing finds it. */
export type CoorganizePartner = CosignPartner;

/** An invitation the host sent, for its editors (never public). */
export interface CoorganizerInvitationView {
  readonly id: string;
  readonly eventId: string;
  readonly partner: { readonly apId: string; readonly name: string | null };
  readonly purpose: "invite" | "reconfirm";
  readonly state: CoorganizerInvitationState;
  readonly digest: string;
  readonly expiresAt: Temporal.Instant;
  readonly createdAt: Temporal.Instant;
  readonly answeredAt: Temporal.Instant | null;
}

/** A verified co-organiser of a local event. `current` and `pending` ones are listed in `organizers`. */
export interface CoorganizerView {
  readonly id: string;
  readonly eventId: string;
  readonly partner: { readonly apId: string; readonly name: string | null };
  readonly stampId: string;
  readonly digest: string;
  readonly state: CoorganizerState;
  readonly stamp: Record<string, unknown>;
  readonly verifiedAt: Temporal.Instant;
  readonly revokedAt: Temporal.Instant | null;
}

/** An event a local collective was invited to co-organise, with its requests and stamps. */
export interface CoorganisedView {
  readonly id: string;
  readonly collective: string;
  readonly event: { readonly apId: string; readonly host: string; readonly hostName: string | null; readonly pageUrl: string | null };
  readonly data: EventData;
  readonly deleted: boolean;
  /** Listed by the host with a live stamp of ours: shown in our lists and feeds. */
  readonly coorganising: boolean;
  readonly requests: readonly CoorganizeRequestView[];
}

export interface CoorganizeRequestView {
  readonly id: string;
  readonly purpose: "invite" | "reconfirm";
  readonly state: CoorganizeStampState | "expired" | "withdrawn";
  readonly digest: string;
  readonly expiresAt: Temporal.Instant;
  readonly createdAt: Temporal.Instant;
  readonly signedAt: Temporal.Instant | null;
  readonly listedAt: Temporal.Instant | null;
  readonly revokedAt: Temporal.Instant | null;
  /** The stamp's URL once accepted. */
  readonly stampUrl: string | null;
}

/** A stamp of ours, as its URL serves it (the federation layer adds the proof). */
export interface CoorganizeStampView {
  readonly id: string;
  readonly collective: { readonly id: string; readonly slug: string };
  readonly eventApId: string;
  readonly hostApId: string;
  readonly hostInbox: string;
  readonly coorganizersUrl: string;
  readonly requestId: string;
  readonly digest: string;
  readonly signedAt: Temporal.Instant | null;
  readonly revokedAt: Temporal.Instant | null;
  readonly state: CoorganizeStampState;
}

/** What the federation layer read and checked of a received CoorganizeRequest. */
export interface IncomingCoorganizeRequest {
  readonly collectiveSlug: string;
  readonly requestId: string;
  readonly host: CoorganizePartner;
  readonly coorganizersUrl: string;
  readonly eventApId: string;
  readonly pageUrl?: string | undefined;
  readonly event: EventData;
  readonly digest: string;
  readonly expiresAt?: Temporal.Instant | undefined;
}

/** What the federation layer read and checked of a stamp fetched from its co-organiser's origin. */
export interface IncomingCoorganizeStamp {
  readonly stampId: string;
  readonly partnerApId: string;
  readonly digest: string;
  readonly document: Record<string, unknown>;
}

export type Outcome<T = undefined> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
