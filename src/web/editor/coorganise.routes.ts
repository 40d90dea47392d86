import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { CoorganiseHostService } from "../../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../../modules/coorganise/coorganise-partner.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { coorganisedListPage, coorganisedPage, eventCoorganizersPage } from "./pages/coorganise.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** What a redirect may say was done here (`?done=`), each a translation under coorganise:done. */
const doneKeys = ["invited", "accepted", "declined", "withdrawn"] as const;

/**
 * Co-organised events in the editor (issue 9, "Events organised together"), over the same services as
 * the JSON API: the host's editors invite partner collectives of other servers to co-organise a
 * published event and see each one's state (co-organiser, awaiting reconfirmation after a change of
 * time or place, withdrawn) and each invitation's answer; the invited collective's editors read the
 * event's exact time and place, then accept (or reconfirm) or decline, and may withdraw later.
 * Declining and withdrawing ask for the form's confirmation, as the signing screens do.
 */
export function coorganiseRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const host = (): CoorganiseHostService => {
    if (!ctx.coorganise) throw new AppError("not_found", 404, "");
    return ctx.coorganise.host;
  };
  const partner = (): CoorganisePartnerService => {
    if (!ctx.coorganise) throw new AppError("not_found", 404, "");
    return ctx.coorganise.partner;
  };
  const done = (lang: string, value: unknown) => (typeof value === "string" && (doneKeys as readonly string[]).includes(value) ? ctx.t(lang, `coorganise:done.${value}`) : undefined);

  const renderHost = async (req: Request, res: Response, extra: { partner?: string; expires?: string; problem?: string; detail?: string } = {}) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    // The service checks who may see the invitations (an editor of the event's collective) first.
    const { invitations, coorganizers } = await host().overview(principal, id);
    if (!ctx.events) throw new AppError("not_found", 404, "");
    const { event, published } = await ctx.events.getForEditor(principal, id);
    const view = ctx.view(req, res);
    return eventCoorganizersPage(view, {
      eventId: event.id,
      title: pickLanguage(event.name, [view.lang], event.organizer.primaryLanguage)?.text ?? event.id,
      invitable: published,
      invitations,
      coorganizers,
      done: done(view.lang, req.query.done),
      ...extra,
    });
  };

  r.get("/events/:id/coorganizers", auth, async (req, res) => {
    res.send(await renderHost(req, res));
  });

  r.post("/events/:id/coorganizers", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    const lang = ctx.view(req, res).lang;
    const ref = field(req.body, "partner").trim();
    const until = field(req.body, "expires").trim();
    // Who may invite is checked before anything is looked up on the network.
    await host().overview(principal, id);
    if (ref === "" || ref.length > 500) {
      res.status(422).send(await renderHost(req, res, { partner: ref, expires: until, problem: ctx.t(lang, "coorganise:problem.empty") }));
      return;
    }
    // "Answer by": the end of that day in the event's zone; empty, the service's default.
    let expiresAt: Temporal.Instant | undefined;
    if (until !== "") {
      try {
        const { event } = await (ctx.events as NonNullable<typeof ctx.events>).getForEditor(principal, id);
        expiresAt = Temporal.PlainDate.from(until).toZonedDateTime({ timeZone: event.timezone, plainTime: "23:59" }).toInstant();
      } catch {
        res.status(422).send(await renderHost(req, res, { partner: ref, expires: until, problem: ctx.t(lang, "coorganise:problem.expires") }));
        return;
      }
    }
    const found = ctx.cosignLookup ? await ctx.cosignLookup(ref) : { ok: false as const, reason: "no federation here" };
    if (!found.ok) {
      res.status(422).send(await renderHost(req, res, { partner: ref, expires: until, problem: ctx.t(lang, "coorganise:problem.notFound"), detail: found.reason }));
      return;
    }
    try {
      await host().invite(principal, id, found.partner, { expiresAt });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      res.status(error.status).send(await renderHost(req, res, { partner: ref, expires: until, problem: ctx.t(lang, "coorganise:problem.refused"), detail: error.message }));
      return;
    }
    res.redirect(303, `${editorPaths.eventCoorganizers(id)}?done=invited`);
  });

  const answering = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-events", c.id)) throw forbidden();
    return c;
  };

  r.get("/@:slug/coorganising", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await answering(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const items = await partner().list(principal, c.slug);
    const name = pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug;
    res.send(coorganisedListPage(view, { slug: c.slug, name, items, wording: ctx.wording, done: done(view.lang, req.query.done) }));
  });

  r.get("/@:slug/coorganising/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await answering(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const item = await partner().one(principal, c.slug, String(req.params.id));
    res.send(coorganisedPage(view, { slug: c.slug, item, wording: ctx.wording, done: done(view.lang, req.query.done) }));
  });

  for (const action of ["accept", "decline", "withdraw"] as const) {
    r.post(`/@:slug/coorganising/:id/${action}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const c = await answering(principal, String(req.params.slug));
      const id = String(req.params.id);
      const view = ctx.view(req, res);
      // Declining and withdrawing happen only from their form (its hidden confirmation).
      if (action !== "accept" && field(req.body, "confirm") !== "yes") return res.redirect(303, editorPaths.coorganised(c.slug, id));
      try {
        if (action === "accept") await partner().accept(principal, c.slug, id);
        else if (action === "decline") await partner().decline(principal, c.slug, id);
        else await partner().withdraw(principal, c.slug, id);
      } catch (error) {
        if (!(error instanceof AppError) || ![409, 410, 422].includes(error.status)) throw error;
        const item = await partner().one(principal, c.slug, id);
        const problem = `${ctx.t(view.lang, "coorganise:problem.answer")} (${error.message})`;
        res.status(error.status).send(coorganisedPage(view, { slug: c.slug, item, wording: ctx.wording, problem }));
        return;
      }
      res.redirect(303, `${editorPaths.coorganised(c.slug, id)}?done=${action === "accept" ? "accepted" : action === "decline" ? "declined" : "withdrawn"}`);
    });
  }
  return r;
}
