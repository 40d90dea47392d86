// An ical-generator event with what ical-generator cannot write: the LANGUAGE parameter of SUMMARY,
// DESCRIPTION and LOCATION (RFC 5545 §3.2.10), and URI-valued properties (URL, CONFERENCE and IMAGE of
// RFC 7986; ical-generator would escape `;` and `,` in a URI as in text) and CONTACT.
import { type ICalCalendar, ICalEvent, type ICalEventData } from "ical-generator";
import type { EventImage } from "../event/event.types.ts";

export interface FeedEventExtras {
  /** A language tag for SUMMARY, DESCRIPTION and (with `languageOfLocation`) LOCATION. */
  readonly language: string | undefined;
  readonly languageOfLocation: boolean;
  readonly url: string;
  readonly conference: string | undefined;
  /** Already escaped as TEXT. */
  readonly contact: string | undefined;
  readonly image: EventImage | undefined;
  /** Whole content lines the VEVENT gets besides (RRULE, EXDATE, RECURRENCE-ID: ical-recurrence.ts). */
  readonly more?: readonly string[] | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a URI value is written as is, so it must hold no control character, space or quote
const unsafeUri = /[\s"<>\\^`{|}\u0000-\u001f\u007f]/;
const mediaType = /^[a-z]+\/[a-z0-9.+-]+$/i;

export class FeedEvent extends ICalEvent {
  readonly #extras: FeedEventExtras;

  constructor(data: ICalEventData, calendar: ICalCalendar, extras: FeedEventExtras) {
    super(data, calendar);
    this.#extras = extras;
  }

  /** The VEVENT's content lines, unfolded, without their CRLF. */
  lines(): string[] {
    const { language, languageOfLocation, url, conference, contact, image } = this.#extras;
    // ical-generator writes one unfolded line per property, each ending in CRLF, the last END:VEVENT.
    const lines = super.toString().split("\r\n");
    lines.length -= 2;
    if (language !== undefined) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.startsWith("SUMMARY:") || line.startsWith("DESCRIPTION:") || (languageOfLocation && line.startsWith("LOCATION:"))) {
          const colon = line.indexOf(":");
          lines[i] = line.slice(0, colon) + ";LANGUAGE=" + language + line.slice(colon);
        }
      }
    }
    if (this.#extras.more !== undefined) lines.push(...this.#extras.more);
    if (!unsafeUri.test(url)) lines.push("URL;VALUE=URI:" + url);
    if (conference && !unsafeUri.test(conference)) lines.push("CONFERENCE;VALUE=URI:" + conference);
    if (contact !== undefined) lines.push("CONTACT:" + contact);
    if (image !== undefined && !unsafeUri.test(image.url)) {
      const type = image.mediaType !== undefined && mediaType.test(image.mediaType) ? ";FMTTYPE=" + image.mediaType : "";
      lines.push("IMAGE;VALUE=URI;DISPLAY=BADGE" + type + ":" + image.url);
    }
    lines.push("END:VEVENT");
    return lines;
  }

  override toString(): string {
    return this.lines().join("\r\n") + "\r\n";
  }
}
