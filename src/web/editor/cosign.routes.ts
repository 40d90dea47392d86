import { type Request, type Response, Router } from "express";
import type { CallService } from "../../modules/call/call.service.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import type { CosignService } from "../../modules/cosign/cosign.service.ts";
import type { CosignPartner } from "../../modules/cosign/cosign.types.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { callTitle } from "./pages/call.pages.ts";
import { callSignaturesPage, receivedListPage, receivedPage } from "./pages/cosign.pages.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { askToJoinSection, joinRequestsSection } from "./pages/join.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/** Finds a partner collective that can sign (the federation layer's lookup); failures are values. */
export type CosignLookup = (ref: string) => Promise<{ ok: true; partner: CosignPartner } | { ok: false; reason: string }>;

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/**
 * Co-signing in the editor (issue 9), over CosignService as the JSON API: the initiator's editors
 * invite partner collectives to sign the call's current version and see each invitation's answer and
 * each verified signature; the invited collective's editors read the exact text in each language it
 * may sign, then sign (the languages they choose) or decline.
 */
export function cosignRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const cosign = (): CosignService => {
    if (!ctx.cosign) throw new AppError("not_found", 404, "");
    return ctx.cosign;
  };
  const calls = (): CallService => {
    if (!ctx.calls) throw new AppError("not_found", 404, "");
    return ctx.calls;
  };

  const renderSignatures = async (req: Request, res: Response, extra: { partner?: string; problem?: string; detail?: string; withdrawProblem?: string } = {}) => {
    const principal = principalOf(res);
    const call = await calls().get(principal, String(req.params.id));
    const c = await ctx.collectives.findBySlug(call.collective.slug);
    if (!c || !can(principal, "edit-calls", c.id)) throw forbidden();
    const view = ctx.view(req, res);
    const { invitations, signatures } = await cosign().invitations(principal, call.id);
    const joins = ctx.joins
      ? joinRequestsSection(view.lang, view.csrf, { callId: call.id, open: call.status === "open", policy: await ctx.joins.policy(principal, call.id), requests: await ctx.joins.requests(principal, call.id) })
      : undefined;
    return callSignaturesPage(view, {
      joins,
      callId: call.id,
      title: callTitle(call, view.lang),
      version: call.version,
      invitable: call.version > 0 && (call.status === "consultation" || call.status === "open"),
      invitations,
      signatures,
      done: doneMessage(view.lang, req.query.done),
      ...extra,
    });
  };

  r.get("/calls/:id/signatures", auth, async (req, res) => {
    res.send(await renderSignatures(req, res));
  });

  r.post("/calls/:id/signatures", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    const lang = ctx.view(req, res).lang;
    const partner = field(req.body, "partner").trim();
    // Who may invite is checked before anything is looked up on the network.
    await cosign().invitations(principal, id);
    if (partner === "" || partner.length > 500) {
      res.status(422).send(await renderSignatures(req, res, { partner, problem: ctx.t(lang, "editor:cosign.problem.empty") }));
      return;
    }
    // "Answer by": the end of that day in the call's zone; empty, the service's default.
    const until = field(req.body, "expires").trim();
    let expiresAt: Temporal.Instant | undefined;
    if (until !== "") {
      try {
        const call = await calls().get(principal, id);
        expiresAt = Temporal.PlainDate.from(until).toZonedDateTime({ timeZone: call.timezone, plainTime: "23:59" }).toInstant();
      } catch {
        res.status(422).send(await renderSignatures(req, res, { partner, problem: ctx.t(lang, "editor:cosign.problem.expires") }));
        return;
      }
    }
    const found = ctx.cosignLookup ? await ctx.cosignLookup(partner) : { ok: false as const, reason: "no federation here" };
    if (!found.ok) {
      res.status(422).send(await renderSignatures(req, res, { partner, problem: ctx.t(lang, "editor:cosign.problem.notFound"), detail: found.reason }));
      return;
    }
    try {
      await cosign().invite(principal, id, found.partner, { expiresAt });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      res.status(error.status).send(await renderSignatures(req, res, { partner, problem: ctx.t(lang, "editor:cosign.problem.refused"), detail: error.message }));
      return;
    }
    res.redirect(303, `${editorPaths.callSignatures(id)}?done=invitedToSign`);
  });

  // Withdrawing an invitation not answered yet (design §13 #2): the partner's server is told, the text
  // leaves its editors' list. An answered one is refused (409) with the service's reason.
  r.post("/calls/:id/signatures/:invitation/withdraw", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    try {
      await cosign().withdraw(principal, id, String(req.params.invitation));
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const lang = ctx.view(req, res).lang;
      res.status(409).send(await renderSignatures(req, res, { withdrawProblem: `${ctx.t(lang, "editor:cosign.problem.withdraw")} (${error.message})` }));
      return;
    }
    res.redirect(303, `${editorPaths.callSignatures(id)}?done=invitationWithdrawn`);
  });

  const isRevoked = async (principal: Principal, slug: string, stampId: string | undefined) =>
    stampId !== undefined && (await cosign().stamps(principal, slug)).some((s) => s.id === stampId && s.revokedAt !== null);

  const signing = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "sign-calls", c.id)) throw forbidden();
    return c;
  };

  r.get("/@:slug/invitations", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await signing(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const items = await cosign().received(principal, c.slug);
    const joins = ctx.joins ? askToJoinSection(view.lang, view.csrf, { slug: c.slug, sent: await ctx.joins.sent(principal, c.slug) }) : undefined;
    res.send(receivedListPage(view, { slug: c.slug, name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug, items, joins, done: doneMessage(view.lang, req.query.done) }));
  });

  r.get("/@:slug/invitations/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await signing(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const invitation = await cosign().receivedOne(principal, c.slug, String(req.params.id));
    res.send(receivedPage(view, { slug: c.slug, invitation, revoked: await isRevoked(principal, c.slug, invitation.stamp?.id), done: doneMessage(view.lang, req.query.done) }));
  });

  /** Revoking a signature: the stamp's server answers 410 from now on, and everyone who listed it learns it. */
  r.post("/@:slug/invitations/:id/revoke", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await signing(principal, String(req.params.slug));
    const id = String(req.params.id);
    if (field(req.body, "confirm") !== "yes") return res.redirect(303, editorPaths.received(c.slug, id));
    const invitation = await cosign().receivedOne(principal, c.slug, id);
    if (!invitation.stamp) return res.redirect(303, editorPaths.received(c.slug, id));
    await cosign().revoke(principal, c.slug, invitation.stamp.id);
    res.redirect(303, `${editorPaths.received(c.slug, id)}?done=revoked`);
  });

  for (const action of ["sign", "decline"] as const) {
    r.post(`/@:slug/invitations/:id/${action}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const c = await signing(principal, String(req.params.slug));
      const id = String(req.params.id);
      const view = ctx.view(req, res);
      const body = req.body as Record<string, unknown>;
      try {
        if (action === "sign") {
          const languages = Object.keys(body)
            .filter((k) => k.startsWith("language.") && body[k] === "1")
            .map((k) => k.slice("language.".length));
          if (languages.length === 0) {
            const invitation = await cosign().receivedOne(principal, c.slug, id);
            res.status(422).send(receivedPage(view, { slug: c.slug, invitation, problem: ctx.t(view.lang, "editor:cosign.problem.noLanguage") }));
            return;
          }
          await cosign().sign(principal, c.slug, id, { languages });
        } else {
          if (body.confirm !== "yes") return res.redirect(303, editorPaths.received(c.slug, id));
          await cosign().decline(principal, c.slug, id);
        }
      } catch (error) {
        if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
        const invitation = await cosign().receivedOne(principal, c.slug, id);
        res.status(error.status).send(receivedPage(view, { slug: c.slug, invitation, problem: `${ctx.t(view.lang, "editor:cosign.problem.answer")} (${error.message})` }));
        return;
      }
      res.redirect(303, `${editorPaths.received(c.slug, id)}?done=${action === "sign" ? "signed" : "declined"}`);
    });
  }
  return r;
}
