import type { LanguageMap } from "../../shared/language.ts";
import type { RecurrenceRule } from "./recurrence.ts";
import type { OccurrenceException } from "./recurrence-expand.ts";

/**
 * FEP-8a8e's recommended categories (https://codeberg.org/fediverse/fep/src/branch/main/fep/8a8e/fep-8a8e.md),
 * plus HEALTH, which Mobilizon sends.
 */
export const eventCategories = [
  "ARTS",
  "BOOK_CLUBS",
  "BUSINESS",
  "CAUSES",
  "COMEDY",
  "CRAFTS",
  "FOOD_DRINK",
  "HEALTH",
  "MUSIC",
  "AUTO_BOAT_AIR",
  "COMMUNITY",
  "FAMILY_EDUCATION",
  "FASHION_BEAUTY",
  "FILM_MEDIA",
  "GAMES",
  "LANGUAGE_CULTURE",
  "LEARNING",
  "LGBTQ",
  "MOVEMENTS_POLITICS",
  "NETWORKING",
  "PARTY",
  "PERFORMING_VISUAL_ARTS",
  "PETS",
  "PHOTOGRAPHY",
  "OUTDOORS_ADVENTURE",
  "SPIRITUALITY_RELIGION_BELIEFS",
  "SCIENCE_TECH",
  "SPORTS",
  "THEATRE",
  "MEETING",
  "CLIMATE_ENVIRONMENT",
  "CREATIVE_JAM",
  "DIY_MAKER_SPACES",
  "FESTIVALS",
  "INCLUSIVE_SPACES",
  "MEDITATION_WELLBEING",
  "WORKSHOPS_SKILL_SHARING",
] as const;
export type EventCategory = (typeof eventCategories)[number];

export const eventStatuses = ["scheduled", "cancelled", "postponed"] as const;
export type EventStatus = (typeof eventStatuses)[number];

export interface Place {
  readonly name?: string | undefined;
  readonly streetAddress?: string | undefined;
  readonly postalCode?: string | undefined;
  readonly locality?: string | undefined;
  readonly region?: string | undefined;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string | undefined;
  readonly latitude?: number | undefined;
  readonly longitude?: number | undefined;
}

export interface EventImage {
  readonly url: string;
  readonly mediaType?: string | undefined;
  readonly alt?: LanguageMap | undefined;
}

export interface EventLink {
  readonly url: string;
  readonly title?: string | undefined;
}

/**
 * An event as the domain sees it: wire names (startTime, attributedTo, …) appear only in the mappers.
 * Times are instants plus the IANA zone they were planned in; an all-day event keeps its dates as the
 * local dates of `startsAt`/`endsAt` in `timezone` (endsAt is then the last day, inclusive).
 */
export interface EventData {
  readonly name: LanguageMap;
  readonly summary?: LanguageMap | undefined;
  /** Sanitized HTML per language (Markdown is turned into HTML on the way in). */
  readonly description?: LanguageMap | undefined;
  /** The Markdown the organiser wrote, per language, to edit it again; absent for remote events. */
  readonly descriptionSource?: LanguageMap | undefined;
  readonly startsAt: Temporal.Instant;
  readonly endsAt?: Temporal.Instant | undefined;
  readonly timezone: string;
  readonly allDay: boolean;
  readonly location?: Place | undefined;
  readonly onlineUrl?: string | undefined;
  readonly category?: EventCategory | undefined;
  readonly tags: readonly string[];
  readonly status: EventStatus;
  readonly statusReason?: LanguageMap | undefined;
  readonly image?: EventImage | undefined;
  readonly links: readonly EventLink[];
  /** Public contact: an email address or a URL. */
  readonly contact?: string | undefined;
  /** Unlisted events are reachable by their URL and sent to followers, but left out of lists and feeds. */
  readonly visibility: "public" | "unlisted";
  /** A recurring event's rule, in `timezone`; `startsAt`/`endsAt` are then its first occurrence. */
  readonly recurrence?: RecurrenceRule | undefined;
}

/** A published event with its identity, as mappers, pages and feeds receive it. */
export interface PublishedEvent extends EventData {
  readonly id: string;
  /** ActivityPub id (also the canonical URL of the HTML page). */
  readonly apId: URL;
  /** Organising collective's actor id and primary language. */
  readonly organizer: { readonly apId: URL; readonly slug: string; readonly primaryLanguage: string; readonly name: LanguageMap };
  /** Grows with every change people care about (time, place, status, text): iCal SEQUENCE, Update ids. */
  readonly sequence: number;
  readonly publishedAt: Temporal.Instant;
  readonly updatedAt: Temporal.Instant;
  /**
   * Set for a partner's event (published on another server): its page there, that server's host, and
   * the organiser's name as that server gives it. `apId` is then the origin's id (the same iCal UID).
   */
  readonly remote?: { readonly pageUrl: URL; readonly server: string; readonly organizerName?: string | undefined } | undefined;
  /** A recurring event's cancelled, moved and relocated occurrences (loaded where feeds and pages need them). */
  readonly exceptions?: readonly OccurrenceException[] | undefined;
  /**
   * Set by a feed that shows only some occurrences of a recurring event (src/modules/feed/feed-occurrences.ts):
   * the rule's dates it leaves out (EXDATE, no override), and whether its cancelled occurrences are what it
   * shows (then they are not in EXDATE).
   */
  readonly feedView?: { readonly hiddenDates: readonly string[]; readonly cancelledShown: boolean } | undefined;
  /** The id of the series this one continues (a series changed from a date on). */
  readonly previousSeries?: string | undefined;
  /** The id of the series that continues this one from a date on. */
  readonly nextSeries?: string | undefined;
}
