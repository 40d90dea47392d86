import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageQueue } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import { match, paths } from "../../shared/paths.ts";
import { hasType } from "../mappers/cosign.mapper.ts";
import { idOf } from "../mappers/json-values.ts";
import type { JsonObject } from "../mappers/event.mapper.ts";

const logger = getLogger(["relais", "inbox", "cosign"]);

/** Co-signing activities signed longer ago than this are refused (design §9; Fedify itself accepts an hour). */
export const cosignSignatureWindowMs = 15 * 60 * 1000;

/** When the inbox POST being handled was signed, for the queue wrapper below (undefined outside a request). */
const signedAtStore = new AsyncLocalStorage<{ readonly signedAt: number | undefined }>();

type Headers = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * When a request was signed: RFC 9421's `created` parameter, else the `Date` header (draft-cavage
 * signs it). Undefined when neither can be read (Fedify refuses such a request anyway).
 */
export function signedAtOf(headers: Headers): number | undefined {
  const created = first(headers["signature-input"])?.match(/;\s*created=(\d+)/)?.[1];
  if (created) return Number(created) * 1000;
  const date = first(headers.date);
  const parsed = date ? Date.parse(date) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Runs the federation bridge for one request, with its signing time known to the inbox queue. */
export function withSignedAt<T>(headers: Headers, fn: () => T): T {
  return signedAtStore.run({ signedAt: signedAtOf(headers) }, fn);
}

/**
 * Whether a received activity is part of co-signing (FEDERATION.md #1, #2, #3, #4, #6, #7): an
 * invitation (`CosignRequest`), the initiator's withdrawal of one (an `Undo` of a request id
 * `<call>/invitations/<uuid>`, on the initiator's origin), an answer to one of our invitations or join
 * requests, or a join request (a Create whose target is one of our calls' signatories).
 */
export function isCosignActivity(json: JsonObject, origin: URL): boolean {
  if (hasType(json, "CosignRequest")) return true;
  const ours = (v: unknown) => {
    const id = idOf(v);
    return id && URL.canParse(id) && new URL(id).origin === origin.origin ? new URL(id) : undefined;
  };
  if (hasType(json, "Accept") || hasType(json, "Reject")) {
    const object = ours(json.object);
    return object !== undefined && (match(paths.callInvitation, object.pathname) !== undefined || object.hash === "#join");
  }
  if (hasType(json, "Undo")) {
    const object = idOf(json.object);
    return object !== undefined && URL.canParse(object) && match(paths.callInvitation, new URL(object).pathname) !== undefined;
  }
  if (hasType(json, "Create")) {
    const target = ours(json.target);
    return target !== undefined && match(paths.callSignatories, target.pathname) !== undefined;
  }
  return false;
}

/**
 * The inbox queue, refusing co-signing activities whose HTTP signature is older than 15 minutes (a
 * captured request replayed). Fedify verifies the signature and enqueues the activity while it handles
 * the POST, so the request's signing time (`withSignedAt`) is known here; the listeners, run from the
 * queue, no longer see the request. A dropped activity changes nothing (the POST was answered 202, as
 * for any activity without effect). Retries from the queue itself carry no request and pass.
 */
export function withCosignReplayWindow(queue: MessageQueue, opts: { origin: URL; now: () => Date }): MessageQueue {
  const wrapped: MessageQueue = {
    get nativeRetrial() {
      return queue.nativeRetrial;
    },
    enqueue: async (message, options) => {
      const m = message as { type?: unknown; activity?: unknown };
      const signedAt = signedAtStore.getStore()?.signedAt;
      if (m.type === "inbox" && signedAt !== undefined && typeof m.activity === "object" && m.activity !== null && !Array.isArray(m.activity)) {
        const age = opts.now().getTime() - signedAt;
        if (age > cosignSignatureWindowMs && isCosignActivity(m.activity as JsonObject, opts.origin)) {
          logger.info("a co-signing activity signed {minutes} minutes ago was refused (replay window: 15 minutes)", { minutes: Math.round(age / 60_000) });
          return;
        }
      }
      return queue.enqueue(message, options);
    },
    listen: (handler, options) => queue.listen(handler, options),
  };
  if (queue.enqueueMany) wrapped.enqueueMany = queue.enqueueMany.bind(queue);
  if (queue.getDepth) wrapped.getDepth = queue.getDepth.bind(queue);
  return wrapped;
}
