import type { EventData } from "../event/event.types.ts";
import type { PartnerState } from "./partner.entity.ts";

/**
 * An event as another server publishes it, read by the federation layer (remote-event.mapper.ts) and
 * checked there: its id and organiser are on one origin, its text cleaned and its sizes capped.
 */
export interface IncomingEvent extends EventData {
  readonly apId: URL;
  /** Its HTML page on its own server, when given. */
  readonly url: URL | undefined;
  /** The actor that organises it (on the event's origin). */
  readonly organizerId: URL;
}

/** How an event reached us: its origin's own Create/Update, or a partner's Announce (fetched from its origin). */
export type IncomingPath = "create" | "announce";

export interface ReceiveEventInput {
  /** The actor that sent the activity (its signature was checked). */
  readonly senderApId: URL;
  readonly path: IncomingPath;
  readonly event: IncomingEvent;
  /** The origin's `updated`, when it gives one. */
  readonly remoteUpdatedAt?: Temporal.Instant | undefined;
  /** The organiser's display name, when known. */
  readonly organizerName?: string | undefined;
  /**
   * The received activity (the origin's signed Update), forwarded as it is to the followers of the
   * collectives that relayed the event when it changed something here (inbox forwarding).
   */
  readonly forward?: ForwardableActivity | undefined;
}

/** An activity as it arrived, to forward unchanged (its signatures intact). */
export interface ForwardableActivity {
  /** The JSON exactly as received, serialised. */
  readonly json: string;
  readonly id: string | undefined;
  /** Its type as a full IRI (`https://www.w3.org/ns/activitystreams#Update`). */
  readonly type: string;
}

/** A collective here that announced (relayed) a partner's event. */
export interface RelayingCollective {
  readonly collectiveId: string;
  readonly slug: string;
}

export type ReceiveEventResult =
  | {
      readonly ok: true;
      readonly outcome: "stored" | "changed" | "unchanged";
      readonly collectives: number;
      readonly relayed: number;
      /**
       * How many collectives that announced the event have its origin's Update forwarded to their
       * followers (queued in the outbox with the change): only when a forwardable Update changed it.
       */
      readonly forwarded: number;
    }
  | {
      readonly ok: false;
      readonly reason: "not-followed" | "not-its-origin" | "our-own" | "deleted" | "blocked-domain";
    };

/** A partner as owners and editors see it (CLI, API). */
export interface PartnerView {
  readonly id: string;
  readonly actorApId: string;
  readonly handle: string | null;
  readonly name: string | null;
  /** Group, Application, Person… */
  readonly type: string;
  readonly state: PartnerState;
  readonly relay: boolean;
  readonly lastActivityAt: Date | null;
  readonly since: Date;
}

/** Whether an actor (or any URL: by its server) is blocked instance-wide, or also by `collectiveId`'s own blocks. */
export type PartnerBlockCheck = (url: URL, collectiveId: string | null) => Promise<boolean>;

/** What moderation purges: a domain and its subdomains, or one actor. */
export type PurgeTarget = { readonly domain: string } | { readonly actorApId: string };

/** What a purge did inside its transaction, and the image files to remove once it has committed. */
export interface PurgeOutcome extends PurgeResult {
  readonly images: readonly string[];
  /** Relays (Announces) undone. */
  readonly undone: number;
  /** Our Follows of the target undone. */
  readonly followsUndone: number;
}

/** What a purge removed (moderation: a blocked actor or domain). */
export interface PurgeResult {
  /** Partner follows removed (ours of the blocked actors). */
  readonly partners: number;
  /** Partner events removed (theirs, and those only they brought). */
  readonly events: number;
}

/** Fetches a partner event's image once (size-capped, private addresses refused unless allowed). */
export interface ImageFetcher {
  fetch(url: URL): Promise<Buffer | undefined>;
}
