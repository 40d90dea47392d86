import type { NextFunction, Request, Response } from "express";
import type { Principal, UserService } from "../modules/user/user.service.ts";
import { unauthorized } from "../shared/errors.ts";

/** `Authorization: Bearer <token>` → the principal in `res.locals.principal`, or 401. */
export function requireToken(users: UserService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw unauthorized();
    const principal = await users.authenticate(m[1]);
    if (!principal) throw unauthorized("this API token is not valid (create one with: relais token create <email>)");
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
