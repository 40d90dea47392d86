import type { RequestHandler } from "express";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "inbox"]);

export interface InboxAdmissionOptions {
  /** Inbox POSTs handled at once, from reading the body to the response. */
  readonly concurrent: number;
  /** POSTs that may wait for a turn; beyond them, 503. */
  readonly waiting: number;
  /** How long one may wait for its turn before a 503. */
  readonly maxWaitMs: number;
}

/**
 * Bounds the memory the inbox can take: each POST handled holds its body (up to the cap), parsed
 * copies of it and Fedify's own reading, so only `concurrent` are handled at once, `waiting` more wait
 * with their bodies unread, and the rest — or one that waited too long — get 503 with `Retry-After`
 * (senders retry later). A turn lasts until the response is sent or the connection closes.
 */
export function inboxAdmission(opts: InboxAdmissionOptions): RequestHandler & { state(): { active: number; waiting: number } } {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  const busy = (res: Parameters<RequestHandler>[1], why: string) => {
    logger.info("inbox POST refused: 503 busy ({why})", { why });
    res.set("Retry-After", "30").set("Connection", "close");
    res.status(503).json({ error: "busy", message: "this inbox is busy: send again later" });
  };
  const handler: RequestHandler = (req, res, next) => {
    const start = () => {
      let done = false;
      res.once("close", () => {
        if (!done) {
          done = true;
          release();
        }
      });
      next();
    };
    if (active < opts.concurrent) {
      active++;
      start();
      return;
    }
    if (queue.length >= opts.waiting) return busy(res, "too many waiting");
    const turn = () => {
      clearTimeout(timer);
      req.off("close", gone);
      start();
    };
    const leave = () => {
      clearTimeout(timer);
      req.off("close", gone);
      const i = queue.indexOf(turn);
      if (i >= 0) queue.splice(i, 1);
    };
    const gone = () => leave();
    const timer = setTimeout(() => {
      leave();
      busy(res, `no turn within ${opts.maxWaitMs / 1000} s`);
    }, opts.maxWaitMs);
    req.once("close", gone);
    queue.push(turn);
  };
  return Object.assign(handler, { state: () => ({ active, waiting: queue.length }) });
}
