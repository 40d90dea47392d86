import { type Request, type Response, Router } from "express";
import { can, canOnInstance } from "../../modules/collective/collective.policy.ts";
import type { BlockScope, BlockService } from "../../modules/moderation/block.service.ts";
import type { PartnerService } from "../../modules/partner/partner.service.ts";
import type { RemoteActorInfo } from "../../modules/remote-actor/remote-actor.types.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { blocksPage, type PurgeCounts, partnersPage, unfollowPage } from "./pages/network.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/** Finds the actor a handle or URL names (the federation layer's PartnerResolver); failures are values. */
export type PartnerLookup = (ref: string) => Promise<{ ok: true; actor: RemoteActorInfo } | { ok: false; reason: string }>;

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** "2.1.5" (followers, partners, partner events a block took away), as the redirect after a block carries it. */
function purgedOf(value: unknown): PurgeCounts | undefined {
  const m = typeof value === "string" ? /^(\d{1,7})\.(\d{1,7})\.(\d{1,7})$/.exec(value) : null;
  return m ? { followers: Number(m[1]), partners: Number(m[2]), partnerEvents: Number(m[3]) } : undefined;
}

/**
 * The collective's network in the editor: its partners (owners and editors follow a collective of
 * another server by handle or URL, see each follow's state, switch the relay of a partner's events,
 * unfollow after a confirmation) and its blocks (owners); the instance-wide blocks for the instance
 * admin. Over PartnerService and BlockService, as the JSON API.
 */
