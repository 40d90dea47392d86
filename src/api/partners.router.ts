import { Router } from "express";
import type { PartnerService } from "../modules/partner/partner.service.ts";
import type { PartnerView } from "../modules/partner/partner.types.ts";
import type { RemoteActorInfo } from "../modules/remote-actor/remote-actor.types.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { AppError, invalid } from "../shared/errors.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";

/** Finds the actor a handle or URL names (the federation layer's PartnerResolver). */
export type ActorLookup = (ref: string) => Promise<{ ok: true; actor: RemoteActorInfo } | { ok: false; reason: string }>;

/** The JSON API's partner. */
export function presentPartner(p: PartnerView) {
  return {
    id: p.id,
    actor: p.actorApId,
    handle: p.handle,
    name: p.name,
    type: p.type,
    state: p.state,
    relay: p.relay,
    lastActivityAt: p.lastActivityAt?.toISOString() ?? null,
    since: p.since.toISOString(),
  };
}

function parseFollowBody(body: unknown): { actor: string; relay: boolean | undefined } {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (typeof b.actor !== "string" || b.actor.trim() === "" || b.actor.length > 2048) {
    problems.push({ field: "actor", message: "give the partner's handle (@group@host) or the URL of its actor" });
  }
  if (b.relay !== undefined && typeof b.relay !== "boolean") problems.push({ field: "relay", message: "true or false" });
  const unknown = Object.keys(b).filter((k) => k !== "actor" && k !== "relay");
  for (const k of unknown) problems.push({ field: k, message: "unknown field; send actor and relay only" });
  if (problems.length > 0) throw invalid(problems.map((p) => `${p.field}: ${p.message}`).join("; "), problems);
  return { actor: (b.actor as string).trim(), relay: b.relay as boolean | undefined };
}

function parseRelayBody(body: unknown): boolean {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => k !== "relay");
  if (typeof b.relay !== "boolean" || extra.length > 0) {
    throw invalid('send {"relay": true} or {"relay": false}', [{ field: extra[0] ?? "relay", message: "only relay, true or false" }]);
  }
  return b.relay;
}

/** `/api/v1/collectives/{slug}/partners`: token → validation → service → presenter. */
export function partnersApiRouter(deps: { partners: PartnerService; users: UserService; lookup: ActorLookup; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const base = "/api/v1/collectives/:slug/partners";

  router.get(base, auth, async (req, res) => {
    const list = await deps.partners.list(principalOf(res), String(req.params.slug));
    res.json({ items: list.map(presentPartner) });
  });
  router.post(base, auth, json, async (req, res) => {
    const body = parseFollowBody(req.body);
    const slug = String(req.params.slug);
    const principal = principalOf(res);
    // Rights first: a stranger learns nothing and makes us fetch nothing.
    await deps.partners.list(principal, slug);
    const found = await deps.lookup(body.actor);
    if (!found.ok) throw new AppError("unresolvable", 422, `the partner could not be found: ${found.reason}`, [{ field: "actor", message: found.reason }]);
    const { partner, created } = await deps.partners.follow(principal, slug, found.actor);
    const view = body.relay === undefined ? partner : await deps.partners.setRelay(principal, slug, partner.id, body.relay);
    res.status(created ? 201 : 200).json(presentPartner(view));
  });
  router.get(`${base}/:id`, auth, async (req, res) => {
    res.json(presentPartner(await deps.partners.get(principalOf(res), String(req.params.slug), String(req.params.id))));
  });
  router.patch(`${base}/:id`, auth, json, async (req, res) => {
    const relay = parseRelayBody(req.body);
    res.json(presentPartner(await deps.partners.setRelay(principalOf(res), String(req.params.slug), String(req.params.id), relay)));
  });
  router.delete(`${base}/:id`, auth, async (req, res) => {
    await deps.partners.unfollow(principalOf(res), String(req.params.slug), String(req.params.id));
    res.status(204).end();
  });
  return router;
}
