import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import { signableTexts, versionDigests } from "../../modules/cosign/call-digest.ts";
import type { CallToJoin, JoinRequestService, SentJoinView } from "../../modules/cosign/join-requests.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { askToJoinPage, type PartnerCallAnswer } from "./pages/join.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/**
 * Join requests in the editor (issue 9), over JoinRequestService as the JSON API: a call's editors
 * choose how requests to sign it are approved and approve or refuse pending ones (on its co-signatures
 * page); a collective's editors ask to sign another server's open call, picked from the open calls of
 * the partners it follows or given by its address (on the page of the invitations it received), and see
 * where their requests stand.
 */
export function joinRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const joins = (): JoinRequestService => {
    if (!ctx.joins) throw new AppError("not_found", 404, "");
    return ctx.joins;
  };

  r.post("/calls/:id/join-policy", auth, async (req, res) => {
    const id = String(req.params.id);
    const policy = field(req.body, "policy");
    if (policy !== "manual" && policy !== "automatic") return res.redirect(303, editorPaths.callSignatures(id));
    await joins().setPolicy(principalOf(res), id, policy);
    res.redirect(303, `${editorPaths.callSignatures(id)}?done=joinPolicySaved#join-requests`);
  });

  for (const action of ["approve", "refuse"] as const) {
    r.post(`/calls/:id/join-requests/:request/${action}`, auth, async (req, res) => {
      const id = String(req.params.id);
      const request = String(req.params.request);
      try {
        if (action === "approve") await joins().approve(principalOf(res), id, request);
        else await joins().refuse(principalOf(res), id, request);
      } catch (error) {
        // Decided meanwhile (by another editor): the page shows how.
        if (!(error instanceof AppError) || error.status !== 409) throw error;
        return res.redirect(303, `${editorPaths.callSignatures(id)}#join-requests`);
      }
      res.redirect(303, `${editorPaths.callSignatures(id)}?done=${action === "approve" ? "joinApproved" : "joinRefused"}#join-requests`);
    });
  }

  const signing = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "sign-calls", c.id)) throw forbidden();
    return c;
  };

  /** Where the collective stands with each call it asked to sign (a request waiting or listed) or signed on invitation. */
  const answersOf = async (principal: Principal, slug: string, sent: readonly SentJoinView[]): Promise<Map<string, PartnerCallAnswer>> => {
    const answers = new Map<string, PartnerCallAnswer>();
    for (const s of ctx.cosign ? await ctx.cosign.stamps(principal, slug) : []) if (s.revokedAt === null && s.requestId !== null) answers.set(s.callApId, "signed");
    for (const s of sent) if (s.state === "pending" || s.state === "listed") answers.set(s.callApId, s.state);
    return answers;
  };

  /**
   * The "request to sign" screen. With `read`, the call as just read from its server: its exact text per
   * language and the languages to sign; with only a problem, the address form says what is wrong.
   */
  const renderAsk = async (req: Request, res: Response, status: number, o: { call?: string; read?: CallToJoin; chosen?: readonly string[]; problem?: string; detail?: string }) => {
    const principal = principalOf(res);
    const c = await signing(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const read = o.read
      ? (() => {
          const digests = versionDigests(o.read.signable);
          const languages = digests.map((d) => d.language);
          return {
            call: o.read.callApId,
            initiator: o.read.initiator.apId.href,
            initiatorName: o.read.initiator.name ?? null,
            version: o.read.signable.version,
            languages,
            authoritative: o.read.authoritativeLanguages,
            texts: signableTexts(o.read.signable, languages),
            digests,
          };
        })()
      : undefined;
    const sent = await joins().sent(principal, c.slug);
    const partnerCalls = !read && ctx.partnerCalls ? { calls: await ctx.partnerCalls.openFor(c.slug), answers: await answersOf(principal, c.slug, sent) } : undefined;
    res.status(status).send(
      askToJoinPage(view, { slug: c.slug, name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug, sent, partnerCalls, call: o.call, read, chosen: o.chosen, problem: o.problem, detail: o.detail, done: doneMessage(view.lang, req.query.done) }),
    );
  };

  /** Reads the call at `call` for the collective; a problem as the page shows it otherwise. */
  const readCall = async (slug: string, lang: string, call: string): Promise<{ ok: true; call: CallToJoin } | { ok: false; problem: string; detail?: string }> => {
    if (call === "" || call.length > 2000 || !URL.canParse(call)) return { ok: false, problem: ctx.t(lang, "editor:join.problem.url") };
    const found = ctx.callToJoin ? await ctx.callToJoin(slug, call) : { ok: false as const, reason: "no federation here" };
    return found.ok ? found : { ok: false, problem: ctx.t(lang, "editor:join.problem.unreadable"), detail: found.reason };
  };

  r.get("/@:slug/joins/new", auth, async (req, res) => {
    const c = await signing(principalOf(res), String(req.params.slug));
    const call = typeof req.query.call === "string" ? req.query.call.trim() : "";
    if (call === "") return renderAsk(req, res, 200, {});
    const found = await readCall(c.slug, ctx.view(req, res).lang, call);
    if (!found.ok) return renderAsk(req, res, 422, { call, problem: found.problem, detail: found.detail });
    return renderAsk(req, res, 200, { call, read: found.call });
  });

  /** Sends the request for the version the editor read, in the languages ticked; a call changed meanwhile is shown again. */
  r.post("/@:slug/joins", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await signing(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const call = field(req.body, "call").trim();
    const body = req.body as Record<string, unknown>;
    const languages = Object.keys(body)
      .filter((k) => k.startsWith("language.") && body[k] === "1")
      .map((k) => k.slice("language.".length));
    const found = await readCall(c.slug, lang, call);
    if (!found.ok) return renderAsk(req, res, 422, { call, problem: found.problem, detail: found.detail });
    const read = found.call;
    // Nothing is signed unseen: a request without the version read, or for a version since replaced, shows the text.
    const version = Number(field(req.body, "version"));
    if (version !== read.signable.version) return renderAsk(req, res, 409, { call, read, problem: ctx.t(lang, field(req.body, "version") === "" ? "editor:join.problem.readFirst" : "editor:join.problem.changed") });
    if (languages.length === 0) return renderAsk(req, res, 422, { call, read, chosen: [], problem: ctx.t(lang, "editor:cosign.problem.noLanguage") });
    try {
      await joins().requestToJoin(principal, c.slug, read, { languages });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      return renderAsk(req, res, error.status, { call, read, chosen: languages, problem: ctx.t(lang, "editor:join.problem.refused"), detail: error.message });
    }
    res.redirect(303, `${editorPaths.joinNew(c.slug)}?done=joinRequested#sent-requests`);
  });
  return r;
}
