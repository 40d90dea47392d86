import type { MessageQueue } from "@fedify/fedify";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { GeneratedKey } from "../../modules/collective/actor-keys.ts";

/**
 * Queued deliveries and key rotations (ADR 0030). Fedify 2.3.8 puts the sender's private keys into
 * every queued message, as JWKs with their ids (`keys: [{ keyId, privateKey }]` in the "outbox" and
 * "fanout" messages of node_modules/@fedify/fedify/dist/middleware-*.js), and signs with those when the
 * message's turn comes, also when it re-enqueues a failed delivery for a retry. After a rotation they
 * would go on signing with the old key (which a server that saw the rotation refuses) for the two days
 * of retries, and keep the old private key in the table. So:
 * - the rotation rewrites the queued messages of the actor in its own transaction (`rekeyQueuedDeliveries`);
 * - a retry is re-enqueued with the actor's current keys (`withCurrentSigningKeys`), for the deliveries
 *   that were being sent while the rotation committed.
 * Contract: tests/integration/key-rotation.test.ts (a delivery queued before the rotation and one
 * retried after it arrive signed with the new key).
 */

interface KeyJwkPair {
  keyId: string;
  privateKey: JsonWebKey;
}

function queuedKeys(message: unknown): KeyJwkPair[] | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const keys = (message as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return undefined;
  return keys.every((k) => typeof k?.keyId === "string" && typeof k?.privateKey === "object" && k.privateKey !== null) ? (keys as KeyJwkPair[]) : undefined;
}

const ofActor = (keyId: string, actor: URL) => keyId.startsWith(`${actor.href}#`);

/**
 * Replaces, in a queued message, the private keys of `actor` by the key of the same type (RSA or
 * Ed25519) among `current`. Returns whether anything changed.
 */
export function replaceQueuedKeys(message: unknown, actor: URL, current: readonly JsonWebKey[]): boolean {
  const keys = queuedKeys(message);
  if (!keys) return false;
  let changed = false;
  for (const pair of keys) {
    if (!ofActor(pair.keyId, actor)) continue;
    const replacement = current.find((k) => k.kty === pair.privateKey.kty && k.crv === pair.privateKey.crv);
    if (!replacement || (replacement.kty === "RSA" ? replacement.n === pair.privateKey.n : replacement.x === pair.privateKey.x)) continue;
    pair.privateKey = replacement;
    changed = true;
  }
  return changed;
}

/** Rewrites the queued messages of `actor` to carry `keys` (inside the rotation's transaction). */
export function rekeyQueuedDeliveries(table = "federation_queue") {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new TypeError(`invalid queue table name: ${table}`);
  return async (em: EntityManager, actor: URL, keys: readonly GeneratedKey[]): Promise<number> => {
    const pattern = `%${JSON.stringify(`${actor.href}#`).slice(1, -1).replace(/[\\%_]/g, "\\$&")}%`;
    const rows = await em.execute<{ id: string; payload: string }[]>(`select id::text as id, payload from "${table}" where payload like ? for update`, [pattern]);
    let changed = 0;
    for (const row of rows) {
      const message = JSON.parse(row.payload) as unknown;
      if (!replaceQueuedKeys(message, actor, keys.map((k) => k.privateJwk))) continue;
      await em.execute(`update "${table}" set payload = ? where id = ?`, [JSON.stringify(message), row.id], "run");
      changed++;
    }
    return changed;
  };
}

/**
 * The queue given to Fedify, whose retries are re-enqueued with the sender's current keys: `current`
 * gives a local actor's private keys (undefined for a key that is not ours). First attempts pass as
 * they are (Fedify has just read the keys). Methods bound to `queue`, like the other wrappers.
 */
export function withCurrentSigningKeys(queue: MessageQueue, current: (actor: URL) => Promise<readonly JsonWebKey[] | undefined>): MessageQueue {
  const refresh = async (message: unknown): Promise<unknown> => {
    const attempt = (message as { attempt?: unknown } | null)?.attempt;
    const keys = typeof attempt === "number" && attempt > 0 ? queuedKeys(message) : undefined;
    if (!keys) return message;
    const actors = new Set(keys.map((k) => k.keyId.split("#")[0] as string));
    for (const id of actors) {
      if (!URL.canParse(id)) continue;
      const actor = new URL(id);
      const jwks = await current(actor);
      if (jwks) replaceQueuedKeys(message, actor, jwks);
    }
    return message;
  };
  const wrapped: MessageQueue = {
    get nativeRetrial() {
      return queue.nativeRetrial;
    },
    enqueue: async (message, options) => queue.enqueue(await refresh(message), options),
    listen: queue.listen.bind(queue),
  };
  if (queue.enqueueMany) {
    const many = queue.enqueueMany.bind(queue);
    wrapped.enqueueMany = async (messages, options) => many(await Promise.all(messages.map(refresh)), options);
  }
  if (queue.getDepth) wrapped.getDepth = queue.getDepth.bind(queue);
  return wrapped;
}
