import type { Recipient } from "../../modules/remote-actor/remote-actor.types.ts";

/** Who delivers to whom: the collective, or the instance actor (the instance-wide relay). */
export interface DeliveryGroup {
  readonly sender: "collective" | "instance";
  readonly recipients: readonly Recipient[];
}

/**
 * Each follower gets an event once. The instance actor's followers get every public event from it,
 * even when they also follow the collective: a server like Gancio only accepts an event's later
 * Update and Delete from the actor that sent its Create, so one follower keeps one sender. The
 * collective's other followers get it from the collective; unlisted events only go to them.
 */
export function planSenders(
  visibility: "public" | "unlisted",
  collectiveFollowers: readonly Recipient[],
  instanceFollowers: readonly Recipient[],
): DeliveryGroup[] {
  const relayed = visibility === "public" ? instanceFollowers : [];
  const viaInstance = new Set(relayed.map((r) => r.apId.href));
  const groups: DeliveryGroup[] = [
    { sender: "collective", recipients: collectiveFollowers.filter((r) => !viaInstance.has(r.apId.href)) },
    { sender: "instance", recipients: relayed },
  ];
  return groups.filter((g) => g.recipients.length > 0);
}
