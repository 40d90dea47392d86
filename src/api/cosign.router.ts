import { type Request, Router } from "express";
import type { CosignPartnerLookup } from "../federation/cosign-partners.ts";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { invalid } from "../shared/errors.ts";
import type { Urls } from "../shared/urls.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { presentInvitation, presentReceivedInvitation, presentSignature, presentStamp } from "./cosign.presenter.ts";
import { jsonBody } from "./json-body.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `{partner, expiresAt?}` of an invitation; 422 naming what to fix. */
export function parseInvite(body: unknown): { partner: string; expiresAt: Temporal.Instant | undefined } {
  if (!isObject(body)) throw invalid("send a JSON object: {\"partner\": \"@collective@host\"}", [{ field: "body", message: "must be a JSON object" }]);
  const unknown = Object.keys(body).filter((k) => k !== "partner" && k !== "expiresAt");
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(", ")}`, unknown.map((field) => ({ field, message: "is not a field of an invitation" })));
  if (typeof body.partner !== "string" || body.partner.trim() === "" || body.partner.length > 500) {
    throw invalid("partner: give the collective's handle (@group@host) or its actor URL", [{ field: "partner", message: "is required: a handle or an actor URL" }]);
  }
  let expiresAt: Temporal.Instant | undefined;
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    try {
      expiresAt = Temporal.Instant.from(String(body.expiresAt));
    } catch {
      throw invalid("expiresAt: give an instant with its offset, e.g. 2027-03-01T23:59:00+01:00", [{ field: "expiresAt", message: "is not an instant with an offset" }]);
    }
  }
  return { partner: body.partner.trim(), expiresAt };
}

/** `{languages?}` of a signature. */
function parseSign(body: unknown): readonly string[] | undefined {
  if (body === undefined || (isObject(body) && Object.keys(body).length === 0)) return undefined;
  if (!isObject(body)) throw invalid("send a JSON object, e.g. {\"languages\": [\"fr\", \"de\"]}, or nothing", [{ field: "body", message: "must be a JSON object" }]);
  const unknown = Object.keys(body).filter((k) => k !== "languages");
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(", ")}`, unknown.map((field) => ({ field, message: "is not a field of a signature" })));
  const langs = body.languages;
  if (langs === undefined || langs === null) return undefined;
  if (!Array.isArray(langs) || langs.length > 50 || !langs.every((l) => typeof l === "string" && l.length <= 35)) {
    throw invalid("languages: a list of language codes, e.g. [\"fr\", \"de\"]", [{ field: "languages", message: "must be a list of language codes" }]);
  }
  return langs as string[];
}

/**
 * Co-signing in the JSON API (FEDERATION.md "Co-signed calls"): the initiator's editors invite partner
 * collectives and see their answers; the invited collective's editors read the exact text they are
 * asked to sign, in each language, and sign or decline. Token → validation → service → presenter.
 */
export function cosignApiRouter(deps: { cosign: CosignService; users: UserService; lookup: CosignPartnerLookup; urls: Urls; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);
  const slug = (req: Request) => String(req.params.slug);

  // The initiator's side.
  router.post("/api/v1/calls/:id/invitations", auth, json, async (req, res) => {
    const input = parseInvite(req.body);
    // Who may invite is checked before anything is looked up on the network.
    await deps.cosign.invitations(principalOf(res), id(req));
    const found = await deps.lookup(input.partner);
    if (!found.ok) throw invalid(`partner: ${found.reason}`, [{ field: "partner", message: found.reason }]);
    const invitation = await deps.cosign.invite(principalOf(res), id(req), found.partner, { expiresAt: input.expiresAt });
    res.status(201).json(presentInvitation(invitation));
  });
  router.delete("/api/v1/calls/:id/invitations/:invitation", auth, async (req, res) => {
    res.json(presentInvitation(await deps.cosign.withdraw(principalOf(res), id(req), String(req.params.invitation))));
  });
  router.get("/api/v1/calls/:id/invitations", auth, async (req, res) => {
    const { invitations, signatures } = await deps.cosign.invitations(principalOf(res), id(req));
    res.json({ invitations: invitations.map(presentInvitation), signatures: signatures.map((s) => presentSignature(s)) });
  });

  // The invited collective's side.
  router.get("/api/v1/collectives/:slug/invitations", auth, async (req, res) => {
    res.json({ items: (await deps.cosign.received(principalOf(res), slug(req))).map(presentReceivedInvitation) });
  });
  router.get("/api/v1/collectives/:slug/invitations/:id", auth, async (req, res) => {
    res.json(presentReceivedInvitation(await deps.cosign.receivedOne(principalOf(res), slug(req), id(req))));
  });
  router.post("/api/v1/collectives/:slug/invitations/:id/sign", auth, json, async (req, res) => {
    const languages = parseSign(req.body);
    res.json(presentReceivedInvitation(await deps.cosign.sign(principalOf(res), slug(req), id(req), { languages })));
  });
  router.post("/api/v1/collectives/:slug/invitations/:id/decline", auth, async (req, res) => {
    res.json(presentReceivedInvitation(await deps.cosign.decline(principalOf(res), slug(req), id(req))));
  });
  router.get("/api/v1/collectives/:slug/signatures", auth, async (req, res) => {
    res.json({ items: (await deps.cosign.stamps(principalOf(res), slug(req))).map((s) => presentStamp(s, deps.urls.stamp(s.id))) });
  });
  router.delete("/api/v1/collectives/:slug/signatures/:id", auth, async (req, res) => {
    const revoked = await deps.cosign.revoke(principalOf(res), slug(req), id(req));
    res.json(presentStamp(revoked, deps.urls.stamp(revoked.id)));
  });
  return router;
}
