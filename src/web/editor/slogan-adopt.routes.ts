import type { Router } from "express";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import type { IncomingSlogan, PartnerSlogans } from "../../modules/slogan/slogan.types.ts";
import { AppError } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { adoptRoutes } from "./adopt.routes.ts";
import type { EditorContext } from "./editor.router.ts";
import { adoptSloganPage } from "./pages/slogan-adopt.pages.ts";
import { editorPaths } from "./paths.ts";

/**
 * Adopting a partner's slogan from the editor: the slogans of the partners the collective follows,
 * listed from where they live (this instance, or the partner's outbox), or any by the address of its
 * post. Over SloganService.adopt, as the API and the CLI: only from a partner, once per original; the
 * adopted slogan is a draft (to attach it to a call, then publish it) that names and links its origin.
 */
export function sloganAdoptRoutes(ctx: EditorContext): Router {
  const slogans = (): SloganService => {
    if (!ctx.slogans) throw new AppError("not_found", 404, "");
    return ctx.slogans;
  };
  return adoptRoutes<IncomingSlogan>(ctx, {
    path: "/@:slug/slogans/adopt",
    async page({ view, principal, collective: c, partners, extra }) {
      const lists: PartnerSlogans[] = ctx.partnerSlogans ? await ctx.partnerSlogans(partners) : partners.map((partner) => ({ partner, slogans: [], unreadable: true }));
      const ours = await slogans().list(c.slug, principal, { includeDrafts: true, limit: 500 });
      const adopted = new Map(ours.flatMap((s) => (s.origin ? [[s.origin.apId, s.id] as const] : [])));
      const name = pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug;
      return adoptSloganPage(view, { slug: c.slug, name, partners: lists, adopted, ...extra });
    },
    async lookup(url) {
      const read = ctx.sloganLookup ? await ctx.sloganLookup(url) : { ok: false as const, reason: "no reader" };
      return read.ok ? { ok: true, value: read.slogan } : read;
    },
    adopt: (principal, slug, slogan) => slogans().adopt(principal, slug, slogan, { published: false }),
    editPath: (id) => editorPaths.slogan(id),
    // A slogan refused as it is reads as unreadable; the reasons are not shown.
    problem: (lang, key) => ctx.t(lang, `editor:slogan.problem.${key === "invalid" ? "unreadable" : key}`),
  });
}
