// A date-time already converted to the wall time it is written as (the event's zone, or UTC), in the shape
// ical-generator accepts for date libraries (its `ICalDayJsStub`: it asks such a value for `YYYYMMDD` and
// `HHmmss`). Converting here, with the same cached zone rules that build the VTIMEZONEs, keeps the Temporal
// polyfill off the rendering path and DTSTART and VTIMEZONE in agreement.
import type { ICalDayJsStub } from "ical-generator";
import { formatDateTime } from "./ical-time.ts";

export class CalendarTime implements ICalDayJsStub {
  readonly #instant: number;
  /** `YYYYMMDDTHHMMSS` */
  readonly #wall: string;

  /** `instant` in epoch ms; `wall`, the same moment as wall time in the zone it is written in, read as UTC. */
  constructor(instant: number, wall: number) {
    this.#instant = instant;
    this.#wall = formatDateTime(wall);
  }

  /** A UTC time (DTSTAMP, CREATED, LAST-MODIFIED). */
  static utc(instant: number): CalendarTime {
    return new CalendarTime(instant, instant);
  }

  format(pattern?: string): string {
    if (pattern === "YYYYMMDD") return this.#wall.slice(0, 8);
    if (pattern === "HHmmss") return this.#wall.slice(9);
    throw new Error(`CalendarTime cannot format ${pattern}: ical-generator changed how it writes times`);
  }

  /** Already in the zone it is written in. */
  tz(): CalendarTime {
    return this;
  }

  utc(): CalendarTime {
    return this;
  }

  isValid(): boolean {
    return true;
  }

  toDate(): Date {
    return new Date(this.#instant);
  }

  toJSON(): string {
    return this.toDate().toISOString();
  }
}