export function networkRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const partners = (): PartnerService => {
    if (!ctx.partners) throw new AppError("not_found", 404, "");
    return ctx.partners;
  };
  const blocks = (): BlockService => {
    if (!ctx.blocks) throw new AppError("not_found", 404, "");
    return ctx.blocks;
  };
  /** The collective, for someone who may manage its partners (owners and editors, as the API). */
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-events", c.id)) throw forbidden();
    return c;
  };
  const nameOf = (c: { name: Record<string, string>; primaryLanguage: string; slug: string }, lang: string) =>
    pickLanguage(c.name, [lang], c.primaryLanguage)?.text ?? c.slug;

  const renderPartners = async (req: Request, res: Response, extra: { actor?: string; relay?: boolean; problem?: string; detail?: string } = {}) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const list = await partners().list(principal, c.slug);
    return partnersPage(view, { slug: c.slug, name: nameOf(c, view.lang), partners: list, done: doneMessage(view.lang, req.query.done), ...extra });
  };

  r.get("/@:slug/partners", auth, async (req, res) => {
    res.send(await renderPartners(req, res));
  });

  r.post("/@:slug/partners", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const actor = field(req.body, "actor").trim();
    const relay = field(req.body, "relay") === "1";
    if (actor === "" || actor.length > 2048) {
      res.status(422).send(await renderPartners(req, res, { actor, relay, problem: ctx.t(lang, "editor:partners.problem.empty") }));
      return;
    }
    const found = ctx.partnerLookup ? await ctx.partnerLookup(actor) : { ok: false as const, reason: "no federation here" };
    if (!found.ok) {
      res.status(422).send(await renderPartners(req, res, { actor, relay, problem: ctx.t(lang, "editor:partners.problem.notFound"), detail: found.reason }));
      return;
    }
    try {
      const { partner, created } = await partners().follow(principal, c.slug, found.actor);
      if (relay && !partner.relay) await partners().setRelay(principal, c.slug, partner.id, true);
      res.redirect(303, `${editorPaths.partners(c.slug)}?done=${created ? "followed" : "alreadyFollowed"}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      const blocked = error.details?.some((d) => d.message === "is blocked");
      res.status(422).send(await renderPartners(req, res, { actor, relay, problem: ctx.t(lang, blocked ? "editor:partners.problem.blocked" : "editor:partners.problem.self") }));
    }
  });

  r.post("/@:slug/partners/:id/relay", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const relay = field(req.body, "relay");
    if (relay !== "0" && relay !== "1") throw new AppError("invalid", 422, 'relay must be "1" or "0"');
    await partners().setRelay(principal, c.slug, String(req.params.id), relay === "1");
    res.redirect(303, `${editorPaths.partners(c.slug)}?done=${relay === "1" ? "relayOn" : "relayOff"}`);
  });

  r.get("/@:slug/partners/:id/unfollow", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const partner = await partners().get(principal, c.slug, String(req.params.id));
    res.send(unfollowPage(ctx.view(req, res), { slug: c.slug, partner }));
  });

  r.post("/@:slug/partners/:id/unfollow", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const id = String(req.params.id);
    if (field(req.body, "confirm") !== "yes") return res.redirect(303, editorPaths.partner(c.slug, id, "unfollow"));
    await partners().unfollow(principal, c.slug, id);
    res.redirect(303, `${editorPaths.partners(c.slug)}?done=unfollowed`);
  });

  // Blocks: a collective's (its owners) and the instance's (its admin). The service checks the rights
  // too; the pages check them first so that nobody sees a form they may not send.
  const blockScope = async (req: Request, res: Response): Promise<{ scope: BlockScope; page: { slug: string; name: string } | "instance" }> => {
    const principal = principalOf(res);
    if (req.params.slug === undefined) {
      if (!canOnInstance(principal, "manage-instance-blocks")) throw forbidden();
      return { scope: "instance", page: "instance" };
    }
    const c = await ctx.collectives.findBySlug(String(req.params.slug));
    if (!c || !can(principal, "manage-blocks", c.id)) throw forbidden();
    return { scope: { slug: c.slug }, page: { slug: c.slug, name: nameOf(c, ctx.view(req, res).lang) } };
  };
  const renderBlocks = async (req: Request, res: Response, extra: { target?: string; reason?: string; problem?: string } = {}) => {
    const principal = principalOf(res);
    const { scope, page } = await blockScope(req, res);
    const view = ctx.view(req, res);
    const list = await blocks().list(principal, scope);
    return blocksPage(view, {
      scope: page,
      blocks: list.filter((b) => b.source === "database"),
      configured: scope === "instance" ? blocks().configuredDomains(principal) : undefined,
      purged: purgedOf(req.query.purged),
      done: doneMessage(view.lang, req.query.done),
      ...extra,
    });
  };
  const here = (scope: BlockScope) => (scope === "instance" ? editorPaths.instanceBlocks : editorPaths.blocks(scope.slug));

  for (const base of ["/blocks", "/@:slug/blocks"]) {
    r.get(base, auth, async (req, res) => {
      res.send(await renderBlocks(req, res));
    });
    r.post(base, auth, async (req, res) => {
      const principal = principalOf(res);
      const { scope } = await blockScope(req, res);
      const lang = ctx.view(req, res).lang;
      const target = field(req.body, "target").trim();
      const reason = field(req.body, "reason").trim();
      if (target === "") {
        res.status(422).send(await renderBlocks(req, res, { target, reason, problem: ctx.t(lang, "editor:blocks.problem.empty") }));
        return;
      }
      try {
        const result = await blocks().add(principal, scope, target, { reason: reason || undefined });
        const p = result.purged;
        res.redirect(303, `${here(scope)}?done=${result.created ? "blocked" : "alreadyBlocked"}&purged=${p.followers}.${p.partners ?? 0}.${p.partnerEvents ?? 0}`);
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 422) throw error;
        // The service's message names what is wrong with the target (in English); the page leads with ours.
        res.status(422).send(await renderBlocks(req, res, { target, reason, problem: `${ctx.t(lang, "editor:blocks.problem.invalid")} (${error.message})` }));
      }
    });
    r.post(`${base}/:id/remove`, auth, async (req, res) => {
      const principal = principalOf(res);
      const { scope } = await blockScope(req, res);
      if (field(req.body, "confirm") !== "yes") return res.redirect(303, here(scope));
      await blocks().removeById(principal, scope, String(req.params.id));
      res.redirect(303, `${here(scope)}?done=unblocked`);
    });
  }
  return r;
}
