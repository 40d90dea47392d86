import { type Context, exportJwk, type MessageQueue } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { JsonObject } from "./mappers/event.mapper.ts";

// Workarounds for Fedify 2.3.8 around its queue (see the list in fedify-workarounds.ts, which exports them).

const logger = getLogger(["relais", "federation"]);

/** The fields of Fedify 2.3.8's queued outbox message (`OutboxMessage`, internal) that decide a delivery. */
interface QueuedDelivery {
  readonly type: "outbox";
  readonly inbox: string;
  readonly activityType: string;
  readonly attempt: number;
}

const lastWords = new Set(["https://www.w3.org/ns/activitystreams#Reject", "https://www.w3.org/ns/activitystreams#Undo"]);

/**
 * The queue given to Fedify, minus deliveries to blocked inboxes: a delivery queued before the block
 * (or by a path that did not know of it) is dropped when its turn comes, with one log line. Only a
 * `Reject` or an `Undo` goes, once (never retried): the answer a block owes to the follows it removed.
 *
 * Fedify 2.3.8 has no hook between dequeuing a delivery and sending it (`#listenOutboxMessage`,
 * node_modules/@fedify/fedify/dist/middleware-*.js); its queued message carries `type: "outbox"`,
 * `inbox`, `activityType` (the full IRI) and `attempt` (0 for the first try). Everything else is passed
 * through, methods bound to `queue` (so the relay's `enqueueAtomically` still sees Fedify's enqueues).
 * Contract: fedify-workarounds.blocks.test.ts.
 */
export function withoutDeliveriesToBlocked(queue: MessageQueue, allows: (inbox: URL) => Promise<boolean>): MessageQueue {
  const wrapped: MessageQueue = {
    get nativeRetrial() {
      return queue.nativeRetrial;
    },
    enqueue: queue.enqueue.bind(queue),
    listen: (handler, options) =>
      queue.listen(async (message: unknown) => {
        if (isQueuedDelivery(message) && URL.canParse(message.inbox) && !(await allows(new URL(message.inbox)))) {
          if (message.attempt === 0 && lastWords.has(message.activityType)) {
            logger.info("a {type} goes to a blocked server, once: the answer to the follow its block removed", { type: message.activityType.split("#")[1] });
          } else {
            logger.info("a delivery to a blocked server was dropped");
            logger.debug("delivery of a {type} to {inbox} dropped: blocked", { type: message.activityType, inbox: message.inbox });
            return;
          }
        }
        return handler(message);
      }, options),
  };
  if (queue.enqueueMany) wrapped.enqueueMany = queue.enqueueMany.bind(queue);
  if (queue.getDepth) wrapped.getDepth = queue.getDepth.bind(queue);
  return wrapped;
}

function isQueuedDelivery(message: unknown): message is QueuedDelivery {
  if (typeof message !== "object" || message === null) return false;
  const m = message as Record<string, unknown>;
  return m.type === "outbox" && typeof m.inbox === "string" && typeof m.activityType === "string" && typeof m.attempt === "number";
}

/** One inbox a forwarded activity goes to, and the followers it stands for. */
export interface ForwardDelivery {
  readonly inbox: URL;
  readonly sharedInbox: boolean;
  readonly actorIds: readonly string[];
}

/**
 * Forwards a received activity unchanged (its signatures intact) from an outbox row, after the
 * transaction that stored what it changed. Fedify 2.3.8 forwards only from the InboxContext of the
 * activity being received (`forwardActivity`, `forwardActivityInternal` in
 * node_modules/@fedify/fedify/dist/middleware-*.js), so a forward decided in that transaction could
 * only be sent after the commit, and lost by a crash in between. This enqueues on Fedify's outbox
 * queue the messages its `forwardActivity` enqueues (type "outbox", the raw activity, the forwarder's
 * keys as JWK, one per inbox, ordering key `<key>\n<inbox origin>`); Fedify's queue listener signs
 * and delivers them as its own, with its retries. Call it inside the relay's `enqueueAtomically`.
 * Contract: fedify-workarounds.forward.test.ts (a real federation delivers such a message as sent).
 */
export async function forwardLater(
  ctx: Context<void>,
  queue: MessageQueue,
  identifier: string,
  deliveries: readonly ForwardDelivery[],
  activity: { readonly json: JsonObject; readonly id: string | undefined; readonly type: string },
  opts: { readonly orderingKey?: string } = {},
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const pairs = await ctx.getActorKeyPairs(identifier);
  if (pairs.length === 0) throw new Error(`no key pair for the actor "${identifier}"`);
  const keys = [];
  for (const { keyId, privateKey } of pairs) keys.push({ keyId: keyId.href, privateKey: await exportJwk(privateKey) });
  const started = new Date().toISOString();
  for (const d of deliveries) {
    const orderingKey = opts.orderingKey === undefined ? undefined : `${opts.orderingKey}\n${d.inbox.origin}`;
    const message = {
      type: "outbox",
      id: crypto.randomUUID(),
      baseUrl: ctx.origin,
      keys,
      activity: activity.json,
      activityId: activity.id,
      activityType: activity.type,
      inbox: d.inbox.href,
      sharedInbox: d.sharedInbox,
      actorIds: [...d.actorIds],
      started,
      attempt: 0,
      headers: {},
      orderingKey,
      traceContext: {},
    };
    await queue.enqueue(message, orderingKey === undefined ? undefined : { orderingKey });
  }
  return deliveries.length;
}
