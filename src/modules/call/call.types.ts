import type { EventImage } from "../event/event.types.ts";
import type { LanguageMap } from "../../shared/language.ts";

/**
 * A call's life (docs/adr, FEDERATION.md "Calls to action"): a draft is its editors' own; in
 * consultation invited partners may read it, nobody else; open is public and signable; closed (by its
 * deadline or an editor) and withdrawn stay public, frozen. Deletion is not a status: the row keeps a
 * tombstone (`deletedAt`).
 */
export const callStatuses = ["draft", "consultation", "open", "closed", "withdrawn"] as const;
export type CallStatus = (typeof callStatuses)[number];

/** Statuses whose call is public (its page, its AS2 document, its versions). */
export const launchedStatuses: readonly CallStatus[] = ["open", "closed", "withdrawn"];

/** Statuses whose text may still change (each saved change outside a draft is a new version). */
export const editableStatuses: readonly CallStatus[] = ["draft", "consultation", "open"];

/**
 * What a version pins: the text in every language, the demands, the signing deadline, the related events
 * and the image. Status is not part of it (closing or withdrawing a call makes no new version).
 */
export interface CallText {
  readonly title: LanguageMap;
  /** A short plain-text presentation (AS2 `summaryMap`): a paragraph or two. */
  readonly pitch?: LanguageMap | undefined;
  /** Sanitized HTML per language (the Markdown is turned into HTML on the way in, as for events). */
  readonly body: LanguageMap;
  /** The Markdown the editors wrote, per language, to edit it again. */
  readonly bodySource: LanguageMap;
  /** Numbered demands, each in the call's languages (one line each). */
  readonly demands: readonly LanguageMap[];
  /** Signing closes then (the call becomes closed); undefined: no deadline. */
  readonly deadline?: Temporal.Instant | undefined;
  /** The zone the deadline is shown in (IANA). */
  readonly timezone: string;
  /** Events of this instance the call is about (the day of action), by id. */
  readonly relatedEvents: readonly string[];
  readonly image?: EventImage | undefined;
}

/** A related event as pages and the summary line show it. */
export interface RelatedEvent {
  readonly id: string;
  readonly apId: URL;
  readonly name: LanguageMap;
  readonly startsAt: Temporal.Instant;
  readonly endsAt?: Temporal.Instant | undefined;
  readonly timezone: string;
  readonly allDay: boolean;
}

/** A call with its identity, as mappers, pages and the API receive it. */
export interface CallView extends CallText {
  readonly id: string;
  readonly apId: URL;
  readonly status: CallStatus;
  /** The current version's number; 0 while a draft has none. */
  readonly version: number;
  /** Grows with every change sent to followers (a new version, closing, withdrawing): Update ids, change notes. */
  readonly revision: number;
  readonly collective: { readonly apId: URL; readonly slug: string; readonly primaryLanguage: string; readonly name: LanguageMap };
  /** The related events that still exist and are published, in the order given. */
  readonly events: readonly RelatedEvent[];
  readonly createdAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
  /** When it became public (open); undefined before. */
  readonly launchedAt?: Temporal.Instant | undefined;
  readonly closedAt?: Temporal.Instant | undefined;
  readonly withdrawnAt?: Temporal.Instant | undefined;
  readonly deletedAt?: Temporal.Instant | undefined;
}

/** One immutable version of a call's text. */
export interface CallVersionView extends CallText {
  readonly callId: string;
  readonly version: number;
  readonly createdAt: Temporal.Instant;
}

/** What a change note says changed (several at once: one note per revision). */
export const callChangeKinds = ["text", "deadline", "events", "closed", "withdrawn", "signatories"] as const;
export type CallChangeKind = (typeof callChangeKinds)[number];

/** A change note, in domain words. */
export interface CallChangeNoteView {
  readonly callId: string;
  readonly revision: number;
  readonly kinds: readonly CallChangeKind[];
  /** Plain text per language, the call's primary language first; the federation layer adds the link. */
  readonly text: LanguageMap;
  readonly createdAt: Temporal.Instant;
  readonly sentAt: Temporal.Instant | null;
}
