import { type Request, Router } from "express";
import type { CosignPartnerLookup } from "../federation/cosign-partners.ts";
import type { CoorganiseHostService } from "../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../modules/coorganise/coorganise-partner.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { invalid } from "../shared/errors.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { presentCoorganised, presentCoorganizer, presentCoorganizerInvitation } from "./coorganise.presenter.ts";
import { parseInvite } from "./cosign.router.ts";
import { jsonBody } from "./json-body.ts";

/**
 * Events organised together in the JSON API (FEDERATION.md "Co-organised events"): the host's editors
 * invite partner collectives and follow the answers; an invited collective's editors see the event and
 * accept, decline, or later withdraw. Token → validation → service → presenter.
 */
export function coorganiseApiRouter(deps: {
  host: CoorganiseHostService;
  partner: CoorganisePartnerService;
  users: UserService;
  lookup: CosignPartnerLookup;
  authFailures?: RateLimit;
}): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);
  const slug = (req: Request) => String(req.params.slug);

  // The host's side.
  router.post("/api/v1/events/:id/coorganizers/invitations", auth, json, async (req, res) => {
    const input = parseInvite(req.body);
    // Who may invite is checked before anything is looked up on the network.
    await deps.host.overview(principalOf(res), id(req));
    const found = await deps.lookup(input.partner);
    if (!found.ok) throw invalid(`partner: ${found.reason}`, [{ field: "partner", message: found.reason }]);
    res.status(201).json(presentCoorganizerInvitation(await deps.host.invite(principalOf(res), id(req), found.partner, { expiresAt: input.expiresAt })));
  });
  router.get("/api/v1/events/:id/coorganizers", auth, async (req, res) => {
    const { invitations, coorganizers } = await deps.host.overview(principalOf(res), id(req));
    res.json({ invitations: invitations.map(presentCoorganizerInvitation), coorganizers: coorganizers.map(presentCoorganizer) });
  });

  // The invited collective's side.
  router.get("/api/v1/collectives/:slug/coorganised", auth, async (req, res) => {
    res.json({ items: (await deps.partner.list(principalOf(res), slug(req))).map(presentCoorganised) });
  });
  router.get("/api/v1/collectives/:slug/coorganised/:id", auth, async (req, res) => {
    res.json(presentCoorganised(await deps.partner.one(principalOf(res), slug(req), id(req))));
  });
  for (const action of ["accept", "decline", "withdraw"] as const) {
    router.post(`/api/v1/collectives/:slug/coorganised/:id/${action}`, auth, async (req, res) => {
      res.json(presentCoorganised(await deps.partner[action](principalOf(res), slug(req), id(req))));
    });
  }
  return router;
}
