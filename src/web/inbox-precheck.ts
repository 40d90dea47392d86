import type { NextFunction, Request, Response } from "express";
import { getLogger } from "@logtape/logtape";
import { FederationBodyTooLargeError, readRequestBody } from "../federation/express-bridge-io.ts";
import { type ActivityFacts, type ActivityReading, signatureKeyId } from "../federation/inbox/activity-document.ts";
import type { BlockRules } from "../modules/moderation/block-rules.ts";

const logger = getLogger(["relais", "inbox"]);

export interface InboxPrecheckOptions {
  readonly maxBodyBytes: number;
  /** The blocks as they stand (cached a few seconds). */
  readonly blocks: () => Promise<BlockRules>;
  /** Reads the body the way Fedify will (see activity-document.ts). */
  readonly read: (body: Buffer) => Promise<ActivityReading>;
}

/**
 * Checks made on an inbox POST before Fedify sees it (and, with a queue, before anything is queued):
 * - a delivery signed by a key of a server or actor blocked instance-wide is refused (403, as Mastodon
 *   answers a suspended domain) without reading the body; one signed by an actor or server that the
 *   addressed collective blocked is accepted and dropped (202, as Mastodon does for a user's blocks:
 *   the blocked learn nothing), and so is, once read, an activity whose actor is so blocked;
 * - the body is read up to the cap (413 beyond it) and kept on `req.rawBody`, byte for byte, for the
 *   federation bridge (signatures and digests cover those bytes);
 * - a body that cannot be read as an activity, or not stored (NUL, nesting), is refused (400), and so
 *   is one whose `@context` cannot be loaded in time: nothing later would read it better;
 * - an activity whose id is on another origin than its actor, or whose actor is blocked instance-wide,
 *   is refused (400 / 403): it could only be believed on its own origin's word.
 * Each refusal is one log line without the body. Signature verification itself stays with Fedify.
 */
export function inboxPrecheck(opts: InboxPrecheckOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const blocks = await opts.blocks();
    // A collective's own blocks apply to its own inbox (paths.actorInbox); the shared inbox serves every collective.
    const slug = typeof req.params.identifier === "string" ? req.params.identifier : undefined;
    const collectiveId = slug === undefined ? undefined : blocks.collectiveWithBlocks(slug);
    const keyId = signatureKeyId({ get: (name) => req.get(name) });
    if (keyId && blocks.blocksKey(keyId)) {
      refuse(req, res, 403, "blocked", `deliveries from ${keyId.hostname} are refused by this instance`);
      return;
    }
    if (keyId && collectiveId && blocks.blocksKey(keyId, collectiveId)) {
      dropped(req, res);
      return;
    }
    // The bridge's reader and cap: Content-Length checked before reading, bytes counted while reading.
    const body = await readRequestBody(req, opts.maxBodyBytes);
    if (body instanceof FederationBodyTooLargeError) {
      // The rest of the body is not read: the connection closes after the answer.
      res.set("Connection", "close");
      refuse(req, res, 413, "payload_too_large", `the body is larger than ${opts.maxBodyBytes} bytes`);
      return;
    }
    (req as Request & { rawBody?: Buffer }).rawBody = body;
    const reading = await opts.read(body);
    if (!reading.ok) {
      refuse(req, res, 400, reading.code, reading.message);
      return;
    }
    const problem = originProblem(reading.activity, blocks);
    if (problem) {
      refuse(req, res, problem.status, problem.code, problem.message);
      return;
    }
    if (collectiveId && reading.activity.actorIds.some((actor) => blocks.blocksActor(actor, collectiveId))) {
      dropped(req, res);
      return;
    }
    next();
  };
}

/** One line per refusal; what it was about (ids, which name people) only at debug level. */
function refuse(req: Request, res: Response, status: number, code: string, message: string): void {
  logger.info("inbox POST {path} refused: {status} {code}", { path: req.path, status, code });
  logger.debug("inbox POST {path} refused because {message}", { path: req.path, message });
  res.status(status).json({ error: code, message });
}

/** Accepted and not kept: what a collective's block does to the blocked's deliveries to its inbox. */
function dropped(req: Request, res: Response): void {
  logger.info("inbox POST {path} dropped: blocked by the collective", { path: req.path });
  res.status(202).end();
}

/** A reason to refuse the activity on its face, or undefined. */
export function originProblem(activity: ActivityFacts, blocks: BlockRules): { status: number; code: string; message: string } | undefined {
  for (const actor of activity.actorIds) {
    if (blocks.blocksActor(actor)) return { status: 403, code: "blocked", message: `activities of ${actor.hostname} are refused by this instance` };
  }
  if (activity.id === null) return undefined;
  const foreign = activity.actorIds.find((actor) => actor.origin !== activity.id?.origin);
  if (foreign) {
    return {
      status: 400,
      code: "cross_origin",
      message: `the activity ${activity.id.href} is not on its actor's origin (${foreign.origin}); only an actor's own server may send its activities`,
    };
  }
  return undefined;
}
