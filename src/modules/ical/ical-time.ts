// Calendar arithmetic on epoch milliseconds, without Date or Temporal objects: feeds format tens of thousands
// of times, and the Temporal polyfill costs tens of microseconds per conversion.

const dayMs = 86_400_000;

/** Civil fields of an epoch-millisecond value read as UTC (or as a local time already shifted by its offset). */
export interface CivilTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
}

/** Days since 1970-01-01 → year, month, day (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** year, month (1–12), day, h, m, s → days since 1970-01-01 × 86 400 000 + time (H. Hinnant's days_from_civil). */
export function epochFromCivil(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  return days * dayMs + ((hour * 60 + minute) * 60 + second) * 1000;
}

export function civil(ms: number): CivilTime {
  const days = Math.floor(ms / dayMs);
  const secs = Math.floor((ms - days * dayMs) / 1000);
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor(secs / 60) % 60,
    second: secs % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : String(n).padStart(4, "0");
}

/** `YYYYMMDDTHHMMSS` (no zone designator) of a (possibly offset-shifted) epoch-millisecond value. */
export function formatDateTime(ms: number): string {
  const days = Math.floor(ms / dayMs);
  const secs = Math.floor((ms - days * dayMs) / 1000);
  const { year, month, day } = civilFromDays(days);
  return (
    pad4(year) +
    pad2(month) +
    pad2(day) +
    "T" +
    pad2(Math.floor(secs / 3600)) +
    pad2(Math.floor(secs / 60) % 60) +
    pad2(secs % 60)
  );
}

/** A UTC-OFFSET value (`+0100`, `-0330`, `+053028` when the offset has seconds). */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const total = Math.abs(Math.round(offsetMs / 1000));
  const seconds = total % 60;
  const text = sign + pad2(Math.floor(total / 3600)) + pad2(Math.floor(total / 60) % 60);
  return seconds === 0 ? text : text + pad2(seconds);
}

export function utcYear(ms: number): number {
  return civilFromDays(Math.floor(ms / dayMs)).year;
}

export { dayMs };
