import { createHash } from "node:crypto";
import { canonicalJson } from "../../shared/eddsa-jcs-2022.ts";
import type { EventData, PublishedEvent } from "../event/event.types.ts";

/**
 * What a co-organiser's stamp pins (FEDERATION.md "Co-organised events", design §4.3): the event's
 * essentials as its host publishes them — id, host, name, times, zone and place (the online link is
 * one of the places). Both sides read them from the same published JSON (the federation layer
 * extracts them), so the host's digest and the co-organiser's are computed from the same bytes.
 */
export interface EventEssentials {
  readonly event: string;
  readonly host: string;
  /** `nameMap` as published (or `{"": name}`). */
  readonly name: Readonly<Record<string, string>>;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly timezone: string | null;
  /** `location` as published (a place, a VirtualLocation, or both), or null. */
  readonly location: unknown;
}

/** "u" + base64url-nopad(0x12 0x20 ‖ SHA-256(UTF-8(JCS(essentials)))): a multibase sha2-256 multihash. */
export function essentialsDigest(e: EventEssentials): string {
  const text = canonicalJson({
    event: e.event,
    host: e.host,
    name: e.name,
    startTime: e.startTime,
    endTime: e.endTime,
    timezone: e.timezone,
    location: e.location ?? null,
  });
  const hash = createHash("sha256").update(text, "utf8").digest();
  return `u${Buffer.concat([Buffer.from([0x12, 0x20]), hash]).toString("base64url")}`;
}

/** The digest of a local event as its host would publish it (injected: the AS2 mapping lives in src/federation). */
export type EventDigester = (event: PublishedEvent) => Promise<string>;

/** EventData as JSON for storage (instants as ISO strings), and back. */
export function eventDataToJson(e: EventData): Record<string, unknown> {
  return { ...e, startsAt: e.startsAt.toString(), endsAt: e.endsAt?.toString() };
}

export function eventDataFromJson(j: Record<string, unknown>): EventData {
  return {
    ...(j as unknown as EventData),
    startsAt: Temporal.Instant.from(String(j.startsAt)),
    endsAt: typeof j.endsAt === "string" ? Temporal.Instant.from(j.endsAt) : undefined,
  };
}
