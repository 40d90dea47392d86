import { type Request, Router } from "express";
import type { CallToJoinReader } from "../federation/cosign-call-reader.ts";
import type { JoinRequestService, JoinRequestView, SentJoinView } from "../modules/cosign/join-requests.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { invalid } from "../shared/errors.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { jsonBody } from "./json-body.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function onlyFields(body: unknown, allowed: readonly string[], example: string): Record<string, unknown> {
  if (!isObject(body)) throw invalid(`send a JSON object: ${example}`, [{ field: "body", message: "must be a JSON object" }]);
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(", ")}`, unknown.map((field) => ({ field, message: `is not one of ${allowed.join(", ")}` })));
  return body;
}

/** `{policy}`: "manual" or "automatic". */
export function parsePolicy(body: unknown): "manual" | "automatic" {
  const b = onlyFields(body, ["policy"], '{"policy": "automatic"}');
  if (b.policy !== "manual" && b.policy !== "automatic") throw invalid("policy: manual (an editor approves each request) or automatic", [{ field: "policy", message: "must be manual or automatic" }]);
  return b.policy;
}

/** `{call, languages?}` of a request to sign another server's open call. */
export function parseJoin(body: unknown): { call: string; languages: string[] | undefined } {
  const b = onlyFields(body, ["call", "languages"], '{"call": "https://…/calls/…"}');
  if (typeof b.call !== "string" || !URL.canParse(b.call) || b.call.length > 2000) throw invalid("the call: give its URL (https://…/calls/…)", [{ field: "call", message: "is required: the call's URL" }]);
  let languages: string[] | undefined;
  if (b.languages !== undefined && b.languages !== null) {
    if (!Array.isArray(b.languages) || b.languages.length > 50 || !b.languages.every((l) => typeof l === "string" && l.length <= 35)) {
      throw invalid('languages: a list of language codes, e.g. ["fr", "de"]', [{ field: "languages", message: "must be a list of language codes" }]);
    }
    languages = b.languages as string[];
  }
  return { call: b.call, languages };
}

export function presentJoinRequest(r: JoinRequestView) {
  return {
    id: r.id,
    callId: r.callId,
    requester: r.requester.apId,
    requesterName: r.requester.name,
    stampId: r.stampId,
    version: r.version,
    languages: r.languages,
    state: r.state,
    createdAt: r.createdAt.toString(),
    decidedAt: r.decidedAt?.toString() ?? null,
  };
}

export function presentSentJoin(s: SentJoinView) {
  return { stampId: s.stampId, stamp: s.url, collective: s.collective, call: s.callApId, initiator: s.initiatorApId, version: s.version, languages: s.languages, state: s.state, signedAt: s.signedAt.toString() };
}

/**
 * Join requests in the JSON API (FEDERATION.md "Join requests"): a call's editors choose how requests
 * are approved and approve or refuse pending ones; a collective's editors ask to sign another server's
 * open call and follow their requests. Token → validation → service → presenter.
 */
export function joinApiRouter(deps: { joins: JoinRequestService; users: UserService; read: CallToJoinReader; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (req: Request) => String(req.params.id);

  router.get("/api/v1/calls/:id/join-policy", auth, async (req, res) => {
    res.json({ policy: await deps.joins.policy(principalOf(res), id(req)) });
  });
  router.put("/api/v1/calls/:id/join-policy", auth, json, async (req, res) => {
    res.json({ policy: await deps.joins.setPolicy(principalOf(res), id(req), parsePolicy(req.body)) });
  });
  router.get("/api/v1/calls/:id/join-requests", auth, async (req, res) => {
    res.json({ items: (await deps.joins.requests(principalOf(res), id(req))).map(presentJoinRequest) });
  });
  router.post("/api/v1/calls/:id/join-requests/:request/approve", auth, async (req, res) => {
    res.json(presentJoinRequest(await deps.joins.approve(principalOf(res), id(req), String(req.params.request))));
  });
  router.post("/api/v1/calls/:id/join-requests/:request/refuse", auth, async (req, res) => {
    res.json(presentJoinRequest(await deps.joins.refuse(principalOf(res), id(req), String(req.params.request))));
  });

  router.get("/api/v1/collectives/:slug/join-requests", auth, async (req, res) => {
    res.json({ items: (await deps.joins.sent(principalOf(res), String(req.params.slug))).map(presentSentJoin) });
  });
  router.post("/api/v1/collectives/:slug/join-requests", auth, json, async (req, res) => {
    const slug = String(req.params.slug);
    const input = parseJoin(req.body);
    // Who may sign for the collective is checked before anything is read on the network.
    await deps.joins.sent(principalOf(res), slug);
    const found = await deps.read(slug, input.call);
    if (!found.ok) throw invalid(`the call: ${found.reason}`, [{ field: "call", message: found.reason }]);
    res.status(201).json(presentSentJoin(await deps.joins.requestToJoin(principalOf(res), slug, found.call, { languages: input.languages })));
  });
  return router;
}
