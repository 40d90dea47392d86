import { Router } from "express";
import type { MembershipService, MemberView } from "../modules/account/membership.service.ts";
import type { TokenInfo, UserService } from "../modules/user/user.service.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentToken = (t: TokenInfo) => ({
  id: t.id,
  name: t.name,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  expiresAt: iso(t.expiresAt),
});

export const presentMember = (m: MemberView) => ({ userId: m.userId, email: m.email, role: m.role, since: iso(m.since) });

/** The caller's API tokens, and the members of the caller's collectives (removed by owners, or leaving). */
export function accountApiRouter(deps: { users: UserService; memberships: MembershipService; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);

  router.get("/api/v1/tokens", auth, async (req, res) => {
    const page = await deps.users.tokenPage(principalOf(res).userId, parsePageQuery(req.query));
    res.json(presentPage(page, presentToken));
  });
  router.delete("/api/v1/tokens/:id", auth, async (req, res) => {
    await deps.users.revokeToken(String(req.params.id), { userId: principalOf(res).userId });
    res.status(204).end();
  });
  router.get("/api/v1/collectives/:slug/members", auth, async (req, res) => {
    const page = await deps.memberships.page(principalOf(res), String(req.params.slug), parsePageQuery(req.query));
    res.json(presentPage(page, presentMember));
  });
  router.delete("/api/v1/collectives/:slug/members/:userId", auth, async (req, res) => {
    await deps.memberships.remove(principalOf(res), String(req.params.slug), String(req.params.userId));
    res.status(204).end();
  });
  return router;
}
