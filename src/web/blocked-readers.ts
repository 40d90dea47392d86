import type { NextFunction, Request, Response } from "express";
import { getLogger } from "@logtape/logtape";
import { signatureKeyId } from "../federation/inbox/activity-document.ts";
import type { BlockRules } from "../modules/moderation/block-rules.ts";
import { matcher, paths } from "../shared/paths.ts";

const logger = getLogger(["relais", "web"]);

const actorPath = matcher(paths.actor);

/**
 * A signed GET (servers sign their fetches; Mastodon always does) whose key belongs to a server or an
 * actor blocked instance-wide is refused with 403, as the inbox refuses their deliveries (ADR 0020), before
 * anything is read or served from the read cache (ADR 0022). The key is not verified: a claim to be
 * blocked is believed, it only hurts whoever makes it. Unsigned GETs cannot be told apart and are served.
 *
 * Actor documents stay readable: they carry the keys that sign the block's own last words (the `Reject`
 * and `Undo` a block sends), which the blocked server must fetch to verify them.
 */
export function blockedReaders(blocks: () => Promise<BlockRules>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (req.headers.signature === undefined && req.headers["signature-input"] === undefined) return next();
    if (actorPath(req.path)) return next();
    const keyId = signatureKeyId({ get: (name) => req.get(name) });
    if (keyId && (await blocks()).blocksKey(keyId)) {
      logger.info("signed GET {path} refused: 403 blocked", { path: req.path });
      res.status(403).json({ error: "blocked", message: `requests from ${keyId.hostname} are refused by this instance` });
      return;
    }
    next();
  };
}
