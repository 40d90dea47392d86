import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";
import type { ServerProfile } from "../server-profiles.ts";

/** Who delivers to whom, and in which form: the collective or the instance actor (the instance-wide relay). */
export interface DeliveryGroup {
  readonly sender: "collective" | "instance";
  readonly profile: ServerProfile;
  readonly recipients: readonly Recipient[];
}

/**
 * Each follower gets an event once. The instance actor's followers get every public event from it,
 * even when they also follow the collective: a server like Gancio only accepts an event's later
 * Update and Delete from the actor that sent its Create, so one follower keeps one sender. The
 * collective's other followers get it from the collective; unlisted events only go to them. Followers
 * the event's collective blocks (`blockedByCollective`) get it from neither. Within
 * each, followers are grouped by how their server is served (`profileOf`, server-profiles.ts).
 */
export function planDelivery(
  visibility: "public" | "unlisted",
  collectiveFollowers: readonly Recipient[],
  instanceFollowers: readonly Recipient[],
  profileOf: (recipient: Recipient) => ServerProfile,
  blockedByCollective: (recipient: Recipient) => boolean = () => false,
): DeliveryGroup[] {
  // What the collective blocks gets nothing of it, from the instance actor either (ADR 0020).
  const relayed = visibility === "public" ? instanceFollowers.filter((r) => !blockedByCollective(r)) : [];
  const viaInstance = new Set(relayed.map((r) => r.apId.href));
  const bySender = [
    { sender: "collective" as const, recipients: collectiveFollowers.filter((r) => !viaInstance.has(r.apId.href) && !blockedByCollective(r)) },
    { sender: "instance" as const, recipients: relayed },
  ];
  const groups: DeliveryGroup[] = [];
  for (const { sender, recipients } of bySender) {
    const byProfile = new Map<string, { profile: ServerProfile; recipients: Recipient[] }>();
    for (const recipient of recipients) {
      const profile = profileOf(recipient);
      const key = JSON.stringify(profile);
      const group = byProfile.get(key) ?? { profile, recipients: [] };
      group.recipients.push(recipient);
      byProfile.set(key, group);
    }
    for (const group of byProfile.values()) groups.push({ sender, ...group });
  }
  return groups;
}

/** Where a recipient's server says what it runs: its actor's origin. */
export const serverOrigin = (recipient: Recipient): string => recipient.apId.origin;
