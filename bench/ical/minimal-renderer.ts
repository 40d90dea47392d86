// The lower bound of the iCal benchmark: the least code that writes the same properties correctly enough
// (TEXT escaping, folding at 75 octets, local times through Intl), with the VTIMEZONEs handed in ready-made
// and none of the production renderer's care (entity decoding, lists, links, ambiguous hours, country names).
import { pickLanguage } from "../../src/shared/language.ts";
import type { PublishedEvent } from "../../src/modules/event/event.types.ts";
import { eventUid } from "../../src/modules/ical/event-uid.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();
const wall = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

function local(ms: number, zone: string): string {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  const m = wall.exec(f.format(ms))!;
  return `${m[3]}${m[1]}${m[2]}T${m[4]}${m[5]}${m[6]}`;
}

function utc(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + "T" + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19) + "Z";
}

function date(ms: number, zone: string): string {
  return local(ms, zone).slice(0, 8);
}

function escapeText(text: string): string {
  return text.replace(/[\\;,]/g, "\\$&").replace(/\r?\n/g, "\\n");
}

function fold(line: string): string {
  let out = "";
  let start = 0;
  let octets = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (octets + size > 75) {
      out += line.slice(start, i) + "\r\n ";
      start = i;
      octets = 1;
    }
    octets += size;
    if (pair) i++;
  }
  return out + line.slice(start) + "\r\n";
}

function plain(html: string): string {
  return html
    .replace(/<\/p>|<br\s*\/?>|<\/li>/g, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .trim();
}

const statuses = { scheduled: "CONFIRMED", cancelled: "CANCELLED", postponed: "TENTATIVE" } as const;

export function renderMinimal(
  events: readonly PublishedEvent[],
  opts: { name: string; languages: readonly string[]; refreshMinutes: number },
  vtimezones: ReadonlyMap<string, string>,
): string {
  let out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//minimal//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n";
  out += fold("NAME:" + escapeText(opts.name)) + fold("X-WR-CALNAME:" + escapeText(opts.name));
  out += `REFRESH-INTERVAL;VALUE=DURATION:PT${opts.refreshMinutes}M\r\nX-PUBLISHED-TTL:PT${opts.refreshMinutes}M\r\n`;
  const used = new Set<string>();
  let body = "";
  for (const e of events) {
    const primary = e.organizer.primaryLanguage;
    const name = pickLanguage(e.name, opts.languages, primary);
    const updated = utc(e.updatedAt.epochMilliseconds);
    body += `BEGIN:VEVENT\r\nUID:${eventUid(e.apId)}\r\nDTSTAMP:${updated}\r\nCREATED:${utc(e.publishedAt.epochMilliseconds)}\r\n`;
    body += `LAST-MODIFIED:${updated}\r\nSEQUENCE:${e.sequence}\r\n`;
    const start = e.startsAt.epochMilliseconds;
    const end = e.endsAt?.epochMilliseconds;
    if (e.allDay) {
      body += `DTSTART;VALUE=DATE:${date(start, e.timezone)}\r\n`;
      body += `DTEND;VALUE=DATE:${date((end ?? start) + 86_400_000, e.timezone)}\r\n`;
    } else {
      used.add(e.timezone);
      body += `DTSTART;TZID=${e.timezone}:${local(start, e.timezone)}\r\n`;
      if (end !== undefined) body += `DTEND;TZID=${e.timezone}:${local(end, e.timezone)}\r\n`;
    }
    const language = name?.language ?? primary;
    body += fold(`SUMMARY;LANGUAGE=${language}:${escapeText(name?.text ?? "")}`);
    const html = e.description && pickLanguage(e.description, opts.languages, primary);
    const parts = [html ? plain(html.text) : "", e.apId.href].filter(Boolean);
    body += fold(`DESCRIPTION;LANGUAGE=${language}:${escapeText(parts.join("\n\n"))}`);
    const p = e.location;
    if (p) {
      const where = [p.name, p.streetAddress, `${p.postalCode ?? ""} ${p.locality ?? ""}`.trim(), p.region, p.country];
      body += fold(`LOCATION;LANGUAGE=${language}:${escapeText(where.filter(Boolean).join(", "))}`);
      if (p.latitude !== undefined && p.longitude !== undefined) body += `GEO:${p.latitude};${p.longitude}\r\n`;
    }
    if (e.onlineUrl) body += fold(`CONFERENCE;VALUE=URI:${e.onlineUrl}`);
    body += fold(`URL;VALUE=URI:${e.apId.href}`) + `STATUS:${statuses[e.status]}\r\n`;
    const categories = [...(e.category ? [e.category] : []), ...e.tags];
    if (categories.length > 0) body += fold(`CATEGORIES:${categories.map(escapeText).join(",")}`);
    if (e.contact) body += fold(`CONTACT:${escapeText(e.contact)}`);
    body += "END:VEVENT\r\n";
  }
  for (const zone of used) out += vtimezones.get(zone) ?? "";
  return out + body + "END:VCALENDAR\r\n";
}
