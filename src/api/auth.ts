import type { NextFunction, Request, Response } from "express";
import type { Principal, UserService } from "../modules/user/user.service.ts";
import { unauthorized } from "../shared/errors.ts";
import { addressKey, answerLimited, type RateLimit } from "../web/rate-limits.ts";

/**
 * `Authorization: Bearer <token>` → the principal in `res.locals.principal`, or 401.
 * Failed authentications are counted per client address; past the limit they get 429 instead of 401.
 * A valid token is always accepted, even from an address over its limit: whoever shares a user's
 * address (a NAT, a proxy) cannot lock that user out by guessing. Tokens are 256 random bits, so the
 * limit is not what keeps them secret; it keeps floods of guesses cheap and visible.
 */
export function requireToken(users: UserService, failures?: RateLimit) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw unauthorized();
    const principal = await users.authenticate(m[1]);
    if (!principal) {
      const verdict = await failures?.hit(addressKey(req.ip));
      if (verdict?.limited) {
        answerLimited(res, verdict.retryAfterSeconds, "too many failed authentications from your address");
        return;
      }
      throw unauthorized("this API token is not valid: unknown, expired or revoked (create one with: relais token create <email>)");
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
