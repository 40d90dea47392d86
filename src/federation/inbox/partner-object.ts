import type { Delete } from "@fedify/vocab";
import type { FederationDeps } from "../federation.ts";

/**
 * Why a partner's Create or Update of one of its own objects (a call, an action kit) is not admitted,
 * or undefined when it is: the activity's id (when it has one) and the object live on its actor's
 * server and, where the activity names its author, that author is the actor; the actor is not blocked
 * instance-wide; and one of our collectives follows it. `author`: the object's `attributedTo` as
 * received (null when it names none), or undefined when the handler checks the author elsewhere
 * (against a document fetched from the origin).
 */
export async function partnerObjectRefusal(
  deps: Pick<FederationDeps, "blocks" | "partners">,
  activityId: URL | null,
  actor: URL,
  objectId: URL,
  author: string | null | undefined,
): Promise<string | undefined> {
  const foreignId = idRefusal(activityId, actor);
  if (foreignId) return foreignId;
  if (objectId.origin !== actor.origin || (author !== undefined && author !== actor.href)) return "ignored: only the object's own server and author may";
  if ((await deps.blocks.rules()).blocksActor(actor)) return "ignored: its actor is blocked";
  if (!(await deps.partners.isListeningTo(actor.href))) return "ignored: nobody here follows its actor";
  return undefined;
}

/** Why an activity of `actor` is not admitted on its id: one on another origin than its actor's (undefined when it has none). */
function idRefusal(activityId: URL | null, actor: URL): string | undefined {
  return activityId !== null && activityId.origin !== actor.origin ? "ignored: its id is not on its actor's origin" : undefined;
}

/**
 * The actor and object of a Delete of one of the actor's own objects of a kind (on its own server), or
 * undefined; `refusal` when the Delete is not admitted (its id is not on its actor's origin, as for a
 * Create or Update: partnerObjectRefusal), then nothing is to be deleted.
 */
export function ownObjectDeleted(del: Delete, isKind: (id: URL) => boolean): { actor: URL; objectId: URL; refusal?: string } | undefined {
  const actor = del.actorId;
  const objectId = del.objectId;
  if (!actor || !objectId || !isKind(objectId) || objectId.origin !== actor.origin) return undefined;
  const refusal = idRefusal(del.id, actor);
  return refusal ? { actor, objectId, refusal } : { actor, objectId };
}
