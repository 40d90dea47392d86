import { Router } from "express";
import { can, canOnInstance } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { collectiveDashboard, homePage } from "./pages/dashboard.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** The editor's home (its collectives) and each collective's dashboard. */
export function dashboardRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Parameters<Parameters<typeof r.get>[1]>[1]): Principal => {
    const p = webAuthOf(res).principal;
    if (!p) throw new AppError("unauthorized", 401, "");
    return p;
  };

  r.get("/", auth, async (req, res) => {
    const view = ctx.view(req, res);
    const principal = principalOf(res);
    const mine = (await ctx.collectives.list()).filter((c) => principal.roles.has(c.id));
    const items = mine.map((c) => ({
      slug: c.slug,
      name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug,
      role: principal.roles.get(c.id) ?? "editor",
    }));
    res.send(homePage(view, { collectives: items, canCreate: canOnInstance(principal, "create-collective"), canBlock: canOnInstance(principal, "manage-instance-blocks"), done: doneMessage(view.lang, req.query.done) }));
  });

  r.get("/@:slug", auth, async (req, res) => {
    const view = ctx.view(req, res);
    const principal = principalOf(res);
    const collective = await ctx.collectives.findBySlug(String(req.params.slug));
    if (!collective || !can(principal, "read-private", collective.id)) throw forbidden();
    const isOwner = can(principal, "decide-followers", collective.id);
    const followers = await ctx.followers.list(collective.slug);
    const now = Temporal.Now.instant();
    const events = ctx.events ? await ctx.events.list(collective.slug, { includePrivate: true, limit: 200 }, principal) : [];
    res.send(
      collectiveDashboard(view, {
        collective,
        name: pickLanguage(collective.name, [view.lang], collective.primaryLanguage)?.text ?? collective.slug,
        isOwner,
        followerCount: followers.filter((f) => f.state === "accepted").length,
        requests: isOwner ? followers.filter((f) => f.state === "pending") : [],
        upcoming: events.filter((e) => e.published && Temporal.Instant.compare(e.event.endsAt ?? e.event.startsAt, now) >= 0),
        drafts: events.filter((e) => !e.published),
        done: doneMessage(view.lang, req.query.done),
      }),
    );
  });

  r.post("/@:slug/followers", auth, async (req, res) => {
    const principal = principalOf(res);
    const slug = String(req.params.slug);
    const collective = await ctx.collectives.getBySlug(slug);
    if (!can(principal, "decide-followers", collective.id)) throw forbidden(`only owners of "${slug}" decide on followers`);
    const actor = field(req.body, "actor");
    const decision = field(req.body, "decision");
    if (decision === "approve") await ctx.followers.approve(slug, actor, principal);
    else if (decision === "reject") await ctx.followers.reject(slug, actor, principal);
    else throw new AppError("invalid", 422, 'decision must be "approve" or "reject"');
    res.redirect(303, `${editorPaths.collective(slug)}?done=${decision === "approve" ? "approved" : "rejected"}`);
  });
  return r;
}
