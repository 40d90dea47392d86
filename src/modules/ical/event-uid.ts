import { createHash } from "node:crypto";

// RFC 4122 name-based UUID (version 5, SHA-1) in the URL namespace: every instance that knows an event's
// ActivityPub id derives the same UID, and RFC 7986 §5.3 asks for UIDs that are UUIDs and name no host.
const urlNamespace = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex");

/** The iCalendar UID of an event: UUID v5 of its ActivityPub id, stable across updates and instances. */
export function eventUid(apId: URL): string {
  const hash = createHash("sha1").update(urlNamespace).update(apId.href, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
