import { type Request, type Response, Router } from "express";
import type { Collective } from "../../modules/collective/collective.entity.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import type { EditorView } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/** A partner the collective follows (or asked to follow), as the adopt screens list them. */
export interface AdoptPartnerRef {
  readonly actorApId: string;
  readonly name: string | null;
  readonly handle: string | null;
}

/** What tells the adopt screens of one kind of thing (slogans, action kits) apart. */
export interface AdoptFlow<T> {
  /** The screen's path, e.g. "/@:slug/slogans/adopt". */
  readonly path: string;
  /** The page: the partners' lists, what the collective adopted already, the address typed and its problems. */
  page(args: {
    view: EditorView;
    principal: Principal;
    collective: Collective;
    partners: readonly AdoptPartnerRef[];
    extra: { url?: string; problems?: FieldProblem[] };
  }): Promise<string>;
  /** Reads the thing at an address (here or on another server); failures are values. */
  lookup(url: string): Promise<{ ok: true; value: T } | { ok: false; reason: string }>;
  /** Adopts it as a draft of the collective; returns the copy's id. */
  adopt(principal: Principal, slug: string, value: T): Promise<{ id: string }>;
  /** The editor page of the adopted copy. */
  editPath(id: string): string;
  /** A problem with the address, worded: `noUrl`, `unreadable`, `notPartner`, `alreadyAdopted`, `invalid` (the copy is refused). */
  problem(lang: string, key: "noUrl" | "unreadable" | "notPartner" | "alreadyAdopted" | "invalid", reason?: string): string;
}

/**
 * The GET and POST of an adopt screen: only editors of the collective (`edit-calls`), the partners it
 * follows (not those that rejected it), an address read, then adopted; each refusal shows the page
 * again with the address and what to fix.
 */
export function adoptRoutes<T>(ctx: EditorContext, flow: AdoptFlow<T>): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-calls", c.id)) throw forbidden();
    return c;
  };

  const render = async (req: Request, res: Response, slug: string, extra: { url?: string; problems?: FieldProblem[] } = {}) => {
    const principal = principalOf(res);
    const collective = await editable(principal, slug);
    const view = ctx.view(req, res);
    const partners = ctx.partners ? (await ctx.partners.list(principal, collective.slug)).filter((p) => p.state !== "rejected") : [];
    const refs = partners.map((p) => ({ actorApId: p.actorApId, name: p.name, handle: p.handle }));
    return flow.page({ view, principal, collective, partners: refs, extra });
  };

  r.get(flow.path, auth, async (req, res) => {
    res.send(await render(req, res, String(req.params.slug)));
  });

  r.post(flow.path, auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const raw = (req.body as Record<string, unknown>).url;
    const url = typeof raw === "string" ? raw.trim().slice(0, 2000) : "";
    const refuse = async (status: number, key: Parameters<AdoptFlow<T>["problem"]>[1], reason?: string) =>
      res.status(status).send(await render(req, res, c.slug, { url, problems: [{ field: "url", message: flow.problem(lang, key, reason) }] }));
    if (url === "") return refuse(422, "noUrl");
    const read = await flow.lookup(url);
    if (!read.ok) return refuse(422, "unreadable", read.reason);
    try {
      const adopted = await flow.adopt(principal, c.slug, read.value);
      res.redirect(303, `${flow.editPath(adopted.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The editor may edit (checked above): a 403 here says the original's author is not a partner.
      if (error.status === 403) return refuse(422, "notPartner");
      if (error.status === 409) return refuse(409, "alreadyAdopted");
      if (error.status === 422) return refuse(422, "invalid", error.message);
      throw error;
    }
  });
  return r;
}
